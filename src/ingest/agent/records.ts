import { boundedLines, LineTooLong } from "../lines.ts";
import type { ParserInput } from "../parser.ts";
import { parseJson } from "../json.ts";
import { incompleteReason } from "../files.ts";
import { JsonValueStream, type JsonValueSpan } from "../json-records.ts";

/**
 * Reads the JSON records of an agent log, streaming, with the line each record starts on.
 * Agent logs come in three layouts:
 *  - JSON lines (hook logs, Codex rollouts, OTel collector `file` exporter): one record per line;
 *  - concatenated pretty-printed objects (Gemini CLI's `telemetry.outfile` writes one indented
 *    object per event [O]);
 *  - one top-level array (GitHub audit log JSON export), pretty-printed or not.
 * The layout is decided by the first non-blank line: a line that parses on its own means JSON lines
 * (and from then on every line stands alone, so one damaged line costs one reject); a first line that
 * opens a value (`{`, `[`, `[{`) switches to the bracket scanner of json-records.ts, which streams the
 * objects of a concatenation or of a top-level array one by one, so a large export is never held whole.
 */
export interface JsonRecord {
  /** 1-based line on which the record starts. */
  line: number;
  /** Position in a top-level array (0-based), when the file is one. */
  index?: number;
  value?: unknown;
  /** Set instead of `value` when the text is not a complete JSON value. */
  error?: string;
  raw: string;
  /** With `error`, when the file stopped here: why the rest was not read. */
  incomplete?: string;
}

/**
 * Splits a text stream into lines (LF or CRLF), decoding UTF-8 across chunk boundaries. For sniffing
 * only: a line over the length cap reads as blank here (jsonRecords reports it as a reject).
 */
export async function* textLines(input: ParserInput): AsyncIterable<string> {
  for await (const batch of boundedLines(input.openStream())) for (const text of batch) yield text instanceof LineTooLong ? "" : text;
}

/** A value opens on this line but does not close on it: the file is pretty-printed JSON. */
function opensValue(trimmed: string): boolean {
  return /^(\[\s*)?[[{]$/.test(trimmed) || (/^[[{]/.test(trimmed) && /[[{,:]$/.test(trimmed));
}

export async function* jsonRecords(input: ParserInput): AsyncIterable<JsonRecord> {
  for await (const batch of jsonRecordBatches(input)) yield* batch;
}

/** The records of a file in batches (see jsonRecords for the layouts read). */
export async function* jsonRecordBatches(input: ParserInput): AsyncIterable<JsonRecord[]> {
  let line = 0;
  let mode: "unknown" | "lines" | "scan" = "unknown";
  let scanner: JsonValueStream | null = null;
  try {
    // boundedLines hands over the lines of each chunk together: per-record work stays synchronous here,
    // since one async step per line would dominate on million-line hook logs.
    for await (const lines of boundedLines(input.openStream())) {
      const out: JsonRecord[] = [];
      for (const text of lines) {
        line++;
        if (text instanceof LineTooLong) {
          out.push({ line, error: text.message, raw: "" });
          // The scanner still counts the line (inside a record it reads as a line break).
          scanner?.push("\n");
          continue;
        }
        if (scanner) {
          for (const span of scanner.push(`${text}\n`)) out.push(spanRecord(span));
          continue;
        }
        // Fast path for JSON lines: an object line is parsed as is (JSON.parse ignores the whitespace around it).
        const first = text.charCodeAt(0);
        if (mode === "lines" && first === 0x7b) {
          try {
            out.push({ line, value: parseJson(text), raw: text });
          } catch (error) {
            out.push({ line, error: `not valid JSON (${(error as Error).message})`, raw: text });
          }
          continue;
        }
        const trimmed = text.trim();
        if (trimmed === "") continue;
        if (mode === "unknown" && opensValue(trimmed)) {
          mode = "scan";
          scanner = new JsonValueStream(false, { firstLine: line, stepIntoArray: true });
          for (const span of scanner.push(`${text}\n`)) out.push(spanRecord(span));
          continue;
        }
        let value: unknown;
        try {
          value = parseJson(text);
        } catch (error) {
          mode = "lines";
          out.push({ line, error: `not valid JSON (${(error as Error).message})`, raw: text });
          continue;
        }
        // A whole array on one line (a compact export): its elements are the records.
        if (mode === "unknown" && Array.isArray(value)) {
          mode = "lines";
          for (const [index, v] of value.entries()) out.push({ line, index, value: v, raw: JSON.stringify(v) ?? "" });
          continue;
        }
        mode = "lines";
        out.push({ line, value, raw: text });
      }
      if (out.length) yield out;
    }
  } catch (error) {
    // A truncated gzip, a refused gzip bomb or an unreadable file: everything before has been yielded.
    const why = incompleteReason(error);
    yield [{ line: line + 1, error: why, raw: "", incomplete: `${why}; read up to line ${line}` }];
    return;
  }
  const open = scanner?.end().map(spanRecord);
  if (open?.length) yield open;
}

/** A span of the scanner as a record: parsed, or an error that says what was wrong with the text. */
function spanRecord(span: JsonValueSpan): JsonRecord {
  const at = span.kind === "value" && span.index !== undefined ? { line: span.line, index: span.index } : { line: span.line };
  if (span.kind === "junk") return { ...at, error: "unexpected text between JSON records", raw: span.text };
  if (span.kind === "incomplete") {
    return { ...at, error: "file ends inside this record (truncated)", raw: span.text.trimEnd(), incomplete: `JSON cut off: the file ends inside the record starting at line ${span.line}` };
  }
  try {
    return { ...at, value: parseJson(span.text), raw: span.text };
  } catch (error) {
    return { ...at, error: `not valid JSON (${(error as Error).message})`, raw: span.text };
  }
}

/**
 * An async iterable over the items of batches, one already-resolved promise per item: far cheaper
 * than yielding each item from an async generator (which costs several promise turns each).
 */
export function flatten<T>(batches: AsyncIterable<T[]>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const source = batches[Symbol.asyncIterator]();
      let batch: T[] = [];
      let i = 0;
      return {
        async next(): Promise<IteratorResult<T>> {
          while (i >= batch.length) {
            const r = await source.next();
            if (r.done) return { value: undefined, done: true };
            batch = r.value;
            i = 0;
          }
          return { value: batch[i++]!, done: false };
        },
        async return(): Promise<IteratorResult<T>> {
          await source.return?.();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
