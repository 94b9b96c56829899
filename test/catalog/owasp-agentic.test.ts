import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadCatalog } from "../../src/catalog/index.ts";
import { parseConfigText } from "../../src/config.ts";
import { RULES_BY_ID } from "../../src/rules/index.ts";
import { pdfText } from "../helpers/pdf-text.ts";
import { copySmallSample, runCli } from "../helpers/workspace.ts";

/**
 * The OWASP Top 10 for Agentic Applications (December 2025 edition) as a third framework: data
 * only. The same code that reports SOC 2 and ISO 27001 reports it: controls, coverage, OSCAL, PDF.
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

test("a build with three frameworks reports the third in controls.csv, OSCAL and the PDF's coverage table", async (t) => {
  const ws = copySmallSample();
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const config = path.join(ws, "evidence.config.yaml");
  writeFileSync(config, readFileSync(config, "utf8").replace("frameworks: [soc2, iso27001]", "frameworks: [soc2, iso27001, owasp-agentic]"));
  const out = path.join(ws, "out");
  const r = runCli(["build", "--config", config, "--period", "2026-10", "--out", out, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const controls = readFileSync(path.join(out, "controls.csv"), "utf8");
  assert.deepEqual(controls.split("\r\n").filter((l) => l.startsWith("ASI")).map((l) => l.split(",").slice(0, 2).join(",")), LIST.map(([id]) => `${id},owasp-agentic`));
  assert.match(controls, /^ASI01,owasp-agentic,Agent Goal Hijack,manual,/m);
  const oscal = readFileSync(path.join(out, "assessment-results.json"), "utf8");
  for (const [id] of LIST) assert.ok(oscal.includes(`"${id}"`) || oscal.includes(id!.toLowerCase()), `OSCAL names ${id}`);
  const text = await pdfText(path.join(out, "report.pdf"));
  assert.match(text, /OWASP Top 10 for Agentic Applications\s+\d+ \/ 10\s+\d+%/);
});
