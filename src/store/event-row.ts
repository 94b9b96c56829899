import type { EvidenceEvent } from "../event.ts";

/**
 * An event as the `events` table stores it: its column values in EVENT_COLUMNS order, with classes
 * sorted and deduplicated, `destructive` derived and attrs as JSON. Parsing workers build rows, so
 * the single SQLite writer only binds them, and an array of plain values crosses the thread
 * boundary for less than the object it came from.
 */
export const EVENT_COLUMNS = [
  "source_kind", "event_key", "time", "actor", "actor_kind", "agent_id", "agent_product", "session_id", "action", "classes", "destructive",
  "target", "environment", "outcome", "approval", "approval_evidence", "command", "account", "region", "locator", "attrs",
] as const;

export type EventRow = unknown[];

/** The identity the `events` table is unique on: a row's first two columns. */
export function rowKey(row: EventRow): { sourceKind: string; eventKey: string } {
  return { sourceKind: row[0] as string, eventKey: row[1] as string };
}

/** The position of `attrs`, the one column holding JSON. */
export const ATTRS_COLUMN = EVENT_COLUMNS.indexOf("attrs");

export function eventRow(e: EvidenceEvent): EventRow {
  const classes = e.classes.length > 1 ? [...new Set(e.classes)].sort() : e.classes;
  const destructive = classes.includes("destructive") || classes.includes("irreversible") ? 1 : 0;
  return [
    e.sourceKind, e.eventKey, e.time, e.actor, e.actorKind, e.agentId, e.agentProduct, e.sessionId, e.action, classes.join(" "), destructive,
    e.target, e.environment, e.outcome, e.approval, e.approvalEvidence, e.command, e.account, e.region, e.locator, JSON.stringify(e.attrs),
  ];
}

/**
 * The event a row was built from, fields in EVENT_FIELDS order (the order every parser builds
 * events in), classes as stored (sorted, deduplicated) and attrs parsed back from JSON. Positions
 * are EVENT_COLUMNS'; test/ingest/event-rows.test.ts checks the round trip.
 */
export function eventFromRow(row: EventRow): EvidenceEvent {
  const classes = row[9] as string;
  return {
    sourceKind: row[0], eventKey: row[1], time: row[2], actor: row[3], actorKind: row[4], agentId: row[5], agentProduct: row[6], sessionId: row[7],
    action: row[8], classes: classes === "" ? [] : classes.split(" "), target: row[11], environment: row[12], outcome: row[13], approval: row[14],
    approvalEvidence: row[15], command: row[16], account: row[17], region: row[18], locator: row[19], attrs: JSON.parse(row[20] as string),
  } as EvidenceEvent;
}

/** Every field of an EvidenceEvent; the type below fails to compile when one is added and not listed. */
export const EVENT_FIELDS = [
  "sourceKind", "eventKey", "time", "actor", "actorKind", "agentId", "agentProduct", "sessionId", "action", "classes", "target", "environment",
  "outcome", "approval", "approvalEvidence", "command", "account", "region", "locator", "attrs",
] as const satisfies readonly (keyof EvidenceEvent)[];
const allFieldsListed: [Exclude<keyof EvidenceEvent, (typeof EVENT_FIELDS)[number]>] extends [never] ? true : false = true;
void allFieldsListed;
