import type { Db } from "./index.ts";

/**
 * Which UTC days of a period hold records of a daily source. An empty population proves the
 * activity did not happen only when its source demonstrably covers the period: a day without any
 * record may be a day the logs were lost, not a quiet day.
 */
export interface PeriodWindow {
  startIso: string;
  endIso: string;
  end: Date;
}

/** The UTC calendar days the period touches, oldest first. */
export function periodDays(period: PeriodWindow): string[] {
  const out: string[] = [];
  for (let t = Date.parse(period.startIso.slice(0, 10)); t < period.end.getTime(); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Daily data sources and the UTC days on which they hold records (stored rows and, for CloudTrail, counted calls). */
const DAYS_SQL = {
  "agent-log": "SELECT DISTINCT substr(time, 1, 10) AS day FROM events WHERE source_kind = 'agent-log' AND time >= :start AND time < :end",
  cloudtrail: "SELECT DISTINCT substr(time, 1, 10) AS day FROM cloudtrail_activity WHERE time >= :start AND time < :end",
} as const;

export type DailySource = keyof typeof DAYS_SQL;

export function isDailySource(source: string): source is DailySource {
  return Object.hasOwn(DAYS_SQL, source);
}

export function daysWithRecords(db: Db, source: DailySource, period: PeriodWindow): Set<string> {
  const rows = db.prepare(DAYS_SQL[source]).all({ start: period.startIso, end: period.endIso }) as { day: string }[];
  return new Set(rows.map((r) => r.day));
}
