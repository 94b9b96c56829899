import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfig, parseConfigText } from "../src/config.ts";
import { InputError } from "../src/errors.ts";
import { tempDir } from "./helpers/workspace.ts";

const MINIMAL = "organisation:\n  name: Acme\n";

test("a minimal config gets the documented defaults", () => {
  const c = parseConfigText(MINIMAL, "evidence.config.yaml");
  assert.equal(c.report.timezone, "UTC");
  assert.deepEqual(c.report.frameworks, ["soc2", "iso27001"]);
  assert.equal(c.thresholds.minCoverage, 0);
  assert.deepEqual(c.environments.production.branches, ["main"]);
});

test("a misspelt key is rejected with the file, the key path and the unknown key", () => {
  const text = `${MINIMAL}thresholds:\n  minCoverag: 0.9\n`;
  assert.throws(
    () => parseConfigText(text, "ws/evidence.config.yaml"),
    (e: unknown) => e instanceof InputError && e.message === 'ws/evidence.config.yaml: thresholds: unknown key "minCoverag"',
  );
});

test("a wrong type names what was expected", () => {
  assert.throws(() => parseConfigText(`${MINIMAL}thresholds:\n  minCoverage: lots\n`, "c.yaml"), (e: unknown) => e instanceof InputError && /c\.yaml: thresholds\.minCoverage: .*number/i.test(e.message));
});

test("an invalid time zone is rejected", () => {
  assert.throws(() => parseConfigText(`${MINIMAL}report:\n  timezone: Mars/Olympus\n`, "c.yaml"), /report\.timezone: an IANA time zone/);
});

test("JSON configs are accepted too", () => {
  const c = parseConfigText(JSON.stringify({ organisation: { name: "Acme" }, sources: [] }), "c.json");
  assert.equal(c.organisation.name, "Acme");
});

test("loadConfig resolves the workspace root to the config's folder and hashes the file", () => {
  const dir = tempDir();
  const file = path.join(dir, "evidence.config.yaml");
  writeFileSync(file, MINIMAL);
  const loaded = loadConfig(file);
  assert.equal(loaded.root, dir);
  assert.match(loaded.sha256, /^[0-9a-f]{64}$/);
});

test("a git source without a repository and a duplicate source name are input errors", () => {
  const dir = tempDir();
  const file = path.join(dir, "c.yaml");
  writeFileSync(file, `${MINIMAL}sources:\n  - name: app\n    kind: git\n`);
  assert.throws(() => loadConfig(file), /sources\.0\.repository/);
  writeFileSync(file, `${MINIMAL}sources:\n  - {name: a, kind: cloudtrail, paths: [x]}\n  - {name: a, kind: cloudtrail, paths: [y]}\n`);
  assert.throws(() => loadConfig(file), /duplicate source name "a"/);
});

test("a missing config file says how to create one", () => {
  assert.throws(() => loadConfig("/nonexistent/evidence.config.yaml"), /config file not found \(run "evidence init"/);
});
