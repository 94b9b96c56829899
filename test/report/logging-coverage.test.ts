import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import type { EvidenceEvent } from "../../src/event.ts";
import type { Evaluation } from "../../src/evaluate.ts";
import { collectLoggingCoverage } from "../../src/report/collect/logging-coverage.ts";
import { loadPdfFonts } from "../../src/report/fonts.ts";
import { loggingCoverageCsv } from "../../src/report/logging-coverage-csv.ts";
import { renderPdf } from "../../src/report/pdf.ts";
import agentLoggingComplete from "../../src/rules/agent-logging-complete.ts";
import { pdfLayout } from "../helpers/pdf-items.ts";
import { withRegisters } from "../helpers/registers.ts";
import { syntheticModel } from "../helpers/report-model.ts";
import { runRuleOn, seededStore } from "../helpers/rule-tester.ts";

/**
 * logging-coverage.csv and the PDF block from a real store: the counts and the rule's verdicts per
 * agent product and per person, the same in the CSV and the PDF.
 */
const INVENTORY = `tools:
  - { product: kiro, aliases: [kiro-operator], owner: sre@acme.example, environments: [non-production], permissionBoundary: { permitted: [read] } }
  - { product: claude-code, owner: team@acme.example, environments: [non-production], permissionBoundary: { permitted: [read] } }
`;
const session = (person: string, day: string, i: number): Partial<EvidenceEvent>[] => [
  { eventKey: `s${i}`, action: "session:SessionStart", actor: person, classes: [], command: null, sessionId: `s${i}`, time: `${day}T09:00:00.000Z` },
  { eventKey: `c${i}`, sessionId: `s${i}`, time: `${day}T09:05:00.000Z` },
];

test("logging coverage: CSV rows per agent product then per person, with the rule's verdicts; the PDF states the same", async (t) => {
  const db = seededStore({
    events: [
      ...["2026-10-12", "2026-10-13"].flatMap((d, i) => session("li@acme.example", d, i)),
      ...["2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08", "2026-10-09"].flatMap((d, i) => session("ana@acme.example", d, 10 + i)),
      { eventKey: "ct", sourceKind: "cloudtrail", actorKind: "agent", agentProduct: "kiro", agentId: "kiro-operator", action: "s3:ListBuckets", classes: ["read"], command: null, sessionId: null },
    ],
  });
  t.after(() => {
    db.close();
    rmSync(path.dirname(db.name), { recursive: true, force: true });
  });
  withRegisters(db, { aiTools: INVENTORY });
  const run = runRuleOn(agentLoggingComplete, db);
  const report = collectLoggingCoverage({ rules: [run] } as unknown as Evaluation);
  assert.ok(report);
  assert.equal(
    loggingCoverageCsv(report),
    [
      "scope,agent_product,person,records,days_with_records,days_in_period,active_weeks,working_days_without_records,silences_before_agent_action,silent_minutes,cut_off_sessions,cut_off_files,agent_identity_calls,calls_without_agent_log,result",
      "agent,claude-code,,14,7,31,,,0,0,0,0,0,0,pass",
      "agent,kiro,,0,0,31,,,0,0,0,0,1,1,exception",
      "person,claude-code,ana@acme.example,10,5,31,1,,0,0,0,,,,pass",
      "person,claude-code,li@acme.example,4,2,31,1,2026-10-14 2026-10-15 2026-10-16,0,0,0,,,,exception",
      "",
    ].join("\r\n"),
  );
  const model = { ...syntheticModel(), loggingCoverage: report };
  const text = (await pdfLayout(await renderPdf(model, { fonts: loadPdfFonts() }))).pages.map((p) => p.text).join("\n");
  assert.match(text, /Logging completeness per agent/);
  assert.match(text, /kiro\s+0\s+0 of 31\s+0\s+0\s+0\s+1\s+1\s+exception/);
  assert.match(text, /claude-code\s+li@acme\.example\s+4\s+2\s+1\s+3\s+0\s+0\s+exception/);
});

test("logging coverage: without the inventory the rule does not run, no CSV rows are made and the PDF says not tested", async (t) => {
  const db = seededStore({ events: [{}] });
  t.after(() => {
    db.close();
    rmSync(path.dirname(db.name), { recursive: true, force: true });
  });
  const run = runRuleOn(agentLoggingComplete, db);
  assert.equal(run.outcome, "no-evidence");
  assert.equal(collectLoggingCoverage({ rules: [run] } as unknown as Evaluation), null);
  const text = (await pdfLayout(await renderPdf({ ...syntheticModel(), loggingCoverage: null }, { fonts: loadPdfFonts() }))).pages.map((p) => p.text).join("\n");
  assert.match(text, /Not tested: agent-logging-complete did not run/);
});

test("logging coverage: every CSV row is one of the rule's tool or person items, its figures and verdict as the rule decided them", (t) => {
  const db = seededStore({ events: ["2026-10-12", "2026-10-13"].flatMap((d, i) => session("li@acme.example", d, i)) });
  t.after(() => {
    db.close();
    rmSync(path.dirname(db.name), { recursive: true, force: true });
  });
  withRegisters(db, { aiTools: INVENTORY });
  const run = runRuleOn(agentLoggingComplete, db);
  // Records written after the rule ran do not reach the table: it lays out the rule's run, it does not query the store.
  db.prepare("DELETE FROM events").run();
  const report = collectLoggingCoverage({ rules: [run] } as unknown as Evaluation)!;
  const items = run.items!.filter((i) => i.key.startsWith("tool:") || i.key.startsWith("person:"));
  assert.deepEqual(report.rows, items.map((i) => ({ ...i.figures, result: i.result })));
  assert.deepEqual(report.rows.map((r) => `${r.scope} ${r.agentProduct} ${r.person} ${r.records} ${r.result}`), [
    "agent claude-code  4 pass", "agent kiro  0 exception", "person claude-code li@acme.example 4 exception",
  ]);
});
