import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadCatalog } from "../src/catalog/index.ts";
import { loadWorkspaceCatalog } from "../src/catalog/workspace.ts";
import { loadConfig } from "../src/config.ts";
import { InputError } from "../src/errors.ts";
import { RULES, RULES_BY_ID } from "../src/rules/index.ts";
import { REPO_ROOT, tempDir } from "./helpers/workspace.ts";

/** The controls with automated rules; every other control in the catalog is manual. */
const AUTOMATED = ["CC6.1", "CC6.3", "CC7.1", "CC7.2", "CC8.1", "CC9.2", "A.5.37", "A.8.8", "A.8.9", "A.8.15"];
const catalog = loadCatalog(["soc2", "iso27001"]);
const notInScope = catalog.notInScope ?? [];

/** Ids `prefix1` .. `prefixN` for each [prefix, N]. */
const numbered = (groups: [string, number][]) => groups.flatMap(([prefix, n]) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`));

/** Each id's disposition in the catalog: automated, manual, not-in-scope; an id listed twice shows both. */
function dispositions(framework: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const note = (id: string, what: string) => seen.set(id, [...(seen.get(id) ?? []), what]);
  for (const c of catalog.controls.filter((x) => x.framework === framework)) note(c.id, c.rules.length ? "automated" : "manual");
  for (const n of notInScope.filter((x) => x.framework === framework)) note(n.id, "not-in-scope");
  return seen;
}

test("every SOC 2 criterion CC6 to CC9 is in the catalog exactly once: automated, manual or not in scope", () => {
  // The AICPA's 2017 Trust Services Criteria (revised points of focus, 2022): CC6.1-CC6.8, CC7.1-CC7.5, CC8.1, CC9.1-CC9.2.
  const expected = numbered([["CC6.", 8], ["CC7.", 5], ["CC8.", 1], ["CC9.", 2]]);
  const seen = dispositions("soc2");
  for (const id of expected) assert.equal((seen.get(id) ?? []).length, 1, `${id}: ${JSON.stringify(seen.get(id) ?? [])}`);
  // The rest of the common criteria (CC1-CC5) are listed as not in scope, so the appendix shows them.
  for (const id of numbered([["CC1.", 5], ["CC2.", 3], ["CC3.", 4], ["CC4.", 2], ["CC5.", 3]])) assert.deepEqual(seen.get(id), ["not-in-scope"], id);
});

test("every ISO/IEC 27001:2022 Annex A control is in the catalog exactly once: automated, manual or not in scope", () => {
  // Annex A of the 2022 edition: 93 controls in four themes (5: 37, 6: 8, 7: 14, 8: 34).
  const expected = numbered([["A.5.", 37], ["A.6.", 8], ["A.7.", 14], ["A.8.", 34]]);
  const seen = dispositions("iso27001");
  assert.deepEqual([...seen.keys()].sort(), [...expected].sort());
  for (const id of expected) assert.equal(seen.get(id)!.length, 1, `${id}: ${JSON.stringify(seen.get(id))}`);
  for (const id of ["A.5.15", "A.5.16", "A.5.18", "A.5.23", "A.5.24", "A.5.28", "A.8.2", "A.8.5", "A.8.16", "A.8.25", "A.8.28", "A.8.32"]) {
    assert.deepEqual(seen.get(id), ["manual"], `${id} is in scope`);
  }
});

test("the automated controls keep their rules; every other control is manual, with a reason and the evidence to attach", () => {
  assert.deepEqual(catalog.controls.filter((c) => c.rules.length > 0).map((c) => c.id).sort(), [...AUTOMATED].sort());
  for (const c of catalog.controls.filter((x) => x.rules.length === 0)) {
    assert.ok((c.manualReason ?? "").length > 20, `${c.id} has no manual reason`);
    assert.ok((c.attach ?? []).length > 0 && c.attach!.every((a) => a.length > 10), `${c.id} does not say what to attach`);
  }
  for (const c of catalog.controls.filter((x) => x.rules.length > 0)) assert.equal(c.attach, undefined, `${c.id} is automated: nothing to attach by hand`);
});

test("every not-in-scope criterion has a title and a one-line reason, and ids are never reused", () => {
  for (const n of notInScope) {
    assert.ok(n.title.length > 3 && n.reason.length > 20 && !n.reason.includes("\n"), `${n.id}: ${JSON.stringify(n)}`);
    assert.ok(!catalog.allControlIds.has(n.id), `${n.id} is also a control`);
  }
  assert.equal(new Set(notInScope.map((n) => n.id)).size, notInScope.length);
  assert.deepEqual(notInScope.filter((n) => ["CC6.4", "CC6.5", "CC9.1"].includes(n.id)).map((n) => n.framework), ["soc2", "soc2", "soc2"]);
});

test("crosswalk pairs name controls in scope, never a not-in-scope criterion", () => {
  const crosswalk = JSON.parse(readFileSync(path.join(REPO_ROOT, "controls", "crosswalk.json"), "utf8")) as { pairs: { soc2: string; iso27001: string }[] };
  for (const p of crosswalk.pairs) {
    assert.ok(catalog.controls.some((c) => c.id === p.soc2 && c.framework === "soc2"), `crosswalk names ${p.soc2}`);
    assert.ok(catalog.controls.some((c) => c.id === p.iso27001 && c.framework === "iso27001"), `crosswalk names ${p.iso27001}`);
  }
  assert.deepEqual(catalog.controls.find((c) => c.id === "CC7.4")!.related, ["A.5.24", "A.5.26", "A.5.28"]);
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

test("the crosswalk relates SOC 2 and ISO controls both ways", () => {
  const cc81 = catalog.controls.find((c) => c.id === "CC8.1")!;
  const a89 = catalog.controls.find((c) => c.id === "A.8.9")!;
  assert.ok(cc81.related.includes("A.8.9"));
  assert.ok(a89.related.includes("CC8.1"));
});

test("narrowing the frameworks narrows the scope", () => {
  const iso = loadCatalog(["iso27001"]);
  assert.deepEqual(new Set(iso.controls.map((c) => c.framework)), new Set(["iso27001"]));
  assert.deepEqual(new Set(iso.notInScope!.map((n) => n.framework)), new Set(["iso27001"]));
  assert.ok(["A.5.37", "A.8.8", "A.8.9"].every((id) => iso.controls.some((c) => c.id === id)));
});

test("every registered rule declares how often what it tests operates", () => {
  for (const rule of RULES) assert.ok(rule.frequency, `rule ${rule.id} has no frequency`);
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
  assert.equal(c.outOfScope.length, catalog.controls.length - 1);
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

test("not-in-scope criteria: a workspace control takes one into scope; listing one twice or as a control, or scoping it, is an input error", () => {
  const physical = { ...USER_FRAMEWORK, framework: "soc2", controls: [{ ...USER_FRAMEWORK.controls[0], id: "CC6.4", title: "Physical access" }] };
  const { catalog: c } = loadWorkspaceCatalog(loadConfig(workspace({ "controls/physical.json": JSON.stringify(physical), "rules/r.yaml": USER_RULE })));
  assert.ok(c.controls.some((x) => x.id === "CC6.4" && x.origin === "controls/physical.json"));
  assert.ok(!c.notInScope!.some((n) => n.id === "CC6.4"), "a criterion the workspace tests is no longer listed as not covered");

  const both = { ...USER_FRAMEWORK, notInScope: [{ id: "ACME-1", title: "t", reason: "r" }] };
  assert.match(workspaceError(workspace({ "controls/acme.json": JSON.stringify(both), "rules/r.yaml": USER_RULE })), /controls\/acme\.json: ACME-1 is both a control and listed under notInScope/);
  const twice = { ...USER_FRAMEWORK, notInScope: [{ id: "CC6.5", title: "Disposal", reason: "again" }] };
  assert.match(workspaceError(workspace({ "controls/acme.json": JSON.stringify(twice), "rules/r.yaml": USER_RULE })), /controls\/acme\.json: notInScope lists CC6\.5 twice \(already in soc2\)/);
  assert.match(workspaceError(workspace({}, "catalog:\n  scope: [CC8.1, CC6.4]\n")), /catalog\.scope: "CC6\.4" is not tested by this tool \(Physical access/);
});
