import { readFileSync, statSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { gunzipSync, constants as zlibConstants } from "node:zlib";
import { InputError } from "../../errors.ts";
import { incompleteNote } from "../files.ts";
import type { EnrichContext } from "../enrich.ts";
import type { ParsedItem, Parser, ParserInput } from "../parser.ts";
import { parseCsvExport } from "./csv-exports.ts";
import { decodeText } from "./decode.ts";
import { createCountedCalls, type TrailContext } from "./counted.ts";
import { classifyTrailFile } from "./file-kinds.ts";
import { JsonRecordStream, parseJsonDocument } from "./json-documents.ts";
import limits from "../limits.json" with { type: "json" };

/**
 * CloudTrail files of every shape users hand us: S3 trail delivery (`…_CloudTrail_<region>_…json.gz`,
 * organisation-trail layouts), console Event history downloads (JSON and CSV), lookup-events
 * output, CloudTrail Lake and Athena query results (CSV) and CloudWatch Logs exports. Files in a
 * mixed bucket that are not activity logs (digests, Insights, Config) are skipped by `skip` and
 * counted by the caller.
 *
 * Memory is bounded whatever the input: a file is parsed whole with JSON.parse up to
 * `wholeFileBytes` decompressed (fast: no streaming parser comes close), read record by record
 * above it, and refused past `absoluteBytes`. A gzip bomb is refused while inflating by the
 * expansion-ratio guard every gzipped input shares (inflateGuarded in src/ingest/files.ts).
 */
export interface TrailLimits {
  wholeFileBytes: number;
  absoluteBytes: number;
}

/** The caps, and why each is what it is, are data: src/ingest/limits.json. */
export const DEFAULT_LIMITS: TrailLimits = {
  wholeFileBytes: limits.cloudtrailWholeFileBytes,
  absoluteBytes: limits.cloudtrailAbsoluteBytes,
};

export function createCloudTrailS3Parser(ctx: EnrichContext, limits: TrailLimits = DEFAULT_LIMITS): Parser {
  const counting = createCountedCalls(ctx);
  return {
    name: "cloudtrail",
    version: "3",
    skip: (relPath: string) => classifyTrailFile(relPath).skip,
    // A file whose calls are summarised counts them as it reads (the fast path of counted.ts).
    parse: (input) => parseTrailFile(input, input.counter ? counting(input.counter) : ctx, limits),
  };
}

const isGzip = (file: string) => file.endsWith(".gz");
const isCsv = (file: string) => /\.csv(\.gz)?$/i.test(file);

async function* parseTrailFile(input: ParserInput, ctx: TrailContext, limits: TrailLimits): AsyncIterable<ParsedItem> {
  if (isCsv(input.file)) {
    yield* parseCsvExport(input.openStream(), ctx, input.relPath);
    return;
  }
  const size = statSync(input.file).size;
  // Over the cap even compressed: it cannot fit decompressed either.
  if (size > limits.wholeFileBytes) {
    yield* streamTrailFile(input, ctx, limits, size);
    return;
  }
  // Synchronous: parsing runs in a worker thread, where an async read only adds a thread-pool round trip during which the worker waits.
  const bytes = readFileSync(input.file);
  if (!isGzip(input.file)) {
    yield* parseTrailBuffer(bytes, ctx);
    return;
  }
  const whole = tryGunzipWhole(bytes, limits);
  if (!whole) {
    yield* streamTrailFile(input, ctx, limits, size);
    return;
  }
  yield* parseTrailBuffer(whole.bytes, ctx, whole.truncatedAt);
  if (whole.truncatedAt !== undefined) yield incompleteNote(`gzip stream truncated after ${whole.truncatedAt} compressed bytes: records after the damage are lost`);
}

/**
 * The pure per-file step, callable from a worker thread: decompressed bytes in, items out.
 * `truncatedAt` marks a gzip stream that ended early (see parseJsonDocument).
 */
export function parseTrailBuffer(bytes: Buffer, ctx: TrailContext, truncatedAt?: number): Generator<ParsedItem> {
  return parseJsonDocument(decodeText(bytes), ctx, truncatedAt);
}

/** Gunzips a file under the whole-file cap; null when it is larger (stream it instead). */
export function tryGunzipWhole(gz: Buffer, limits: TrailLimits): { bytes: Buffer; truncatedAt?: number } | null {
  try {
    return { bytes: gunzipSync(gz, { maxOutputLength: limits.wholeFileBytes }) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return null;
    // A truncated or corrupt gzip: keep what decompresses so the complete records before the damage survive.
    try {
      const partial = gunzipSync(gz, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: limits.wholeFileBytes });
      return { bytes: partial, truncatedAt: gz.length };
    } catch {
      return { bytes: Buffer.alloc(0), truncatedAt: gz.length };
    }
  }
}

async function* streamTrailFile(input: ParserInput, ctx: TrailContext, limits: TrailLimits, compressed: number): AsyncIterable<ParsedItem> {
  const records = new JsonRecordStream(ctx);
  const decoder = new StringDecoder("utf8");
  let total = 0;
  let broken = false;
  try {
    for await (const chunk of input.openStream() as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limits.absoluteBytes) {
        throw new InputError(`${input.relPath}: decompresses to more than ${limits.absoluteBytes} bytes, over the absolute limit; split the export or raise the limit`);
      }
      yield* records.push(decoder.write(chunk));
    }
    yield* records.push(decoder.end());
  } catch (error) {
    if (error instanceof InputError) throw error;
    broken = true;
  }
  yield* records.end(broken ? compressed : undefined);
  if (broken) yield incompleteNote(`gzip stream truncated after ${compressed} compressed bytes: records after the damage are lost`);
}
