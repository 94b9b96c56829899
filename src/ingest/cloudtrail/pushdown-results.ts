import { PUSHDOWN_MARK, PUSHDOWN_VERSION } from "../../pushdown/sql.ts";
import type { EnrichContext } from "../enrich.ts";
import { reject, toIsoTime, type ParsedItem } from "../parser.ts";
import { dayStartOf } from "../summary/day.ts";
import { isValidTimeZone } from "../../period.ts";
import { cloudTrailRecordToEvent } from "./record.ts";

/**
 * Rows of the used-actions aggregate `evidence pushdown` has Athena or CloudTrail Lake compute
 * (src/pushdown/sql.ts): each is a count of calls alike in every column rules read. The call is
 * rebuilt from the row's columns and mapped by the same code as a raw record (action, classes,
 * actor kind, environment, outcome), so a count from the engine and a count from raw files are the
 * same `event_summaries` row; only the locator differs (the result file's line, not a record).
 */
export function isPushdownAggregate(row: Record<string, string>): boolean {
  return PUSHDOWN_MARK in row;
}

const cell = (v: string | undefined) => (v === undefined || v === "" || v === "null" || v === "NULL" ? null : v);
const engineTime = (v: string | null) => (v === null ? undefined : toIsoTime(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(v) ? `${v.replace(" ", "T")}Z` : v));

export function pushdownAggregateToItem(row: Record<string, string>, index: number, line: number, ctx: EnrichContext): ParsedItem {
  const where = `line ${line}`;
  if (row[PUSHDOWN_MARK] !== PUSHDOWN_VERSION) return reject(where, `pushdown result of version "${row[PUSHDOWN_MARK]}"; this evidence reads "${PUSHDOWN_VERSION}" (generate the SQL again)`, JSON.stringify(row));
  const day = cell(row.day);
  const tz = cell(row.time_zone) ?? "UTC";
  const calls = Number(row.calls);
  const firstTime = engineTime(cell(row.first_time));
  const lastTime = engineTime(cell(row.last_time));
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day) || !isValidTimeZone(tz) || !Number.isInteger(calls) || calls < 1 || !firstTime || !lastTime) {
    return reject(where, "aggregate row without a valid day, time zone, calls count or first and last time", JSON.stringify(row));
  }
  const roleArn = cell(row.role_arn);
  const readOnly = cell(row.read_only);
  const record = {
    eventTime: firstTime, eventSource: cell(row.event_source), eventName: cell(row.event_name), awsRegion: cell(row.region),
    recipientAccountId: cell(row.account), errorCode: cell(row.error_code), eventCategory: cell(row.event_category), eventType: cell(row.event_type),
    readOnly: readOnly === null ? undefined : readOnly.toLowerCase(),
    userIdentity: { type: cell(row.identity_type), arn: cell(row.principal), ...(roleArn ? { sessionContext: { sessionIssuer: { arn: roleArn } } } : {}) },
  };
  const e = cloudTrailRecordToEvent(record, index, ctx);
  if (typeof e === "string") return reject(where, e, JSON.stringify(row));
  return {
    kind: "summary",
    summary: {
      sourceKind: "cloudtrail", day, dayStart: dayStartOf(day, tz), actor: e.actor, actorKind: e.actorKind, identityType: cell(row.identity_type), roleArn,
      action: e.action, classes: e.classes.join(" "), outcome: e.outcome, account: e.account, region: e.region, environment: e.environment,
      eventCategory: cell(row.event_category), eventType: cell(row.event_type), n: calls, firstTime, lastTime, locators: where,
    },
  };
}
