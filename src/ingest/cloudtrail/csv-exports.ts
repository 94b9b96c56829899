import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import type { EnrichContext } from "../enrich.ts";
import { isRecord, reject, type ParsedItem } from "../parser.ts";
import { parseAthenaValue } from "./athena-struct.ts";
import fieldData from "./record-fields.json" with { type: "json" };
import { cloudTrailRecordToEvent } from "./record.ts";
import { parseJson } from "../json.ts";
import { isPushdownAggregate, pushdownAggregateToItem } from "./pushdown-results.ts";

/**
 * CSV exports: the console's Event history download, CloudTrail Lake query results
 * (`result_*.csv.gz`) and Athena query results. Each row is rebuilt into a CloudTrail record and
 * goes through the same mapping as JSON. Headers are matched case-insensitively; cells holding
 * structs are JSON (Lake) or Athena's `{key=value}` rendering. Streamed row by row.
 */
const norm = (s: string) => s.toLowerCase().replace(/[\s_-]/g, "");
const FIELD = new Map(fieldData.fields.map((f) => [norm(f), f]));
const JSON_FIELDS = new Set(fieldData.json);
const CONSOLE = new Map(Object.entries(fieldData.console));

/** Renames keys of a parsed struct to CloudTrail's spelling, recursively. */
export function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [FIELD.get(norm(k)) ?? k, camelize(v)]));
}

function cellValue(field: string, cell: string): unknown {
  if (cell === "" || cell === "null" || cell === "NULL") return null;
  // Lake and Athena print timestamps as "2026-10-14 09:12:03.000", in UTC but without a zone.
  if (field === "eventTime" && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(cell)) return `${cell.replace(" ", "T")}Z`;
  if (!JSON_FIELDS.has(field)) {
    if (field === "readOnly" || field === "managementEvent") return /^true$/i.test(cell) ? true : /^false$/i.test(cell) ? false : cell;
    return cell;
  }
  const t = cell.trim();
  if (t.startsWith("{\"") || t.startsWith("[{\"") || t === "[]" || t === "{}") {
    try {
      return parseJson(t);
    } catch {
      // fall through to the Athena rendering
    }
  }
  return camelize(parseAthenaValue(t));
}

/** One CSV row (header -> cell) as a CloudTrail record; a full embedded record wins when present. */
export function rowToRecord(row: Record<string, string>): unknown {
  const rec: Record<string, unknown> = {};
  const identity: Record<string, unknown> = {};
  const resource: Record<string, unknown> = {};
  for (const [header, cell] of Object.entries(row)) {
    const key = norm(header);
    const field = FIELD.get(key);
    const consoleField = CONSOLE.get(key);
    if (consoleField === "$record" && cell) {
      try {
        return parseJson(cell);
      } catch {
        continue;
      }
    }
    if (field && field in rec === false && !["type", "arn", "ARN"].includes(field)) rec[field] = cellValue(field, cell);
    else if (consoleField?.startsWith("userIdentity.") && cell) identity[consoleField.slice(13)] = cell;
    else if (consoleField?.startsWith("resources.") && cell) resource[consoleField.slice(10)] = cell;
    else if (consoleField && cell) rec[consoleField] = cell;
  }
  if (!isRecord(rec.userIdentity) && Object.keys(identity).length) rec.userIdentity = identity;
  if (!Array.isArray(rec.resources) && Object.keys(resource).length) rec.resources = [resource];
  // Athena lower-cases resources[].ARN to `arn`, the one key whose record spelling is upper case.
  if (Array.isArray(rec.resources)) rec.resources = rec.resources.map((r) => (isRecord(r) && "arn" in r && !("ARN" in r) ? { ...r, ARN: r.arn } : r));
  return rec;
}

export async function* parseCsvExport(stream: Readable, ctx: EnrichContext, relPath: string): AsyncIterable<ParsedItem> {
  const parser = stream.pipe(parse({ columns: true, bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
  let index = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      // `evidence pushdown` aggregates: counts, not records.
      if (isPushdownAggregate(record)) {
        yield pushdownAggregateToItem(record, index++, info.lines, ctx);
        continue;
      }
      const rec = rowToRecord(record);
      const result = cloudTrailRecordToEvent(rec, index, ctx);
      const locator = `line ${info.lines}`;
      if (typeof result === "string") yield reject(locator, result, JSON.stringify(record));
      else yield { kind: "event", event: { ...result, locator } };
      index++;
    }
  } catch (error) {
    yield reject(`row ${index + 1}`, `${relPath}: CSV unreadable after ${index} rows (${(error as Error).message})`);
  }
}
