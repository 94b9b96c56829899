import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadCatalog } from "../../src/catalog/index.ts";
import { pdfText } from "../helpers/pdf-text.ts";
import { copySmallSample, runCli } from "../helpers/workspace.ts";

/** The OWASP agentic list as a third framework, through a whole build (its catalog: owasp-agentic.test.ts). */
const IDS = loadCatalog(["owasp-agentic"]).controls.map((c) => c.id);

test("a build with three frameworks reports the third in controls.csv, OSCAL and the PDF's coverage table", async (t) => {
  const ws = copySmallSample();
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const config = path.join(ws, "evidence.config.yaml");
  writeFileSync(config, readFileSync(config, "utf8").replace("frameworks: [soc2, iso27001]", "frameworks: [soc2, iso27001, owasp-agentic]"));
  const out = path.join(ws, "out");
  const r = runCli(["build", "--config", config, "--period", "2026-10", "--out", out, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const controls = readFileSync(path.join(out, "controls.csv"), "utf8");
  assert.deepEqual(controls.split("\r\n").filter((l) => l.startsWith("ASI")).map((l) => l.split(",").slice(0, 2).join(",")), IDS.map((id) => `${id},owasp-agentic`));
  assert.match(controls, /^ASI01,owasp-agentic,Agent Goal Hijack,manual,/m);
  const oscal = readFileSync(path.join(out, "assessment-results.json"), "utf8");
  for (const id of IDS) assert.ok(oscal.includes(`"${id}"`) || oscal.includes(id.toLowerCase()), `OSCAL names ${id}`);
  const text = await pdfText(path.join(out, "report.pdf"));
  assert.match(text, /OWASP Top 10 for Agentic Applications\s+\d+ \/ 10\s+\d+%/);
});
