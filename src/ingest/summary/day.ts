import { parsePeriod } from "../../period.ts";

export interface DayBucket {
  /** Calendar day in the report time zone, YYYY-MM-DD. */
  day: string;
  /** UTC instant that day starts. Periods are whole days in the same zone, so `day_start` in [start, end) selects a day exactly. */
  dayStart: string;
}

/**
 * Maps UTC ISO times to their calendar day in `timezone`. Summaries are counted per day of the
 * zone reports are read in, not per UTC day: a month in Europe/Berlin starts at 22:00 or 23:00 UTC,
 * and a UTC-day count could not be split there. Every zone offset in use is a multiple of 15
 * minutes, so the answer is cached per quarter hour: a month of records costs ~3,000 look-ups.
 */
export function dayBucketer(timezone: string): (iso: string) => DayBucket {
  if (timezone === "UTC" || timezone === "Etc/UTC") {
    let last: DayBucket = { day: "", dayStart: "" };
    return (iso) => {
      const day = iso.slice(0, 10);
      if (day !== last.day) last = { day, dayStart: `${day}T00:00:00.000Z` };
      return last;
    };
  }
  const format = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" });
  const slots = new Map<string, DayBucket>();
  const starts = new Map<string, string>();
  return (iso) => {
    const slot = `${iso.slice(0, 14)}${Math.floor(Number(iso.slice(14, 16)) / 15)}`;
    let bucket = slots.get(slot);
    if (!bucket) {
      const minute = Number(iso.slice(14, 16)) - (Number(iso.slice(14, 16)) % 15);
      const day = format.format(new Date(`${iso.slice(0, 14)}${String(minute).padStart(2, "0")}:00.000Z`));
      let dayStart = starts.get(day);
      if (!dayStart) starts.set(day, (dayStart = dayStartOf(day, timezone)));
      bucket = { day, dayStart };
      if (slots.size > 100_000) slots.clear();
      slots.set(slot, bucket);
    }
    return bucket;
  };
}

/** The UTC instant a calendar day (YYYY-MM-DD) starts in `timezone`. */
export function dayStartOf(day: string, timezone: string): string {
  return timezone === "UTC" || timezone === "Etc/UTC" ? `${day}T00:00:00.000Z` : parsePeriod(`${day}..${day}`, timezone).startIso;
}
