import type { EnrichContext } from "../enrich.ts";
import { splitArrayObjects } from "../json-records.ts";
import { isRecord, reject, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { cloudTrailRecordToEvent } from "./record.ts";

/**
 * CloudTrail S3 delivery files: gzipped (or plain) `{"Records":[…]}` documents
 * (shared/reference/cloudtrail.md §2a). Each file is read whole (delivery files are small) and
 * parsed with JSON.parse. A damaged file keeps every complete record before the damage.
 */
export function createCloudTrailS3Parser(ctx: EnrichContext): Parser {
  return { name: "cloudtrail-s3", version: "1", parse: (input) => parseDelivery(input, ctx) };
}

async function* parseDelivery(input: ParserInput, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  const { text, truncatedAt } = await input.readAll();
  let records: unknown[] | undefined;
  if (truncatedAt === undefined) {
    try {
      const doc: unknown = JSON.parse(text);
      if (!isRecord(doc) || !Array.isArray(doc.Records)) {
        yield reject("document", 'expected a JSON object with a "Records" array (CloudTrail S3 delivery format)', text);
        return;
      }
      records = doc.Records;
    } catch {
      // Fall through to the salvage path below.
    }
  }
  if (records) {
    for (const [i, rec] of records.entries()) yield toItem(rec, i, ctx);
    return;
  }
  const split = splitArrayObjects(text, "Records");
  if (split.noArray) {
    yield reject(truncatedAt !== undefined ? `byte ${truncatedAt} (gzip)` : "document", truncatedAt !== undefined
      ? `gzip stream truncated after ${truncatedAt} compressed bytes; no complete record before the damage`
      : 'not valid JSON and no "Records" array found', text);
    return;
  }
  for (const [i, raw] of split.objects.entries()) {
    let rec: unknown;
    try {
      rec = JSON.parse(raw);
    } catch (error) {
      yield reject(`record ${i}`, `not valid JSON (${(error as Error).message})`, raw);
      continue;
    }
    yield toItem(rec, i, ctx);
  }
  const where = truncatedAt !== undefined ? `record ${split.objects.length} (gzip truncated at byte ${truncatedAt})` : `record ${split.objects.length}`;
  yield reject(where, truncatedAt !== undefined
    ? `gzip stream truncated: ${split.objects.length} complete records kept, the record in progress is lost`
    : `document damaged after ${split.objects.length} complete records`, text.slice(split.incompleteAt ?? 0));
}

function toItem(rec: unknown, index: number, ctx: EnrichContext): ParsedItem {
  const result = cloudTrailRecordToEvent(rec, index, ctx);
  return typeof result === "string" ? reject(`record ${index}`, result, JSON.stringify(rec)) : { kind: "event", event: result };
}
