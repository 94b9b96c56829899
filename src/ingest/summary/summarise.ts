import type { EvidenceEvent, SummaryRecord } from "../../event.ts";
import type { DayBucket } from "./day.ts";
import { keepsFullRow, type StoragePolicy } from "./policy.ts";

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
 * Folds one file's CloudTrail calls that no check reads one by one into counts per principal x
 * action x day (plus account, region, outcome, classes, category and type, the columns rules group
 * by), keeping each group's first and last time and the record numbers, so an auditor can still
 * pull any original record from the file named by the row. Calls the policy keeps are left to the
 * caller. A repeated eventID within the file is a duplicate, as a stored row's would be.
 */
export class FileSummariser {
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
    const eventId = str(e.attrs.eventId);
    if (eventId) {
      if (this.ids.has(eventId)) {
        this.duplicates++;
        return true;
      }
      if (this.ids.size < MAX_TRACKED_IDS) this.ids.add(eventId);
      else this.untrackedFrom ??= e.locator;
    }
    const { day, dayStart } = this.dayOf(e.time);
    const classes = e.classes.length > 1 ? [...new Set(e.classes)].sort().join(" ") : e.classes.join(" ");
    const identityType = str(e.attrs.identityType);
    const roleArn = str(e.attrs.roleArn);
    const eventCategory = str(e.attrs.eventCategory);
    const eventType = str(e.attrs.eventType);
    const key = [day, e.actor, e.actorKind, identityType, roleArn, e.action, classes, e.outcome, e.account, e.region, e.environment, eventCategory, eventType].join("\u0001");
    let g = this.groups.get(key);
    if (!g) {
      g = {
        row: {
          sourceKind: "cloudtrail", day, dayStart, actor: e.actor, actorKind: e.actorKind, identityType, roleArn, action: e.action, classes, outcome: e.outcome,
          account: e.account, region: e.region, environment: e.environment, eventCategory, eventType, n: 0, firstTime: e.time, lastTime: e.time, locators: "",
        },
        numbers: new Map(),
        other: [],
      };
      this.groups.set(key, g);
    }
    const r = g.row;
    r.n++;
    if (e.time < r.firstTime) r.firstTime = e.time;
    if (e.time > r.lastTime) r.lastTime = e.time;
    const space = e.locator.lastIndexOf(" ");
    const n = space > 0 ? Number(e.locator.slice(space + 1)) : NaN;
    if (Number.isInteger(n) && n >= 0) {
      const word = e.locator.slice(0, space);
      const list = g.numbers.get(word);
      if (list) list.push(n);
      else g.numbers.set(word, [n]);
    } else g.other.push(e.locator);
    return true;
  }

  /** The counts, in the order their groups first appeared (deterministic for a given file). */
  rows(): SummaryRecord[] {
    return [...this.groups.values()].map((g) => {
      const parts = [...g.numbers].map(([word, list]) => `${word} ${compressRanges(list)}`);
      return { ...g.row, locators: [...parts, ...g.other].join("; ") };
    });
  }
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
