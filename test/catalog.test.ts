import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadCatalog } from "../src/catalog/index.ts";
import { loadWorkspaceCatalog } from "../src/catalog/workspace.ts";
import { loadConfig } from "../src/config.ts";
import { InputError } from "../src/errors.ts";
import { RULES, RULES_BY_ID } from "../src/rules/index.ts";
import { REPO_ROOT, tempDir } from "./helpers/workspace.ts";

const IN_SCOPE = ["CC6.1", "CC6.3", "CC7.1", "CC7.2", "CC8.1", "CC9.2", "A.5.37", "A.8.8", "A.8.9"];
const catalog = loadCatalog(["soc2", "iso27001"]);

test("the catalog holds all nine in-scope controls with their verbatim ids", () => {
  assert.deepEqual(catalog.controls.map((c) => c.id).sort(), [...IN_SCOPE].sort());
});

test("every rule a control names exists", () => {
  for (const c of catalog.controls) for (const r of c.rules) assert.ok(RULES_BY_ID.has(r), `${c.id} names unknown rule ${r}`);
});

test("every registered rule is mapped to at least one control", () => {
  for (const rule of RULES) assert.ok(catalog.controlsByRule.has(rule.id), `rule ${rule.id} is not mapped to any control`);
});

test("rule ids are unique and the registry is sorted", () => {
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids, [...ids].sort());
});

test("every rule file is registered under its file name", () => {
  const files = readdirSync(path.join(REPO_ROOT, "src", "rules"))
    .filter((f) => f.endsWith(".ts") && !["define.ts", "index.ts"].includes(f))
    .map((f) => f.replace(/\.ts$/, ""))
    .sort();
  assert.deepEqual(files, RULES.map((r) => r.id).sort());
});

test("every in-scope control has a rule or an explicit manual reason", () => {
  for (const c of catalog.controls) assert.ok(c.rules.length > 0 || (c.manualReason ?? "").length > 10, `${c.id} has no rule and no manual reason`);
});

test("the crosswalk relates SOC 2 and ISO controls both ways", () => {
  const cc81 = catalog.controls.find((c) => c.id === "CC8.1")!;
  const a89 = catalog.controls.find((c) => c.id === "A.8.9")!;
  assert.ok(cc81.related.includes("A.8.9"));
  assert.ok(a89.related.includes("CC8.1"));
});

test("narrowing the frameworks narrows the scope", () => {
  assert.deepEqual(loadCatalog(["iso27001"]).controls.map((c) => c.id), ["A.5.37", "A.8.8", "A.8.9"]);
});

test("every registered rule declares how often what it tests operates", () => {
  for (const rule of RULES) assert.ok(rule.frequency, `rule ${rule.id} has no frequency`);
});

test("the nine in-scope controls are all automated now (none manual)", () => {
  assert.deepEqual(catalog.controls.filter((c) => c.rules.length === 0).map((c) => c.id), []);
});

// ---------------------------------------------------------------- workspace additions

const USER_RULE = `id: acme-no-root-writes
title: Root makes no writes
rationale: Root bypasses IAM.
severity: high
frequency: continuous
sources: [cloudtrail]
population:
  description: CloudTrail events
  sql: SELECT id FROM events WHERE source_kind = 'cloudtrail' AND time >= :start AND time < :end
failing:
  sql: >
    SELECT actor AS subject, 'root called ' || action AS message, time, id AS event_id FROM events
    WHERE source_kind = 'cloudtrail' AND json_extract(attrs, '$.identityType') = 'Root' AND time >= :start AND time < :end
`;
const USER_FRAMEWORK = {
  framework: "acme", name: "Acme internal controls", version: "2026",
  controls: [{ id: "ACME-1", title: "No root writes", description: "Root is not used.", frequency: "continuous", rules: ["acme-no-root-writes", "cloudtrail-root-account-unused"] }],
};

function workspace(files: Record<string, string>, configExtra = ""): string {
  const root = tempDir("evidence-ws-");
  writeFileSync(path.join(root, "evidence.config.yaml"), `organisation: { name: Test }\n${configExtra}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return path.join(root, "evidence.config.yaml");
}

function workspaceError(config: string): string {
  try {
    loadWorkspaceCatalog(loadConfig(config));
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.message;
  }
  assert.fail("expected an input error");
}

test("workspace controls and SQL rules join the catalog, checked in both directions", () => {
  const ws = loadWorkspaceCatalog(loadConfig(workspace({
    "controls/acme.json": JSON.stringify(USER_FRAMEWORK),
    "controls/mappings.json": JSON.stringify({ mappings: [{ control: "CC7.2", rules: ["acme-no-root-writes"], text: "Full licensed criterion text." }] }),
    "rules/acme-no-root-writes.yaml": USER_RULE,
  })));
  const { catalog: c, rules } = ws;
  assert.ok(c.controls.some((x) => x.id === "ACME-1" && x.framework === "acme" && x.origin === "controls/acme.json"));
  const cc72 = c.controls.find((x) => x.id === "CC7.2")!;
  assert.ok(cc72.rules.includes("acme-no-root-writes"));
  assert.equal(cc72.text, "Full licensed criterion text.");
  // Both directions: every rule a control names exists, and every rule (package and workspace) is mapped.
  for (const control of c.controls) for (const r of control.rules) assert.ok(rules.has(r), `${control.id} names unknown rule ${r}`);
  for (const id of rules.keys()) assert.ok(c.controlsByRule.has(id), `rule ${id} is not mapped`);
  assert.deepEqual(c.controlsByRule.get("acme-no-root-writes")!.sort(), ["ACME-1", "CC7.2"]);
  assert.deepEqual(ws.files.map((f) => f.path), ["controls/acme.json", "controls/mappings.json", "rules/acme-no-root-writes.yaml"]);
});

test("catalog.scope narrows the controls evaluated and lists what it left out", () => {
  const config = workspace({ "controls/acme.json": JSON.stringify(USER_FRAMEWORK), "rules/r.yaml": USER_RULE }, "catalog:\n  scope: [CC8.1, ACME-1]\n");
  const { catalog: c } = loadWorkspaceCatalog(loadConfig(config));
  assert.deepEqual(c.controls.map((x) => x.id), ["CC8.1", "ACME-1"]);
  assert.equal(c.outOfScope.length, 9 - 1);
  assert.ok(c.allControlIds.has("CC6.1"), "acceptances may still name out-of-scope controls");
  assert.ok(!c.controlsByRule.has("agent-destructive-actions-human-approved"), "rules of out-of-scope controls do not run");
  assert.match(workspaceError(workspace({}, "catalog:\n  scope: [CC8.1, CC99]\n")), /catalog\.scope: unknown control "CC99"/);
});

test("workspace catalog mistakes are input errors naming the file", () => {
  assert.match(workspaceError(workspace({ "controls/m.json": JSON.stringify({ mappings: [{ control: "CC7.2", rules: ["no-such-rule"] }] }) })), /controls\/m\.json: control CC7\.2 names unknown rule "no-such-rule"/);
  assert.match(workspaceError(workspace({ "controls/m.json": JSON.stringify({ mappings: [{ control: "CC42", rules: [] }] }) })), /controls\/m\.json: mappings: unknown control "CC42"/);
  const dup = { ...USER_FRAMEWORK, controls: [{ ...USER_FRAMEWORK.controls[0], id: "CC8.1", rules: ["cloudtrail-root-account-unused"] }] };
  assert.match(workspaceError(workspace({ "controls/acme.json": JSON.stringify(dup) })), /controls\/acme\.json: duplicate control id CC8\.1 \(already in package\)/);
  assert.match(workspaceError(workspace({ "rules/r.yaml": USER_RULE.replace("acme-no-root-writes", "cloudtrail-root-account-unused") })), /rules\/r\.yaml: id: rule "cloudtrail-root-account-unused" already exists in the package/);
  assert.match(workspaceError(workspace({ "rules/r.yaml": USER_RULE.replace("  sql: SELECT id", "  sql: DELETE FROM events; SELECT id") })), /rules\/r\.yaml: population\.sql: must be a single SELECT/);
  assert.match(workspaceError(workspace({}, "catalog:\n  rules: my-rules\n")), /catalog: folder "my-rules" not found/);
});
