import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalog } from "../../src/catalog/index.ts";
import { parseConfigText } from "../../src/config.ts";
import { RULES_BY_ID } from "../../src/rules/index.ts";

/**
 * The OWASP Top 10 for Agentic Applications (December 2025 edition) as a third framework: data
 * only. The same code that reports SOC 2 and ISO 27001 reports it: controls, coverage, OSCAL, PDF
 * (the build through the CLI is in owasp-agentic-build.test.ts, an e2e test).
 */
const catalog = loadCatalog(["owasp-agentic"]);
// The list's own ids and short titles (genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/).
const LIST = [
  ["ASI01", "Agent Goal Hijack"], ["ASI02", "Tool Misuse and Exploitation"], ["ASI03", "Identity and Privilege Abuse"],
  ["ASI04", "Agentic Supply Chain Vulnerabilities"], ["ASI05", "Unexpected Code Execution (RCE)"], ["ASI06", "Memory & Context Poisoning"],
  ["ASI07", "Insecure Inter-Agent Communication"], ["ASI08", "Cascading Failures"], ["ASI09", "Human-Agent Trust Exploitation"], ["ASI10", "Rogue Agents"],
];

test("the catalog holds the ten risks once each, with their ids and titles, and cites its source", () => {
  assert.deepEqual(catalog.controls.map((c) => [c.id, c.title]), LIST);
  const fw = catalog.frameworks[0]!;
  assert.equal(fw.framework, "owasp-agentic");
  assert.match(fw.description ?? "", /https:\/\/genai\.owasp\.org\/resource\/owasp-top-10-for-agentic-applications-for-2026\//);
});

test("mapped risks name existing rules; the others are MANUAL with a reason and what to attach", () => {
  for (const c of catalog.controls) {
    for (const r of c.rules) assert.ok(RULES_BY_ID.has(r), `${c.id} maps unknown rule ${r}`);
    if (c.rules.length) assert.equal(c.attach, undefined, c.id);
    else assert.ok((c.manualReason ?? "").length > 20 && (c.attach ?? []).length > 0, c.id);
  }
  const mapped = (id: string) => catalog.controls.find((c) => c.id === id)!.rules;
  assert.ok(mapped("ASI02").includes("agent-destructive-actions-human-approved"), "tool misuse: destructive actions confirmed");
  assert.ok(mapped("ASI03").includes("iam-agent-escalation-paths-absent"), "privilege abuse: escalation paths");
  assert.ok(mapped("ASI10").includes("agent-hook-log-chain-intact"), "rogue agents: tamper-evident logs");
});

test("report.frameworks accepts owasp-agentic beside the others and still refuses an unknown one", () => {
  const ok = parseConfigText("organisation: { name: T }\nreport: { frameworks: [soc2, iso27001, owasp-agentic] }\nsources: []\n", "t.yaml");
  assert.deepEqual(ok.report.frameworks, ["soc2", "iso27001", "owasp-agentic"]);
  assert.throws(() => parseConfigText("organisation: { name: T }\nreport: { frameworks: [owasp-llm] }\nsources: []\n", "t.yaml"), /t\.yaml.*frameworks/s);
});
