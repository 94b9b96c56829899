import type { ControlStatus, Coverage, Evaluation } from "./evaluate.ts";
import { previousPeriod, type Period } from "./period.ts";
import type { Db } from "./store/index.ts";
import { repositoryLocations, type RepositoryLocation } from "./repository-locations.ts";

/**
 * Build history: every build stores its results by period (the `builds` table), and later builds,
 * the report and `evidence check` compare periods from here: new, fixed and recurring findings,
 * control status changes and the coverage trend. Pure functions over stored JSON plus two small
 * queries; nothing is re-evaluated.
 */
export interface StoredFinding {
  id: string;
  ruleId: string;
  severity: string;
  controlIds: string[];
  subject?: string;
  message: string;
  /** Absent in builds stored before acceptances existed: read as open. */
  state?: "open" | "accepted";
  acceptance?: { id: string; status: string; expires: string };
  /** Evidence in files a repository keeps (settings, IAM policies, registers), for SARIF; absent in older builds. */
  locations?: RepositoryLocation[];
}

export interface StoredResults {
  coverage: Evaluation["coverage"];
  controls: {
    id: string; framework: string; title?: string; status: ControlStatus; reason?: string; findings: number; openFindings?: number; acceptedFindings?: number;
    /** Rules that reached a verdict out of the control's rules; absent in older builds. */
    coverage?: { rules: number; sufficient: number };
    /** Gaps in the populations its rules read (sources that stopped early); absent or empty when complete. */
    incomplete?: string[];
  }[];
  findings: StoredFinding[];
  acceptances?: { id: string; status: string; expires: string; findings: number }[];
}

export interface StoredBuild {
  buildId: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  createdSeq: number;
  results: StoredResults;
}

const locationsField = (evidence: Evaluation["findings"][number]["evidence"]) => {
  const locations = repositoryLocations(evidence);
  return locations.length ? { locations } : {};
};

/** What a build keeps of an evaluation: enough to compare periods and to gate CI without re-evaluating. */
export function resultsOf(evaluation: Evaluation): StoredResults {
  return {
    coverage: evaluation.coverage,
    controls: evaluation.controls.map((c) => ({
      id: c.id, framework: c.framework, title: c.title, status: c.status, reason: c.reason, findings: c.findings, openFindings: c.openFindings, acceptedFindings: c.acceptedFindings,
      coverage: c.coverage,
      ...(c.incomplete.length ? { incomplete: c.incomplete } : {}),
    })),
    findings: evaluation.findings.map((f) => ({
      id: f.id, ruleId: f.ruleId, severity: f.severity, controlIds: f.controlIds, subject: f.subject, message: f.message, state: f.state,
      ...(f.acceptance ? { acceptance: { id: f.acceptance.id, status: f.acceptance.status, expires: f.acceptance.expires } } : {}),
      ...locationsField(f.evidence),
    })),
    acceptances: evaluation.acceptances.map((a) => ({ id: a.id, status: a.status, expires: a.expires, findings: a.findings })),
  };
}

interface BuildRow { build_id: string; period: string; period_start: string; period_end: string; created_seq: number; results: string }
const toBuild = (r: BuildRow): StoredBuild => ({
  buildId: r.build_id, period: r.period, periodStart: r.period_start, periodEnd: r.period_end, createdSeq: r.created_seq, results: JSON.parse(r.results) as StoredResults,
});
const COLUMNS = "build_id, period, period_start, period_end, created_seq, results";

/** The latest stored build of a period label. */
export function latestBuild(db: Db, periodLabel: string): StoredBuild | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM builds WHERE period = ? ORDER BY created_seq DESC LIMIT 1`).get(periodLabel) as BuildRow | undefined;
  return row ? toBuild(row) : undefined;
}

/**
 * The build to compare a period with: the latest build of the calendar period just before it
 * (2026-09 for 2026-10, 2026-Q3 for 2026-Q4), else the latest build of any period that ended by
 * this one's start.
 */
export function previousBuild(db: Db, period: Period): StoredBuild | undefined {
  const label = previousPeriod(period)?.label;
  if (label) {
    const exact = latestBuild(db, label);
    if (exact) return exact;
  }
  const row = db
    .prepare(`SELECT ${COLUMNS} FROM builds WHERE period_end <= ? AND period <> ? ORDER BY period_end DESC, created_seq DESC LIMIT 1`)
    .get(period.startIso, period.label) as BuildRow | undefined;
  return row ? toBuild(row) : undefined;
}

export interface FindingChange {
  id: string;
  ruleId: string;
  severity: string;
  message: string;
  state: "open" | "accepted";
}

export interface Comparison {
  previous: { buildId: string; period: string } | null;
  newFindings: FindingChange[];
  fixedFindings: FindingChange[];
  recurringFindings: FindingChange[];
  statusChanges: { control: string; from: ControlStatus; to: ControlStatus }[];
  coverage: { current: Coverage; previous: Coverage | null; delta: number | null };
}

const change = (f: StoredFinding): FindingChange => ({ id: f.id, ruleId: f.ruleId, severity: f.severity, message: f.message, state: f.state ?? "open" });

/** New, fixed and recurring findings (by finding id: rule, subject and message) and status changes. Pure. */
export function compareResults(current: StoredResults, previous: StoredBuild | undefined): Comparison {
  const before = new Map((previous?.results.findings ?? []).map((f) => [f.id, f]));
  const now = new Map(current.findings.map((f) => [f.id, f]));
  const statusBefore = new Map((previous?.results.controls ?? []).map((c) => [c.id, c.status]));
  const prevCoverage = previous?.results.coverage.overall ?? null;
  return {
    previous: previous ? { buildId: previous.buildId, period: previous.period } : null,
    newFindings: previous ? current.findings.filter((f) => !before.has(f.id)).map(change) : [],
    fixedFindings: [...before.values()].filter((f) => !now.has(f.id)).map(change),
    recurringFindings: current.findings.filter((f) => before.has(f.id)).map(change),
    statusChanges: current.controls
      .filter((c) => statusBefore.has(c.id) && statusBefore.get(c.id) !== c.status)
      .map((c) => ({ control: c.id, from: statusBefore.get(c.id)!, to: c.status })),
    coverage: { current: current.coverage.overall, previous: prevCoverage, delta: prevCoverage ? current.coverage.overall.ratio - prevCoverage.ratio : null },
  };
}

/** Compares results (stored or about to be) with the previous period's build. */
export function compareWithPrevious(db: Db, period: Period, current: StoredResults): Comparison {
  return compareResults(current, previousBuild(db, period));
}

/** The kind of a period label, so a trend does not mix months with quarters. */
export function periodKind(label: string): string {
  if (/^\d{4}-\d{2}$/.test(label)) return "month";
  if (/^\d{4}-Q\d$/i.test(label)) return "quarter";
  if (/^\d{4}-H\d$/i.test(label)) return "half";
  if (/^\d{4}$/.test(label)) return "year";
  if (/^\d{4}-W\d{2}$/i.test(label)) return "week";
  return "range";
}

export interface TrendPoint {
  period: string;
  periodEnd: string;
  buildId: string;
  coverage: Coverage;
  openFindings: number;
  acceptedFindings: number;
}

/** Coverage per period (the latest build of each), oldest first, for periods of the same kind ending by `until`. */
export function coverageTrend(db: Db, period: Period, limit = 12): TrendPoint[] {
  const rows = db
    .prepare(
      `SELECT ${COLUMNS} FROM builds b WHERE period_end <= :until
         AND created_seq = (SELECT max(created_seq) FROM builds x WHERE x.period = b.period)
       ORDER BY period_end DESC`,
    )
    .all({ until: period.endIso }) as BuildRow[];
  const kind = periodKind(period.label);
  return rows
    .filter((r) => periodKind(r.period) === kind)
    .slice(0, limit)
    .reverse()
    .map((r) => {
      const b = toBuild(r);
      return {
        period: b.period, periodEnd: b.periodEnd, buildId: b.buildId, coverage: b.results.coverage.overall,
        openFindings: b.results.findings.filter((f) => (f.state ?? "open") === "open").length,
        acceptedFindings: b.results.findings.filter((f) => f.state === "accepted").length,
      };
    });
}

/** The most recent build of any period: its row id, build id and period (the rebuild check starts here). */
export function newestBuild(db: Db): { id: number; buildId: string; period: string } | undefined {
  const row = db.prepare("SELECT id, build_id, period FROM builds ORDER BY created_seq DESC LIMIT 1").get() as { id: number; build_id: string; period: string } | undefined;
  return row ? { id: row.id, buildId: row.build_id, period: row.period } : undefined;
}

/** One build's stored results, read only when needed: a month's results can be tens of megabytes of JSON. */
export function buildResults(db: Db, id: number): StoredResults {
  return JSON.parse((db.prepare("SELECT results FROM builds WHERE id = ?").get(id) as { results: string }).results) as StoredResults;
}
