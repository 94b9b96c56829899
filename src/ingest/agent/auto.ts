import type { EnrichContext } from "../enrich.ts";
import { reject, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { detectFormat, FORMATS, type DetectSample } from "./detect.ts";
import { jsonRecords, type JsonRecord } from "./records.ts";

export type ParserFactory = (ctx: EnrichContext) => Parser;

/**
 * Reads just enough of a file to detect its format: the first JSON record (TOML files by name only).
 * `stopped`: the file ended before a first record could be read (a truncated gzip, a gzip bomb
 * refused by the inflation cap), so that reason, not "format not recognised", is the reject.
 */
export async function sampleOf(input: ParserInput): Promise<DetectSample & { stopped?: JsonRecord }> {
  if (input.relPath.endsWith(".toml")) return { relPath: input.relPath, first: undefined };
  // Only the first record (a CSV or a damaged first line gives undefined); leaving the loop closes the stream.
  for await (const r of jsonRecords(input)) return { relPath: input.relPath, first: r.value, ...(r.incomplete ? { stopped: r } : {}) };
  return { relPath: input.relPath, first: undefined };
}

/**
 * `kind: agent-logs`: each file is sniffed and handed to the parser that reads its format. The
 * version folds in every candidate parser's version, so upgrading any of them re-reads the files.
 */
export function createAgentLogsParser(ctx: EnrichContext, registry: Readonly<Record<string, ParserFactory>>): Parser {
  const parsers = new Map<string, Parser>();
  for (const f of FORMATS) {
    const factory = registry[f.parser];
    if (factory) parsers.set(f.parser, factory(ctx));
  }
  const version = ["1", ...[...parsers].map(([name, p]) => `${name}@${p.version}`)].join("+");
  return {
    name: "agent-logs",
    version,
    async *parse(input: ParserInput): AsyncIterable<ParsedItem> {
      const sample = await sampleOf(input);
      const format = detectFormat(sample);
      const parser = format ? parsers.get(format) : undefined;
      if (!parser && sample.stopped) {
        yield reject(`line ${sample.stopped.line}`, sample.stopped.error ?? "file ends early", undefined, sample.stopped.incomplete);
        return;
      }
      if (!parser) {
        yield reject("file", `agent log format not recognised from its name or first record; expected one of: ${FORMATS.map((f) => f.describes).join("; ")}`);
        return;
      }
      yield { kind: "note", text: `format ${parser.name} (detected from the file)` };
      yield* parser.parse(input);
    },
  };
}
