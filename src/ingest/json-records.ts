/**
 * Splits the objects of a top-level JSON array (e.g. CloudTrail's `{"Records":[…]}`) without
 * parsing the whole document. Used only when `JSON.parse` of the whole file fails (a truncated
 * gzip, a damaged file), so that every complete record before the damage is still kept; the
 * happy path stays on `JSON.parse`, which is far faster than any incremental parser.
 */
export interface SplitResult {
  objects: string[];
  /** When the array did not close: the text of the element it ends inside ("" between elements). */
  incomplete?: string;
  /** True when the array key was not found at all. */
  noArray?: boolean;
}

export function splitArrayObjects(text: string, key: string): SplitResult {
  const stream = new ArrayObjectStream(key);
  const objects = stream.push(text);
  const state = stream.end();
  if (state.noArray) return { objects: [], noArray: true };
  return state.closed ? { objects } : { objects, incomplete: state.openText };
}

/**
 * The same split, fed chunk by chunk: for documents over the whole-file cap (merged exports,
 * console downloads), so memory holds one record at a time rather than the document. The array
 * under `key` is found with a pattern, then split by JsonValueStream (the one bracket scanner);
 * each complete element is then handed to `JSON.parse` on its own, and what follows the array is
 * not read.
 */
export class ArrayObjectStream {
  /** The tail searched for the key, until it is found. */
  private seek = "";
  private values: JsonValueStream | null = null;
  private readonly keyPattern: RegExp;
  /** Complete elements emitted so far. */
  count = 0;

  constructor(key: string) {
    this.keyPattern = new RegExp(`"${key}"\\s*:\\s*\\[`);
  }

  /** Adds text; returns the elements completed by it. */
  push(chunk: string): string[] {
    if (this.values) return this.elements(this.values.push(chunk));
    const text = this.seek + chunk;
    const m = this.keyPattern.exec(text);
    if (!m) {
      // Keep a tail long enough to hold a key split across chunks.
      this.seek = text.slice(-256);
      return [];
    }
    this.seek = "";
    this.values = new JsonValueStream(false, { stepIntoArray: true, onlyArray: true });
    // From the array's opening bracket, which the stream steps into.
    return this.elements(this.values.push(text.slice(m.index + m[0].length - 1)));
  }

  private elements(spans: JsonValueSpan[]): string[] {
    const out: string[] = [];
    // Text between elements that is not an object or array (a number, a string) is no record.
    for (const span of spans) if (span.kind === "value") out.push(span.text);
    this.count += out.length;
    return out;
  }

  /** After the last chunk: whether the array was found, whether it ended inside an element, and that element's text. */
  end(): { noArray: boolean; incomplete: boolean; closed: boolean; openText: string } {
    if (!this.values) return { noArray: true, incomplete: false, closed: false, openText: "" };
    const closed = this.values.arrayClosed;
    const open = this.values.end().find((span) => span.kind === "incomplete");
    return { noArray: false, incomplete: open !== undefined, closed, openText: open?.text ?? "" };
  }
}

/** One top-level JSON value of a text holding several (NDJSON, or documents written back to back). */
export type JsonValueSpan =
  /** `index`: the value's position in a top-level array the stream stepped into (JsonValueStream's `stepIntoArray`). */
  | { kind: "value"; line: number; text: string; index?: number }
  /** Text that is not a JSON object or array (from its first character to the end of its line), or a value the text ends inside. */
  | { kind: "junk" | "incomplete"; line: number; text: string };

/**
 * Splits a text into its top-level objects and arrays with a bracket scan (strings and escapes
 * respected), without parsing them: CloudWatch Logs subscription payloads delivered by Firehose
 * are gzip members back to back, so their JSON documents follow each other with nothing between
 * (`}{`), and NDJSON puts one per line. When the first value ends on its own line the text is read
 * line by line, so a damaged line costs that line only; otherwise values may span lines, and a
 * value left open runs to the end of the text as one `incomplete` span. One pass: linear.
 */
export function splitJsonValues(text: string): JsonValueSpan[] {
  const stream = new JsonValueStream(firstValueEndsOnItsLine(text));
  return [...stream.push(text), ...stream.end()];
}

/**
 * The one bracket scanner for streams of JSON values, fed chunk by chunk: for files over the
 * whole-file cap, and for agent logs of pretty-printed records, memory holds the value being
 * scanned, not the file (its earlier chunks' text is kept as parts and joined once, so a value
 * spanning many chunks costs its length, not its length times its chunks). `lineMode` (decided
 * from the file's head, as splitJsonValues does) ends a value left open at a line break there, so
 * a damaged NDJSON line costs that line only. `stepIntoArray`: a top-level array opening the text
 * is stepped into and its elements come out one by one, with their index. `firstLine`: the line
 * the first chunk starts on. `onlyArray`: nothing after that array is read.
 */
export class JsonValueStream {
  /** Text of the open value (or junk run) from earlier chunks. */
  private parts: string[] = [];
  private open = false;
  private junk = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line: number;
  private startLine: number;
  private readonly stepIntoArray: boolean;
  private inArray = false;
  private arraySeen = false;
  private readonly onlyArray: boolean;
  private done = false;
  private values = 0;
  private index = 0;

  constructor(
    private readonly lineMode: boolean,
    options: { firstLine?: number; stepIntoArray?: boolean; onlyArray?: boolean } = {},
  ) {
    this.line = this.startLine = options.firstLine ?? 1;
    this.stepIntoArray = options.stepIntoArray ?? false;
    this.onlyArray = options.onlyArray ?? false;
  }

  /** True once the array stepped into has closed. */
  get arrayClosed(): boolean {
    return this.arraySeen && !this.inArray;
  }

  /** True while a value or junk run is open at the end of what was pushed. */
  get pending(): boolean {
    return this.open;
  }

  /** The spans `chunk` completes; `stopAfter` stops the scan once that many are found (sniffing a head: the stream is then spent). */
  push(chunk: string, stopAfter = Infinity): JsonValueSpan[] {
    const out: JsonValueSpan[] = [];
    if (this.done) return out;
    let start = 0;
    for (let i = 0; i < chunk.length && out.length < stopAfter; i++) {
      const c = chunk.charCodeAt(i);
      if (!this.open) {
        if (c === 0x0a) this.line++;
        // whitespace, and the commas a hand-made list (or an array stepped into) leaves between values
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c || c === 0xfeff) continue;
        if (this.stepIntoArray && c === 0x5b && !this.arraySeen && this.values === 0) {
          this.arraySeen = this.inArray = true;
          continue;
        }
        if (this.inArray && c === 0x5d) {
          this.inArray = false;
          // `onlyArray`: what follows the array (the rest of its document) is not read.
          if (this.onlyArray) {
            this.done = true;
            return out;
          }
          continue;
        }
        this.open = true;
        start = i;
        this.startLine = this.line;
        this.junk = c !== 0x7b && c !== 0x5b;
        this.depth = this.junk ? 0 : 1;
        this.inString = c === 0x22; // a stray string element (read only inside an array)
        this.escaped = false;
        continue;
      }
      if (c === 0x0a && (this.junk || this.lineMode)) {
        out.push(this.close(this.junk ? "junk" : "incomplete", chunk.slice(start, i)));
        this.line++;
        continue;
      }
      if (c === 0x0a) this.line++;
      if (this.junk) {
        // Inside an array a stray element (a number, a string) ends at its comma or at the array's
        // close, so the elements after it on the same line are still read.
        if (!this.inArray) continue;
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === 0x5c) this.escaped = true;
          else if (c === 0x22) this.inString = false;
        } else if (c === 0x22) this.inString = true;
        else if (c === 0x2c || c === 0x5d) {
          out.push(this.close("junk", chunk.slice(start, i)));
          if (c === 0x5d) i--; // read again, as the array's close
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if ((c === 0x7d || c === 0x5d) && --this.depth === 0) out.push(this.close("value", chunk.slice(start, i + 1)));
    }
    if (this.open) this.parts.push(start === 0 ? chunk : chunk.slice(start));
    return out;
  }

  /** After the last chunk: the value or junk the text ended inside, if any. */
  end(): JsonValueSpan[] {
    if (!this.open) return [];
    return [this.close(this.junk ? "junk" : "incomplete", "")];
  }

  private close(kind: JsonValueSpan["kind"], tail: string): JsonValueSpan {
    const text = this.parts.length ? this.parts.join("") + tail : tail;
    this.parts = [];
    this.open = false;
    if (kind !== "value") return { kind, line: this.startLine, text };
    this.values++;
    return this.inArray ? { kind, line: this.startLine, text, index: this.index++ } : { kind, line: this.startLine, text };
  }
}

/** The first span of a text's head, and whether more follows it. */
function headSpans(head: string): { first: JsonValueSpan | undefined; more: boolean } {
  const stream = new JsonValueStream(false);
  const spans = stream.push(head, 2);
  return { first: spans[0], more: spans.length > 1 || stream.pending };
}

/** Whether a text's first value ends before its first line break: NDJSON, or documents back to back on one line. */
export function firstValueEndsOnItsLine(head: string): boolean {
  const { first } = headSpans(head);
  return first?.kind === "value" && !first.text.includes("\n");
}

/** Whether a text's first object or array ends and something other than space follows it: several documents, not one. */
export function startsWithSeveralValues(head: string): boolean {
  const { first, more } = headSpans(head);
  return first?.kind === "value" && more;
}
