import { EXCERPT_SCAN, isRecord, reject, type ParsedItem } from "../parser.ts";
import {
  ArrayObjectStream, firstValueEndsOnItsLine, JsonValueStream, splitArrayObjects, splitJsonValues, startsWithSeveralValues, type JsonValueSpan,
} from "../json-records.ts";
import type { TrailContext } from "./counted.ts";
import { cloudTrailRecordToEvent } from "./record.ts";
import { excerptJson, exceedsDepth, MAX_JSON_DEPTH, parseJson, parseJsonUnchecked } from "../json.ts";

/**
 * The JSON shapes CloudTrail records arrive in, all parsed here as pure functions of text so a
 * worker thread can run them (CloudTrail User Guide, "CloudTrail log file examples"; AWS CLI
 * `cloudtrail lookup-events`; CloudWatch Logs export):
 * - `records`: S3 trail delivery and the console's Event history JSON download, `{"Records":[…]}`;
 * - `lookup-events`: `aws cloudtrail lookup-events` output, `{"Events":[{…,"CloudTrailEvent":"<json>"}]}`;
 * - `cloudwatch-logs`: a CloudWatch Logs export, `{"events":[{"message":"<json>",…}]}`;
 * - `array`: a bare JSON array of records (hand-made extracts).
 */
const NOT_JSON = "not valid JSON";

export type JsonShape = "records" | "lookup-events" | "cloudwatch-logs" | "array";

const SHAPE_KEYS: [JsonShape, string][] = [["records", "Records"], ["lookup-events", "Events"], ["cloudwatch-logs", "events"]];

/** Detects the shape from the first bytes of a document, for the streaming path. */
export function shapeOfHead(head: string): { shape: JsonShape; key: string } | null {
  const m = /"(Records|Events|events)"\s*:\s*\[/.exec(head);
  if (m) return { shape: SHAPE_KEYS.find(([, k]) => k === m[1])![0], key: m[1]! };
  return head.trimStart().startsWith("[") ? { shape: "array", key: "" } : null;
}

/** Turns one array element of a shape into a CloudTrail record, or a reason it cannot be. */
export function unwrapElement(shape: JsonShape, element: unknown): unknown {
  if (shape === "records" || shape === "array") {
    // A string is returned as a reject's reason below, so a record that is itself a string must not
    // pass through as one: its text would become the reason ("" an empty one).
    if (typeof element === "string") return "expected a JSON object (a CloudTrail record), not a string";
    return envelopeDetail(element) ?? element;
  }
  if (!isRecord(element)) return element;
  const embedded = shape === "lookup-events" ? element.CloudTrailEvent : element.message;
  if (typeof embedded !== "string") {
    return shape === "lookup-events"
      ? `lookup-events entry without a "CloudTrailEvent" string`
      : `CloudWatch Logs event without a "message" string`;
  }
  try {
    return parseJson(embedded);
  } catch (error) {
    return `embedded ${shape === "lookup-events" ? "CloudTrailEvent" : "message"} is not valid JSON (${(error as Error).message})`;
  }
}

/**
 * How deep a record's requestParameters may nest: the one value of a record stored as it came (in
 * the event's attrs, as JSON; AssumeRole's session tags are read from it too). Documents are parsed
 * without a depth walk (parseJsonUnchecked); every other field is read by name as a string, so a
 * deep value elsewhere is never re-serialised. The bound is the one a whole document had: the
 * document, its Records array and the record above it.
 */
const REQUEST_PARAMETERS_DEPTH = MAX_JSON_DEPTH - 3;

/** Null when the call was counted by the fast path (ctx.countRecord): nothing to yield for it. `locator` defaults to `record <index>`. */
export function elementToItem(shape: JsonShape, element: unknown, index: number, ctx: TrailContext, locator?: string): ParsedItem | null {
  const rec = unwrapElement(shape, element);
  if (typeof rec === "string") return reject(locator ?? `record ${index}`, rec, excerptJson(element));
  if (isRecord(rec)) {
    const params = rec.requestParameters;
    if (params !== null && typeof params === "object" && exceedsDepth(params, REQUEST_PARAMETERS_DEPTH)) {
      return reject(locator ?? `record ${index}`, `"requestParameters" nested deeper than ${REQUEST_PARAMETERS_DEPTH} levels (the record as a whole deeper than ${MAX_JSON_DEPTH})`, excerptJson({ ...rec, requestParameters: "(too deep to show)" }));
    }
    if (ctx.countRecord?.(rec, index, locator)) return null;
  }
  const result = cloudTrailRecordToEvent(rec, index, ctx);
  if (typeof result === "string") return reject(locator ?? `record ${index}`, result, excerptJson(rec));
  return locator === undefined || locator === `record ${index}` ? { kind: "event", event: result } : { kind: "event", event: { ...result, locator } };
}

/**
 * A whole document already in memory (under the size cap). `truncatedAt` is set when the gzip
 * stream ended early: the complete records before the damage are kept, the rest is one reject.
 */
export function* parseJsonDocument(text: string, ctx: TrailContext, truncatedAt?: number): Generator<ParsedItem> {
  if (truncatedAt === undefined) {
    let doc: unknown;
    let parsed = false;
    try {
      doc = parseJsonUnchecked(text);
      parsed = true;
    } catch {
      // Damaged: salvage below.
    }
    if (parsed) {
      const skip = skipReason(doc);
      if (skip) yield { kind: "skipped", reason: skip };
      else yield* documentItems(doc, "", ctx, text);
      return;
    }
  }
  const values = [...splitJsonValues(text)];
  if (values.length > 1) {
    yield* concatenatedItems(values, ctx, truncatedAt);
    return;
  }
  const head = shapeOfHead(text.slice(0, 4096));
  const split = head && head.shape !== "array" ? splitArrayObjects(text, head.key) : { objects: [], noArray: true, incomplete: undefined };
  if (!head || split.noArray) {
    if (truncatedAt !== undefined) {
      const why = `gzip stream truncated after ${truncatedAt} compressed bytes; no complete record before the damage`;
      yield reject(`byte ${truncatedAt} (gzip)`, why, text, why);
    } else yield reject("document", 'not valid JSON and no "Records" array found', text);
    return;
  }
  let unparsed = 0;
  for (const [i, raw] of split.objects.entries()) {
    const item = rawToItem(head.shape, raw, i, ctx);
    if (!item) continue;
    if (item.kind === "reject" && item.reject.reason.startsWith(NOT_JSON)) unparsed++;
    yield item;
  }
  const n = split.objects.length;
  if (truncatedAt === undefined && split.incomplete === undefined) {
    // The array closed and every record in it was read: a record rejected above as invalid JSON
    // (too deep, damaged inside) is why the document did not parse, and is already counted; a
    // second reject here would count a record that does not exist.
    if (unparsed === 0) yield { kind: "note", text: `document is not valid JSON outside its records (before or after the array); all ${n} records in the array were read` };
    return;
  }
  const where = truncatedAt !== undefined ? `record ${n} (gzip truncated at byte ${truncatedAt})` : `record ${n}`;
  const why = truncatedAt !== undefined ? `gzip stream truncated: ${n} complete records kept, the record in progress is lost` : `document damaged after ${n} complete records`;
  yield reject(where, why, split.incomplete ?? "", truncatedAt !== undefined ? why : `JSON cut off: ${why}, the rest was not read`);
}

export function rawToItem(shape: JsonShape, raw: string, index: number, ctx: TrailContext): ParsedItem | null {
  let element: unknown;
  try {
    element = parseJsonUnchecked(raw);
  } catch (error) {
    return reject(`record ${index}`, `${NOT_JSON} (${(error as Error).message})`, raw);
  }
  return elementToItem(shape, element, index, ctx);
}

/**
 * EventBridge delivers CloudTrail events as `{"detail-type": "AWS API Call via CloudTrail", "detail": <record>}`
 * (also "AWS Console Sign In via CloudTrail", "AWS Service Event via CloudTrail"; Amazon EventBridge
 * User Guide, "Events from AWS services": CloudTrail): the record is `detail`.
 */
function envelopeDetail(value: unknown): unknown {
  if (!isRecord(value)) return undefined;
  const type = value["detail-type"];
  return typeof type === "string" && / via CloudTrail$/.test(type) && isRecord(value.detail) ? value.detail : undefined;
}

/** A bare CloudTrail record (an NDJSON line, a single-event file): by the fields every record carries. */
function isBareRecord(value: unknown): boolean {
  return isRecord(value) && typeof value.eventName === "string" && typeof value.eventSource === "string" && "eventTime" in value;
}

/**
 * Files that are CloudTrail's but not activity, recognised by content wherever they are stored:
 * a digest (`digestStartTime`, `digestEndTime`, `logFiles`; AWS CloudTrail User Guide, "CloudTrail
 * digest file structure") and an Insights file (records of `eventType` "AwsCloudTrailInsight";
 * "CloudTrail Insights events" in the same guide). Skipped and counted, like those at their usual paths.
 */
export function skipReason(doc: unknown): string | null {
  if (isRecord(doc) && "digestStartTime" in doc && "digestEndTime" in doc && Array.isArray(doc.logFiles)) {
    return "CloudTrail digest file (recognised by its content): checked by the integrity verification when stored under CloudTrail-Digest/, not parsed as events";
  }
  const records = isRecord(doc) && Array.isArray(doc.Records) ? doc.Records : null;
  if (records?.length && records.every((r) => isRecord(r) && r.eventType === "AwsCloudTrailInsight")) {
    return "CloudTrail Insights file (recognised by its content): anomaly summaries, not API activity; ignored";
  }
  return null;
}

/**
 * The records of one parsed document, whatever wraps them. `at` prefixes locators when the file
 * holds several documents (`line 3 record 0`); `raw` is the document's text for a reject's excerpt.
 */
function* documentItems(doc: unknown, at: string, ctx: TrailContext, raw: string): Generator<ParsedItem> {
  // Undefined is `record <i>` (elementToItem's default), not built for a call the fast path counts.
  const where = (i: number) => (at ? `${at}record ${i}` : undefined);
  if (isRecord(doc) && typeof doc.messageType === "string") {
    // CloudWatch Logs subscription payload (Amazon CloudWatch Logs User Guide, "Subscription filters"):
    // DATA_MESSAGE carries the log events; CONTROL_MESSAGE only checks the destination is reachable.
    if (doc.messageType === "CONTROL_MESSAGE") {
      yield { kind: "note", text: `${at ? `${at.trimEnd()}: ` : ""}CloudWatch Logs CONTROL_MESSAGE (a reachability check, no log events) skipped` };
      return;
    }
    if (doc.messageType === "DATA_MESSAGE" && Array.isArray(doc.logEvents)) {
      for (let i = 0; i < doc.logEvents.length; i++) {
        const item = elementToItem("cloudwatch-logs", doc.logEvents[i], i, ctx, where(i));
        if (item) yield item;
      }
      return;
    }
  }
  const detail = envelopeDetail(doc);
  if (detail !== undefined || isBareRecord(doc)) {
    const item = elementToItem("records", doc, 0, ctx, at ? at.trimEnd() : undefined);
    if (item) yield item;
    return;
  }
  const found = shapeOf(doc);
  if (!found) {
    yield reject(at ? at.trimEnd() : "document", 'expected a JSON object with a "Records" array (S3 delivery or Event history download), "Events" (lookup-events), "events" (CloudWatch Logs export), "logEvents" (CloudWatch Logs subscription), an EventBridge "detail", or a CloudTrail record', raw);
    return;
  }
  for (let i = 0; i < found.elements.length; i++) {
    const item = elementToItem(found.shape, found.elements[i], i, ctx, where(i));
    if (item) yield item;
  }
}

/** Several documents in one file (NDJSON, Firehose deliveries of CloudWatch Logs subscription payloads): each is read on its own. */
function* concatenatedItems(values: Iterable<JsonValueSpan>, ctx: TrailContext, truncatedAt?: number): Generator<ParsedItem> {
  const where = documentLocator();
  for (const v of values) yield* spanItems(v, where(v.line), ctx, truncatedAt);
}

/** `line L` for a line's first document, `line L document k` for the k-th (Firehose writes documents back to back on one line). */
function documentLocator(): (line: number) => string {
  let last = 0;
  let nth = 0;
  return (line) => {
    nth = line === last ? nth + 1 : 1;
    last = line;
    return nth > 1 ? `line ${line} document ${nth}` : `line ${line}`;
  };
}

function* spanItems(v: JsonValueSpan, at: string, ctx: TrailContext, truncatedAt?: number): Generator<ParsedItem> {
  if (v.kind === "junk") {
    yield reject(at, "not JSON: text between JSON documents", v.text);
    return;
  }
  if (v.kind === "incomplete") {
    yield reject(at, truncatedAt !== undefined
      ? `gzip stream truncated after ${truncatedAt} compressed bytes: the document starting here is incomplete`
      : "the document starting here does not end (truncated or unbalanced brackets)", v.text);
    return;
  }
  let doc: unknown;
  try {
    doc = parseJsonUnchecked(v.text);
  } catch (error) {
    yield reject(at, `${NOT_JSON} (${(error as Error).message})`, v.text);
    return;
  }
  const skip = skipReason(doc);
  if (skip) yield { kind: "note", text: `${at}: ${skip}` };
  else yield* documentItems(doc, `${at} `, ctx, v.text);
}

function shapeOf(doc: unknown): { shape: JsonShape; elements: unknown[] } | null {
  if (Array.isArray(doc)) return { shape: "array", elements: doc };
  if (!isRecord(doc)) return null;
  for (const [shape, key] of SHAPE_KEYS) if (Array.isArray(doc[key])) return { shape, elements: doc[key] as unknown[] };
  return null;
}

/**
 * Record-by-record parsing of a document too large to hold, fed as decoded text chunks. The
 * caller reports stream errors (a truncated gzip) through `fail`.
 */
export class JsonRecordStream {
  private head = "";
  private shape: JsonShape | null = null;
  private splitter: ArrayObjectStream | null = null;
  /** Several documents (NDJSON, Firehose): split one by one, each read whole. */
  private values: JsonValueStream | null = null;
  private readonly where = documentLocator();

  constructor(private readonly ctx: TrailContext) {}

  push(chunk: string): ParsedItem[] {
    if (this.values) return this.valueItems(this.values.push(chunk));
    if (!this.splitter) {
      // Only the first 64 KiB can announce the shape; past that the document is not one we know.
      if (this.head.length > 65536) return [];
      this.head += chunk;
      if (startsWithSeveralValues(this.head)) {
        this.values = new JsonValueStream(firstValueEndsOnItsLine(this.head));
        const text = this.head;
        this.head = "";
        return this.valueItems(this.values.push(text));
      }
      const found = shapeOfHead(this.head.slice(0, 65536));
      if (!found) return [];
      this.shape = found.shape;
      // A bare array is split as if it were the value of a key.
      this.splitter = new ArrayObjectStream(found.shape === "array" ? "" : found.key);
      const text = found.shape === "array" ? `"":${this.head.trimStart()}` : this.head;
      this.head = "";
      return this.items(this.splitter.push(text));
    }
    return this.items(this.splitter.push(chunk));
  }

  private valueItems(spans: JsonValueSpan[], truncatedAt?: number): ParsedItem[] {
    return spans.flatMap((v) => [...spanItems(v, this.where(v.line), this.ctx, truncatedAt)]);
  }

  private items(raws: string[]): ParsedItem[] {
    const base = this.splitter!.count - raws.length;
    const out: ParsedItem[] = [];
    for (let i = 0; i < raws.length; i++) {
      const item = rawToItem(this.shape!, raws[i]!, base + i, this.ctx);
      if (item) out.push(item);
    }
    return out;
  }

  /** Rejects for what did not end cleanly; `truncatedAt` when the compressed stream broke. */
  end(truncatedAt?: number): ParsedItem[] {
    if (this.values) return this.valueItems(this.values.end(), truncatedAt);
    if (!this.splitter) return [reject("document", 'no "Records", "Events" or "events" array found in the first 64 KiB', this.head.slice(0, EXCERPT_SCAN))];
    const state = this.splitter.end();
    const n = this.splitter.count;
    if (truncatedAt !== undefined) {
      const why = `gzip stream truncated: ${n} complete records kept, the record in progress is lost`;
      return [reject(`record ${n} (gzip truncated at byte ${truncatedAt})`, why, undefined, why)];
    }
    if (state.incomplete || !state.closed) {
      const why = `document ends after ${n} complete records without closing the array`;
      return [reject(`record ${n}`, why, undefined, `JSON cut off: ${why}`)];
    }
    return [];
  }
}
