import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { askProduction } from "../../src/commands/init.ts";
import { loadCatalog } from "../../src/catalog/index.ts";
import { loadConfig } from "../../src/config.ts";
import { loadRegisters } from "../../src/registers/index.ts";
import { REPO_ROOT, runCli, tempDir } from "../helpers/workspace.ts";

/** A temp folder removed after the test. */
function folder(t: { after: (fn: () => void) => void }): string {
  const dir = tempDir("evidence-init-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const production = (dir: string) => loadConfig(path.join(dir, "evidence.config.yaml")).config.environments.production;

test("without a terminal and without flags, init writes a valid config whose production is a marked placeholder", (t) => {
  const dir = path.join(folder(t), "ws");
  const result = runCli(["init", dir]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Production is NOT DEFINED yet: until environments\.production in evidence\.config\.yaml names accounts, paths or resource patterns/);
  const text = readFileSync(path.join(dir, "evidence.config.yaml"), "utf8");
  assert.match(text, /^# !! NOT DEFINED YET: init was not told what production is \(no answers on a terminal, no\n# !! --production-\* flags\)\./m);
  assert.match(text, /^ {4}awsAccounts: \[\] +# NOT SET: /m);
  assert.match(text, /^ {4}paths: \[\] +# NOT SET: /m);
  assert.deepEqual(production(dir), { awsAccounts: [], branches: ["main"], paths: [], resourcePatterns: [] }, "the placeholder still loads");
  // Manual controls count in coverage's denominator: the starter's minimum must be reachable by testing every automated control.
  const { config } = loadConfig(path.join(dir, "evidence.config.yaml"));
  const catalog = loadCatalog(config.report.frameworks);
  const reachable = catalog.controls.filter((c) => c.rules.length > 0).length / catalog.controls.length;
  assert.ok(config.thresholds.minCoverage <= reachable, `minCoverage ${config.thresholds.minCoverage} is above the reachable ${reachable.toFixed(3)}`);
  // The starter inventory ships an action boundary, loaded through the real register reader.
  const tools = loadRegisters(config, dir).aiTools ?? [];
  assert.ok(tools.length > 0 && tools.every((r) => r.value.permissionBoundary && r.value.permissionBoundary.confirmFirst.length > 0), JSON.stringify(tools));
});

test("--production-* flags (repeatable, comma lists too) are written to the config and nothing is asked", (t) => {
  const dir = path.join(folder(t), "ws");
  const result = runCli([
    "init", dir, "--json", "--production-account", "111122223333", "--production-account", "444455556666,111122223333",
    "--production-branch", "release", "--production-path", "/srv/prod/**", "--production-path", "/opt/payments/*",
  ]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, "", "no prompt");
  const expected = { awsAccounts: ["111122223333", "444455556666"], branches: ["release"], paths: ["/srv/prod/**", "/opt/payments/*"] };
  assert.deepEqual(JSON.parse(result.stdout).production, expected);
  assert.deepEqual(production(dir), { ...expected, resourcePatterns: [] });
  assert.doesNotMatch(readFileSync(path.join(dir, "evidence.config.yaml"), "utf8"), /NOT DEFINED|NOT SET/);

  // An account flag alone keeps the default branch.
  const accountOnly = path.join(folder(t), "ws");
  assert.equal(runCli(["init", accountOnly, "--production-account", "111122223333"]).status, 0);
  assert.deepEqual(production(accountOnly), { awsAccounts: ["111122223333"], branches: ["main"], paths: [], resourcePatterns: [] });
});

test("an invalid --production-account is a usage error (exit 2) naming the value, and writes nothing", (t) => {
  const dir = path.join(folder(t), "ws");
  const result = runCli(["init", dir, "--production-account", "1111-2222-3333"]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /invalid --production-account "1111-2222-3333": expected a 12-digit AWS account id/);
  assert.ok(!existsSync(path.join(dir, "evidence.config.yaml")));
});

test("asking: an invalid account list is asked again, an empty branch answer keeps main, and input that ends early gives no answer", async () => {
  const ask = async (answers: string) => {
    const input = new PassThrough();
    const prompts = new PassThrough();
    input.end(answers);
    const scope = await askProduction(input, prompts);
    return { scope, prompts: String(prompts.read() ?? "") };
  };
  const asked = await ask("12345\n111122223333 444455556666\n\n/srv/prod/**\n");
  assert.deepEqual(asked.scope, { awsAccounts: ["111122223333", "444455556666"], branches: ["main"], paths: ["/srv/prod/**"] });
  assert.match(asked.prompts, /Not a 12-digit AWS account id: 12345\. Try again\./);
  assert.equal(asked.prompts.match(/Production AWS account ids/g)?.length, 2);
  assert.equal((await ask("111122223333\n")).scope, null);
});

test("on a real terminal (a pseudo-TTY from script(1)) init asks and writes the answers", { skip: spawnSync("script", ["--version"]).status !== 0 && "script(1) not available" }, (t) => {
  const dir = path.join(folder(t), "ws");
  const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(REPO_ROOT, "bin", "evidence.js"))} init ${JSON.stringify(dir)}`;
  const result = spawnSync("script", ["-qec", cli, "/dev/null"], { input: "111122223333\nrelease, main\n/srv/prod/**\n", encoding: "utf8", timeout: 60_000 });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /Which environment is production\?/);
  assert.deepEqual(production(dir), { awsAccounts: ["111122223333"], branches: ["release", "main"], paths: ["/srv/prod/**"], resourcePatterns: [] });
});
