import type { Readable } from "node:stream";
import type { EnrichContext } from "../enrich.ts";
import { isRecord, reject, type ParsedItem } from "../parser.ts";
import { parseAthenaValue } from "./athena-struct.ts";
import { csvRows } from "./csv-rows.ts";
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

function namedCell(header: string, field: string, cell: string): unknown {
  try {
    return cellValue(field, cell);
  } catch (error) {
    throw new Error(`column "${header}": ${(error as Error).message}`);
  }
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
    if (field && field in rec === false && !["type", "arn", "ARN"].includes(field)) rec[field] = namedCell(header, field, cell);
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

/**
 * Rows become events one by one: a row that is not CSV (an unbalanced quote), whose cell cannot be
 * read (an Athena struct nested past the depth cap) or that is not a CloudTrail record is one
 * reject naming its line, and every other row, before and after it, is still read.
 */
export async function* parseCsvExport(stream: Readable, ctx: EnrichContext, relPath: string): AsyncIterable<ParsedItem> {
  let header: string[] | null = null;
  let index = 0;
  for await (const rows of csvRows(stream)) {
    for (const row of rows) {
      const locator = `line ${row.line}`;
      if (row.kind === "bad") {
        yield reject(locator, `${relPath}: ${row.reason}`, row.raw);
        continue;
      }
      if (!header) {
        header = row.fields;
        continue;
      }
      const record: Record<string, string> = {};
      for (let i = 0; i < Math.min(header.length, row.fields.length); i++) record[header[i]!] = row.fields[i]!;
      yield rowToItem(record, index++, row.line, locator, ctx);
    }
  }
}

function rowToItem(record: Record<string, string>, index: number, line: number, locator: string, ctx: EnrichContext): ParsedItem {
  // `evidence pushdown` aggregates: counts, not records.
  if (isPushdownAggregate(record)) return pushdownAggregateToItem(record, index, line, ctx);
  let rec: unknown;
  try {
    rec = rowToRecord(record);
  } catch (error) {
    return reject(locator, `cell unreadable: ${(error as Error).message}`, JSON.stringify(record));
  }
  const result = cloudTrailRecordToEvent(rec, index, ctx);
  return typeof result === "string" ? reject(locator, result, JSON.stringify(record)) : { kind: "event", event: { ...result, locator } };
}
