import type { Readable } from "node:stream";
import { boundedLines, DEFAULT_INPUT_LIMITS, LineTooLong } from "../lines.ts";
import limits from "../limits.json" with { type: "json" };

/**
 * Splits a CSV stream (RFC 4180: https://www.rfc-editor.org/rfc/rfc4180) into rows so that one
 * damaged row costs that row only. A general CSV parser fed a stray quote reads the rest of the
 * file as one quoted field and fails at the end, losing every row; here a record is assembled from
 * physical lines while its quote count is odd (an RFC 4180 field may hold line breaks only inside
 * quotes), and a record that does not close within MAX_RECORD_LINES lines, or whose text does not
 * parse, rejects its first line alone: the lines after it are read again as rows of their own.
 * Each line is re-read at most MAX_RECORD_LINES times, so time stays linear in the file's size.
 */
export type CsvRow =
  | { kind: "row"; line: number; fields: string[] }
  | { kind: "bad"; line: number; reason: string; raw: string };

/** Lines one record may span: a pretty-printed record in a cell is a few dozen, a stray quote the rest of the file (src/ingest/limits.json). */
export const MAX_RECORD_LINES: number = limits.csvMaxRecordLines;

interface PhysicalLine {
  line: number;
  text: string;
  /** Odd number of `"` characters. */
  odd: boolean;
}

const QUOTE = 0x22;

function oddQuotes(text: string): boolean {
  let odd = false;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) odd = !odd;
  return odd;
}

/** One record's fields, or the reason its text is not RFC 4180 (a line break outside quotes, text after a closing quote, an open quote). */
export function splitCsvRecord(text: string): string[] | string {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = "";
      let from = i + 1;
      for (;;) {
        const close = text.indexOf('"', from);
        if (close < 0) return `quoted field opened at character ${i + 1} is not closed`;
        value += text.slice(from, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          value += '"';
          from = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (text[i] !== ",") return `unexpected ${JSON.stringify(text[i])} after the closing quote at character ${i}`;
      i++;
    } else {
      const comma = text.indexOf(",", i);
      const value = comma < 0 ? text.slice(i) : text.slice(i, comma);
      if (value.includes("\n")) return "line break outside a quoted field (a quote earlier in the record is unbalanced)";
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
    if (i === n) {
      fields.push("");
      return fields;
    }
  }
}

/**
 * Assembles records from physical lines. `expectColumns`, once the header is known, lets a record
 * spanning several lines be checked: one whose field count differs is damage, not a row.
 */
class CsvAssembler {
  private pending: PhysicalLine[] = [];
  private odd = false;
  private chars = 0;
  expectColumns = 0;

  constructor(private readonly maxChars: number) {}

  /** Feeds lines (and, after a failed record, the lines to read again); returns finished rows. */
  feed(lines: PhysicalLine[], out: CsvRow[]): void {
    const queue = lines.slice().reverse();
    while (queue.length) {
      const l = queue.pop()!;
      if (this.pending.length === 0 && l.text.trim() === "") continue;
      this.pending.push(l);
      this.odd = this.odd !== l.odd;
      this.chars += l.text.length + 1;
      if (!this.odd) this.finish(out, queue);
      else if (this.pending.length >= MAX_RECORD_LINES || this.chars > this.maxChars) {
        this.fail(out, queue, `a quoted field opens on this line and is not closed within ${this.pending.length} lines (unbalanced quote)`);
      }
    }
  }

  /** At the end of the file: whatever is still open was an unbalanced quote. */
  end(out: CsvRow[]): void {
    const queue: PhysicalLine[] = [];
    while (this.pending.length) {
      this.fail(out, queue, "a quoted field opens on this line and is not closed before the end of the file (unbalanced quote)");
      this.feed(queue.reverse(), out);
      queue.length = 0;
    }
  }

  private reset(): PhysicalLine[] {
    const lines = this.pending;
    this.pending = [];
    this.odd = false;
    this.chars = 0;
    return lines;
  }

  /** Rejects the record's first line and queues the others to be read again. */
  private fail(out: CsvRow[], queue: PhysicalLine[], reason: string): void {
    const [first, ...rest] = this.reset();
    out.push({ kind: "bad", line: first!.line, reason, raw: first!.text });
    for (let i = rest.length - 1; i >= 0; i--) queue.push(rest[i]!);
  }

  private finish(out: CsvRow[], queue: PhysicalLine[]): void {
    const multi = this.pending.length > 1;
    const text = multi ? this.pending.map((l) => l.text).join("\n") : this.pending[0]!.text;
    const fields = splitCsvRecord(text);
    if (typeof fields === "string") return this.fail(out, queue, `not a CSV record: ${fields}`);
    if (multi && this.expectColumns && fields.length !== this.expectColumns) {
      return this.fail(out, queue, `a quoted field opens on this line and the record it starts has ${fields.length} fields, not the header's ${this.expectColumns} (unbalanced quote)`);
    }
    const line = this.reset()[0]!.line;
    if (!this.expectColumns) this.expectColumns = fields.length;
    out.push({ kind: "row", line, fields });
  }
}

/** The rows of a CSV stream, batch by batch, each with the physical line it starts on (1-based, header included). */
export async function* csvRows(stream: Readable, maxChars: number = DEFAULT_INPUT_LIMITS.maxLineChars): AsyncIterable<CsvRow[]> {
  const assembler = new CsvAssembler(maxChars);
  let line = 0;
  for await (const batch of boundedLines(stream, maxChars)) {
    const out: CsvRow[] = [];
    const lines: PhysicalLine[] = [];
    for (const raw of batch) {
      line++;
      if (raw instanceof LineTooLong) {
        // Everything gathered so far is read again without it; the long line itself is one reject.
        assembler.feed(lines.splice(0), out);
        out.push({ kind: "bad", line, reason: raw.message, raw: "" });
        continue;
      }
      const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      lines.push({ line, text, odd: oddQuotes(text) });
    }
    assembler.feed(lines, out);
    if (out.length) yield out;
  }
  const out: CsvRow[] = [];
  assembler.end(out);
  if (out.length) yield out;
}
