import type { LoggingCoverageReport } from "./collect/logging-coverage.ts";
import { renderCsv } from "./csv.ts";

/** logging-coverage.csv: one row per inventoried agent product, then one per product and person (rows sorted by the rule). */
const COLUMNS = [
  "scope", "agent_product", "person", "records", "days_with_records", "days_in_period", "active_weeks", "working_days_without_records",
  "silences_before_agent_action", "silent_minutes", "cut_off_sessions", "cut_off_files", "agent_identity_calls", "calls_without_agent_log", "result",
];

export function loggingCoverageCsv(report: LoggingCoverageReport): string {
  return renderCsv(COLUMNS, report.rows.map((r) => [
    r.scope, r.agentProduct, r.person, r.records, r.daysWithRecords, r.daysInPeriod, r.activeWeeks, r.missingWorkingDays.join(" "),
    r.silences, r.silentMinutes, r.cutOffSessions, r.cutOffFiles, r.agentIdentityCalls, r.callsWithoutAgentLog, r.result,
  ]));
}
