// One module per function: the package root loads all of date-fns (~1 s of every CLI start and every parsing worker's).
import { addDays } from "date-fns/addDays";
import { addMonths } from "date-fns/addMonths";
import { addQuarters } from "date-fns/addQuarters";
import { addYears } from "date-fns/addYears";
import { addWeeks } from "date-fns/addWeeks";
import { isValid } from "date-fns/isValid";
import { parseISO } from "date-fns/parseISO";
import { setISOWeek } from "date-fns/setISOWeek";
import { startOfISOWeek } from "date-fns/startOfISOWeek";
import { format } from "date-fns/format";
import { UsageError } from "./errors.ts";

/**
 * A reporting period: [start, end) as UTC instants, plus the label the user typed.
 * Times inside the store are UTC ISO strings, so `startIso <= time < endIso` selects the period.
 */
export interface Period {
  label: string;
  start: Date;
  end: Date;
  startIso: string;
  endIso: string;
  timezone: string;
}

export const PERIOD_FORMS = [
  "2026-10 (month)",
  "2026-Q4 (quarter)",
  "2026-H2 (half year)",
  "2026 (year)",
  "2026-W43 (ISO week)",
  "2026-10-01..2026-10-15 (inclusive date range)",
];

function fail(label: string, why: string): never {
  throw new UsageError(`invalid period "${label}": ${why}. Accepted forms: ${PERIOD_FORMS.join(", ")}`);
}

/** Parses a local calendar date (YYYY-MM-DD) strictly: 2026-02-30 is rejected, not rolled over. */
function strictDate(label: string, text: string): Date {
  const date = parseISO(text);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !isValid(date) || format(date, "yyyy-MM-dd") !== text) {
    fail(label, `"${text}" is not a calendar date`);
  }
  return date;
}

/** Local wall-clock bounds (in the process' own zone, used only as a calendar) for each accepted form. */
function localBounds(label: string): [Date, Date] {
  let m: RegExpMatchArray | null;
  if ((m = label.match(/^(\d{4})$/))) {
    const start = new Date(Number(m[1]), 0, 1);
    return [start, addYears(start, 1)];
  }
  if ((m = label.match(/^(\d{4})-(\d{2})$/))) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) fail(label, `month ${m[2]} is not 01-12`);
    const start = new Date(Number(m[1]), month - 1, 1);
    return [start, addMonths(start, 1)];
  }
  if ((m = label.match(/^(\d{4})-Q(\d)$/i))) {
    const q = Number(m[2]);
    if (q < 1 || q > 4) fail(label, `quarter Q${m[2]} is not Q1-Q4`);
    const start = new Date(Number(m[1]), (q - 1) * 3, 1);
    return [start, addQuarters(start, 1)];
  }
  if ((m = label.match(/^(\d{4})-H(\d)$/i))) {
    const h = Number(m[2]);
    if (h < 1 || h > 2) fail(label, `half H${m[2]} is not H1-H2`);
    const start = new Date(Number(m[1]), (h - 1) * 6, 1);
    return [start, addMonths(start, 6)];
  }
  if ((m = label.match(/^(\d{4})-W(\d{2})$/i))) {
    const year = Number(m[1]);
    const week = Number(m[2]);
    // ISO week-numbering year: Jan 4th is always in week 1.
    const start = startOfISOWeek(setISOWeek(new Date(year, 0, 4), week));
    if (week < 1 || setISOWeek(start, week).getTime() !== start.getTime() || format(start, "RRRR") !== String(year)) {
      fail(label, `week W${m[2]} does not exist in ${year}`);
    }
    return [start, addWeeks(start, 1)];
  }
  if ((m = label.match(/^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/))) {
    const start = strictDate(label, m[1]!);
    const last = strictDate(label, m[2]!);
    if (last < start) fail(label, "the range ends before it starts");
    return [start, addDays(last, 1)];
  }
  fail(label, "unrecognised form");
}

/** Converts a wall-clock time (taken from a local Date's fields) in `timeZone` to the UTC instant. */
function zonedWallTimeToUtc(local: Date, timeZone: string): Date {
  const wallAsUtc = Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes());
  // Offset of the zone at that instant; a second pass settles DST transitions.
  let guess = wallAsUtc;
  for (let i = 0; i < 2; i++) guess = wallAsUtc - zoneOffsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Parses a period label in the given IANA time zone (default UTC). Throws UsageError listing accepted forms. */
export function parsePeriod(label: string, timezone = "UTC"): Period {
  const trimmed = label.trim();
  if (!isValidTimeZone(timezone)) throw new UsageError(`invalid time zone "${timezone}"`);
  const [localStart, localEnd] = localBounds(trimmed);
  const start = zonedWallTimeToUtc(localStart, timezone);
  const end = zonedWallTimeToUtc(localEnd, timezone);
  return { label: trimmed, start, end, startIso: start.toISOString(), endIso: end.toISOString(), timezone };
}

/** The period immediately before `period`, of the same kind where the kind is calendar-based. */
export function previousPeriod(period: Period): Period | undefined {
  const l = period.label;
  let m: RegExpMatchArray | null;
  if ((m = l.match(/^(\d{4})-(\d{2})$/))) {
    const d = addMonths(new Date(Number(m[1]), Number(m[2]) - 1, 1), -1);
    return parsePeriod(format(d, "yyyy-MM"), period.timezone);
  }
  if ((m = l.match(/^(\d{4})-Q(\d)$/i))) {
    const d = addQuarters(new Date(Number(m[1]), (Number(m[2]) - 1) * 3, 1), -1);
    return parsePeriod(`${format(d, "yyyy")}-Q${Math.floor(d.getMonth() / 3) + 1}`, period.timezone);
  }
  if ((m = l.match(/^(\d{4})$/))) return parsePeriod(String(Number(m[1]) - 1), period.timezone);
  return undefined;
}
