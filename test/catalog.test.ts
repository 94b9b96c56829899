import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { loadCatalog } from "../src/catalog/index.ts";
import { RULES, RULES_BY_ID } from "../src/rules/index.ts";
import { REPO_ROOT } from "./helpers/workspace.ts";

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
