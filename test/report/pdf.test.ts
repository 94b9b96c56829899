import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { loadPdfFonts } from "../../src/report/fonts.ts";
import { renderPdf } from "../../src/report/pdf.ts";
import { pdfLayout } from "../helpers/pdf-items.ts";
import { syntheticModel } from "../helpers/report-model.ts";

test("contents longer than a page get the pages they need, and their page numbers stay right", async () => {
  const model = syntheticModel({ controls: 120, findings: 240 });
  const layout = await pdfLayout(await renderPdf(model, { fonts: loadPdfFonts() }));
  const pages = layout.pages.map((p) => p.text);
  const contents = pages.filter((p, i) => i > 0 && i < 6 && /CTL\.\d+ Control number \d+\s+\d+/.test(p));
  assert.ok(contents.length >= 2, `contents span ${contents.length} pages`);
  assert.match(pages[1]!, /^Contents/m);
  for (const i of [0, 57, 119]) {
    const entry = contents.join("\n").match(new RegExp(`CTL\\.${i} Control number ${i}\\s+(\\d+)`));
    assert.ok(entry, `contents list CTL.${i}`);
    assert.match(pages[Number(entry[1]) - 1]!, new RegExp(`CTL\\.${i} Control number ${i}\\b`), `CTL.${i} is on page ${entry[1]}`);
  }
  assert.equal(layout.outline.filter((o) => o.startsWith("CTL.")).length, 120, "one bookmark per control");
});

test("the executive summary states the change from the previous period", async () => {
  const model = syntheticModel();
  const f = model.evaluation.findings[0]!;
  model.package = {
    previous: {
      previous: { buildId: "fedcba9876543210", period: "2026-09" },
      newFindings: [{ id: f.id, ruleId: f.ruleId, severity: f.severity, message: f.message, state: "open" }],
      fixedFindings: [{ id: "gone00000000", ruleId: "rule-0", severity: "high", message: "An old exception that no longer occurs.", state: "open" }],
      recurringFindings: [],
      statusChanges: [{ control: "CTL.1", from: "effective", to: "deficient" }],
      coverage: { current: model.evaluation.coverage.overall, previous: { tested: 1, inScope: 3, ratio: 1 / 3 }, delta: 2 / 3 },
    },
    inventory: [], permissions: [], destructiveByApproval: [], approvalKinds: [], weekly: [], weeklyDeduplicated: true, changeDetail: null, changeList: { total: 0, rows: [] }, gaps: [],
  };
  const text = (await pdfLayout(await renderPdf(model, { fonts: loadPdfFonts() }))).pages.map((p) => p.text).join("\n");
  assert.match(text, /Compared with\s+build fedcba9876543210 for 2026-09/);
  assert.match(text, /1\/3 \(33%\) then, 3\/3 \(100%\) now/);
  assert.match(text, /CTL\.1: effective → deficient/);
  assert.match(text, /fixed\s+high\s+An old exception that no longer occurs\./);
});

test("a model without package data or samples still renders every core section", async () => {
  const text = (await pdfLayout(await renderPdf(syntheticModel()))).pages.map((p) => p.text).join("\n");
  for (const s of ["1. Executive summary", "2. Scope and method", "3. Controls, tests and results", "4. AI agent activity", "5. Change management", "Appendix A. Evidence inventory"]) {
    assert.ok(text.includes(s), s);
  }
  assert.match(text, /No samples were drawn/);
});

test("an inventory of 600 source files stays complete and compact: one line per file under its folder, about 10 pages", async () => {
  const model = syntheticModel();
  model.sources = Array.from({ length: 600 }, (_, i) => {
    const sha = createHash("sha256").update(String(i)).digest("hex");
    return {
      id: i + 1, source: "cloudtrail", kind: "cloudtrail", sha256: sha, size: 2048 + i, parser: "cloudtrail-s3", parser_version: "1", context_hash: "x",
      path: `cloudtrail/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/${String((i % 31) + 1).padStart(2, "0")}/111122223333_CloudTrail_eu-west-1_20261001T0000Z_${sha.slice(0, 16)}.json.gz`,
      records_read: 100, accepted: 100, duplicates: 0, rejected: 0, redacted: 0, notes: null, ingested_at: "2026-11-01T00:00:00.000Z",
    };
  });
  const layout = await pdfLayout(await renderPdf(model, { fonts: loadPdfFonts() }));
  const text = layout.pages.map((p) => p.text).join("\n");
  for (const s of model.sources) assert.ok(text.includes(s.sha256), `SHA-256 of ${s.path} listed`);
  const first = layout.pages.findIndex((p) => p.text.includes("cloudtrail/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/01/"));
  assert.ok(first > 0, "files are grouped under their folder");
  const pages = layout.pages.length - first;
  assert.ok(pages <= 10, `600 files take ${pages} pages (one wrapped row per file took 34)`);
});
