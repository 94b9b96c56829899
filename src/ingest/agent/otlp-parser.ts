import type { EnrichContext } from "../enrich.ts";
import { reject, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { isParsedItem, objectRecords, UnknownTypes , withClassifier } from "./calls.ts";
import { isOtlpDocument, malformedOtlpEntries, otlpRecords, type OtlpRecord } from "./otlp.ts";
import { jsonRecords } from "./records.ts";

/**
 * Reads OTLP/JSON files (one export request per line, or one pretty-printed document) and hands
 * each log record or span to the first vendor mapping that claims it. One collector file often
 * holds several agents' telemetry, so mappings are rows tried in order, not one per file.
 */
export interface OtlpMapping {
  name: string;
  claims(rec: OtlpRecord): boolean;
  /** Per-file state: joins (decision + result) live here. */
  start(ctx: EnrichContext, input: ParserInput): OtlpMappingRun;
}

export interface OtlpMappingRun {
  /** `at` is the locator: `line 3, log record 2`. Unknown event names go to `unknown`. */
  map(rec: OtlpRecord, at: string, unknown: UnknownTypes): Iterable<ParsedItem>;
  /** End of file: calls still open. */
  end(): Iterable<ParsedItem>;
}

export function createOtlpParser(name: string, version: string, mappings: readonly OtlpMapping[]): (ctx: EnrichContext) => Parser {
  return (ctx) => ({ name, version: withClassifier(version), parse: (input) => parseOtlp(input, ctx, mappings) });
}

/** Records of one OTLP document, or of a file of them, through the mappings. Shared by the Gemini parser. */
export async function* mapOtlpDocument(
  doc: Record<string, unknown>, line: number, runs: readonly { mapping: OtlpMapping; run: OtlpMappingRun }[], unknown: UnknownTypes,
): AsyncIterable<ParsedItem> {
  for (const rec of otlpRecords(doc)) {
    const at = `line ${line}, ${rec.position}`;
    const owner = runs.find((r) => r.mapping.claims(rec));
    if (!owner) {
      // Telemetry of a product none of the mappings knows: counted, not stored (it is not agent evidence).
      unknown.add(`${rec.resource["service.name"] ?? "unknown service"}: ${rec.name ?? "(unnamed)"}`);
      continue;
    }
    yield* owner.run.map(rec, at, unknown);
  }
  for (const where of malformedOtlpEntries(doc)) yield reject(`line ${line}, ${where}`, "not an OTLP object (skipped)");
}

async function* parseOtlp(input: ParserInput, ctx: EnrichContext, mappings: readonly OtlpMapping[]): AsyncIterable<ParsedItem> {
  const runs = mappings.map((mapping) => ({ mapping, run: mapping.start(ctx, input) }));
  const unknown = new UnknownTypes();
  for await (const r of objectRecords(jsonRecords(input), "an OTLP/JSON export")) {
    if (isParsedItem(r)) {
      yield r;
      continue;
    }
    if (!isOtlpDocument(r.rec)) {
      yield reject(r.at, 'not OTLP/JSON: expected "resourceLogs" or "resourceSpans"', JSON.stringify(r.rec));
      continue;
    }
    yield* mapOtlpDocument(r.rec, r.line, runs, unknown);
  }
  for (const { run } of runs) yield* run.end();
  yield* unknown.note();
}
