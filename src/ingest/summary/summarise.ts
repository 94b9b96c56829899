import type { CountColumns, EvidenceEvent, Outcome, SummaryRecord } from "../../event.ts";
import type { DayBucket } from "./day.ts";
import { keepsCall, keepsFullRow, type StoragePolicy } from "./policy.ts";

export type { SummaryRecord } from "../../event.ts";

interface Group {
  row: SummaryRecord;
  /** Record numbers per locator word ("record", "line"), in reading order. */
  numbers: Map<string, number[]>;
  /** Locators that are not "<word> <number>" (none from today's parsers; kept verbatim). */
  other: string[];
}

/**
 * Past this many distinct eventIDs in one file, repeats are no longer looked for (a note says so):
 * the set is the only per-record memory summarising keeps. S3 delivery files hold a few thousand
 * records; only a merged export streamed record by record gets near it.
 */
export const MAX_TRACKED_IDS = 1_000_000;

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/**
 * What a count reads of one call: the event's grouping columns, its eventID and where it is. The
 * CloudTrail parser's fast path fills it straight from the record (src/ingest/cloudtrail/counted.ts);
 * `add` fills it from an event. `classes` is sorted and deduplicated, joined by spaces.
 */
export interface CountedCall extends CountColumns {
  time: string;
  eventId: string | null;
  /** The record's number in its document, the locator's number when `locator` is undefined ("record <index>"). */
  index: number;
  locator: string | undefined;
}

/** What the CloudTrail parser's fast path needs of the file's summariser (handed over in ParserInput.counter). */
export interface CallCounter {
  /** True when a call with these fields must stay a row (see keepsCall). */
  keeps(outcome: Outcome, actorKind: string, classes: readonly string[], action: string, identityType: string | null): boolean;
  /** Counts a call the policy does not keep. */
  count(c: CountedCall): void;
}

/**
 * Folds one file's CloudTrail calls that no check reads one by one into counts per principal x
 * action x day (plus account, region, outcome, classes, category and type, the columns rules group
 * by), keeping each group's first and last time and the record numbers, so an auditor can still
 * pull any original record from the file named by the row. Calls the policy keeps are left to the
 * caller. A repeated eventID within the file is a duplicate, as a stored row's would be.
 */
export class FileSummariser implements CallCounter {
  private readonly groups = new Map<string, Group>();
  private readonly ids = new Set<string>();
  duplicates = 0;
  /** Set when MAX_TRACKED_IDS was reached: repeats after that record are counted, not recognised. */
  untrackedFrom: string | null = null;

  constructor(
    private readonly policy: StoragePolicy,
    private readonly dayOf: (iso: string) => DayBucket,
  ) {}

  /** True when the event was counted here (the caller must not store it as a row). */
  add(e: EvidenceEvent): boolean {
    if (e.sourceKind !== "cloudtrail" || keepsFullRow(e, this.policy)) return false;
    this.count({
      time: e.time, actor: e.actor, actorKind: e.actorKind, identityType: str(e.attrs.identityType), roleArn: str(e.attrs.roleArn), action: e.action,
      classes: e.classes.length > 1 ? [...new Set(e.classes)].sort().join(" ") : e.classes.join(" "), outcome: e.outcome, account: e.account,
      region: e.region, environment: e.environment, eventCategory: str(e.attrs.eventCategory), eventType: str(e.attrs.eventType), eventId: str(e.attrs.eventId),
      index: -1, locator: e.locator,
    });
    return true;
  }

  keeps(outcome: Outcome, actorKind: string, classes: readonly string[], action: string, identityType: string | null): boolean {
    return keepsCall(outcome, actorKind, classes, action, identityType, this.policy);
  }

  count(c: CountedCall): void {
    if (c.eventId) {
      if (this.ids.has(c.eventId)) {
        this.duplicates++;
        return;
      }
      if (this.ids.size < MAX_TRACKED_IDS) this.ids.add(c.eventId);
      else this.untrackedFrom ??= c.locator ?? `record ${c.index}`;
    }
    const { day, dayStart } = this.dayOf(c.time);
    const key = `${day}\u0001${c.actor ?? ""}\u0001${c.actorKind}\u0001${c.identityType ?? ""}\u0001${c.roleArn ?? ""}\u0001${c.action}\u0001${c.classes}\u0001${c.outcome}\u0001${c.account ?? ""}\u0001${c.region ?? ""}\u0001${c.environment}\u0001${c.eventCategory ?? ""}\u0001${c.eventType ?? ""}`;
    let g = this.groups.get(key);
    if (!g) {
      g = {
        row: {
          sourceKind: "cloudtrail", day, dayStart, actor: c.actor, actorKind: c.actorKind, identityType: c.identityType, roleArn: c.roleArn, action: c.action,
          classes: c.classes, outcome: c.outcome, account: c.account, region: c.region, environment: c.environment, eventCategory: c.eventCategory,
          eventType: c.eventType, n: 0, firstTime: c.time, lastTime: c.time, locators: "",
        },
        numbers: new Map(),
        other: [],
      };
      this.groups.set(key, g);
    }
    const r = g.row;
    r.n++;
    if (c.time < r.firstTime) r.firstTime = c.time;
    if (c.time > r.lastTime) r.lastTime = c.time;
    if (c.locator === undefined) {
      pushNumber(g.numbers, "record", c.index);
      return;
    }
    const space = c.locator.lastIndexOf(" ");
    const n = space > 0 ? Number(c.locator.slice(space + 1)) : NaN;
    if (Number.isInteger(n) && n >= 0) pushNumber(g.numbers, c.locator.slice(0, space), n);
    else g.other.push(c.locator);
  }

  /** The counts, in the order their groups first appeared (deterministic for a given file). */
  rows(): SummaryRecord[] {
    return [...this.groups.values()].map((g) => {
      const parts = [...g.numbers].map(([word, list]) => `${word} ${compressRanges(list)}`);
      return { ...g.row, locators: [...parts, ...g.other].join("; ") };
    });
  }
}

function pushNumber(numbers: Map<string, number[]>, word: string, n: number): void {
  const list = numbers.get(word);
  if (list) list.push(n);
  else numbers.set(word, [n]);
}

/** [3, 4, 5, 17, 9] -> "3-5,9,17". */
export function compressRanges(numbers: number[]): string {
  const sorted = [...numbers].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! <= sorted[j]! + 1) j++;
    out.push(sorted[i] === sorted[j] ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

/** Expands "record 3-5,17; line 2" back into locators, for an auditor's tooling and the tests. */
export function expandLocators(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split("; ")) {
    const m = /^(.*) ([\d,-]+)$/.exec(part);
    if (!m) {
      if (part) out.push(part);
      continue;
    }
    for (const range of m[2]!.split(",")) {
      const [a, b] = range.split("-").map(Number) as [number, number | undefined];
      for (let i = a; i <= (b ?? a); i++) out.push(`${m[1]} ${i}`);
    }
  }
  return out;
}
