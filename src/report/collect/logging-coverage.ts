import type { Evaluation } from "../../evaluate.ts";
import type { Period } from "../../period.ts";
import { loggingCoverage } from "../../rules/lib/logging-coverage.ts";
import type { Db } from "../../store/index.ts";

/**
 * Logging completeness per agent product and per person (logging-coverage.csv and the PDF block):
 * the counts come from the same computation the rule agent-logging-complete judges
 * (src/rules/lib/logging-coverage.ts), and each row's verdict is the rule's own item verdict, so
 * the table and findings.csv cannot disagree. Null when the rule did not run on the inventory.
 */
export interface LoggingCoverageRow {
  scope: "agent" | "person";
  agentProduct: string;
  /** The person behind the sessions (the e-mail or user their session records name); empty for an agent row. */
  person: string;
  records: number;
  daysWithRecords: number;
  daysInPeriod: number;
  /** Person rows: ISO weeks with records, and the working days of those weeks without one. */
  activeWeeks: number | null;
  missingWorkingDays: string[];
  /** Agent rows: CloudTrail calls by the tool's agent identities, and those no agent-log record accounts for. */
  agentIdentityCalls: number | null;
  callsWithoutAgentLog: number | null;
  result: "pass" | "exception";
}

export interface LoggingCoverageReport {
  rows: LoggingCoverageRow[];
  workingDays: number[];
  minMissingWorkingDays: number;
  windowMinutes: number;
}

export function collectLoggingCoverage(db: Db, period: Period, evaluation: Evaluation): LoggingCoverageReport | null {
  const run = evaluation.rules.find((r) => r.id === "agent-logging-complete");
  if (!run?.items) return null;
  const verdict = new Map(run.items.map((i) => [i.key, i.result]));
  const params = { start: period.startIso, end: period.endIso };
  const cov = loggingCoverage((sql, extra) => db.prepare(sql).all({ ...params, ...extra }) as never, period);
  const rows: LoggingCoverageRow[] = [
    ...cov.tools.map((t): LoggingCoverageRow => ({
      scope: "agent", agentProduct: t.product, person: "", records: t.records, daysWithRecords: t.days, daysInPeriod: cov.daysInPeriod, activeWeeks: null,
      missingWorkingDays: [], agentIdentityCalls: t.agentCalls, callsWithoutAgentLog: t.unloggedCalls,
      result: verdict.get(`tool:${t.product}`) === "exception" || t.unloggedCalls > 0 ? "exception" : "pass",
    })),
    ...cov.people.map((p): LoggingCoverageRow => ({
      scope: "person", agentProduct: p.tool, person: p.person, records: p.records, daysWithRecords: p.days.length, daysInPeriod: cov.daysInPeriod,
      activeWeeks: p.activeWeeks.length, missingWorkingDays: p.missing, agentIdentityCalls: null, callsWithoutAgentLog: null,
      result: verdict.get(`person:${p.tool}:${p.person}`) ?? "pass",
    })),
  ];
  return { rows, workingDays: cov.workingDays, minMissingWorkingDays: cov.minMissingWorkingDays, windowMinutes: cov.windowMinutes };
}
