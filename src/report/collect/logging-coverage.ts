import type { Evaluation } from "../../evaluate.ts";
import { LOGGING_THRESHOLDS, WINDOW_MINUTES, type CoverageFigures } from "../../rules/lib/logging-coverage.ts";
import { ruleRun } from "./rule-results.ts";

/**
 * Logging completeness per agent product and per person (logging-coverage.csv and the PDF block):
 * the rows are the rule agent-logging-complete's tested items for tools and people, with the
 * figures it measured and its verdict on each, so the table and findings.csv cannot disagree. Null
 * when the rule did not run on the inventory.
 */
export type LoggingCoverageRow = CoverageFigures & { result: "pass" | "exception" };

export interface LoggingCoverageReport {
  rows: LoggingCoverageRow[];
  workingDays: number[];
  minMissingWorkingDays: number;
  maxSilenceMinutes: number;
  graceMinutes: number;
  windowMinutes: number;
}

export function collectLoggingCoverage(evaluation: Evaluation): LoggingCoverageReport | null {
  const run = ruleRun(evaluation, "agent-logging-complete");
  if (!run?.items) return null;
  // Agent rows first, then person rows, each in the rule's order (products, then people, sorted).
  const rows = (scope: CoverageFigures["scope"]) =>
    run.items!.filter((i) => i.figures?.scope === scope).map((i): LoggingCoverageRow => ({ ...(i.figures as CoverageFigures), result: i.result }));
  return {
    rows: [...rows("agent"), ...rows("person")],
    workingDays: LOGGING_THRESHOLDS.workingDays, minMissingWorkingDays: LOGGING_THRESHOLDS.minMissingWorkingDays,
    maxSilenceMinutes: LOGGING_THRESHOLDS.maxSilenceBeforeActionMinutes, graceMinutes: LOGGING_THRESHOLDS.openSessionGraceMinutes, windowMinutes: WINDOW_MINUTES,
  };
}
