import type { Evaluation } from "../../evaluate.ts";
import type { Period } from "../../period.ts";
import type { Db } from "../../store/index.ts";
import type { ReportMeta, ReportModel, ReportScope } from "../model.ts";
import { agentActionGroups, collectReportData } from "./activity.ts";
import { collectCompensating } from "./compensating.ts";
import { collectLoggingCoverage } from "./logging-coverage.ts";
import { collectHookChains } from "./hook-chains.ts";
import { collectPackageData } from "./package-data.ts";
import { topRisks } from "./top-risks.ts";

/** Risks listed in the executive summary; findings.csv has them all. */
const TOP_RISKS = 10;
import { collectTimeline } from "./timeline.ts";

/**
 * The one place the report's data comes from: every query the package's statements rest on runs
 * here, once, over the store and the evaluation. Renderers (PDF sections, CSVs, memos, OSCAL,
 * SARIF, JUnit, Markdown) are functions of the model this returns; only the population CSVs and
 * the samples drawn from rule items are streamed apart, by report/index.ts.
 */
export function collectReport(
  db: Db, period: Period, evaluation: Evaluation, scope: ReportScope, meta: ReportMeta, workspaceFiles: { path: string; sha256: string }[] = [],
): ReportModel {
  // One pass over the period's agent actions serves the activity summary and the approval tables.
  const agentGroups = agentActionGroups(db, period);
  return {
    meta,
    compensating: collectCompensating(evaluation),
    topRisks: topRisks(evaluation, TOP_RISKS),
    workspaceFiles,
    firstSeen: firstSeenPeriods(db, period, evaluation),
    scope,
    evaluation,
    ...collectReportData(db, period, evaluation, agentGroups),
    loggingCoverage: collectLoggingCoverage(evaluation),
    timeline: collectTimeline(db, evaluation),
    package: collectPackageData(db, period, evaluation, agentGroups),
    hookChains: collectHookChains(db),
  };
}

/**
 * For each finding, the earliest period whose recorded build already had it (the id is rule,
 * subject and message, so a recurring finding keeps its id); this period when none did.
 */
function firstSeenPeriods(db: Db, period: Period, evaluation: Evaluation): Record<string, string> {
  const builds = db
    .prepare("SELECT period, results FROM builds WHERE period_start < ? ORDER BY period_start, created_seq")
    .all(period.startIso) as { period: string; results: string }[];
  const first = new Map<string, string>();
  for (const b of builds) {
    const results = JSON.parse(b.results) as { findings?: { id: string }[] };
    for (const f of results.findings ?? []) if (!first.has(f.id)) first.set(f.id, b.period);
  }
  return Object.fromEntries(evaluation.findings.map((f) => [f.id, first.get(f.id) ?? period.label]));
}
