/**
 * Splits the objects of a top-level JSON array (e.g. CloudTrail's `{"Records":[…]}`) without
 * parsing the whole document. Used only when `JSON.parse` of the whole file fails (a truncated
 * gzip, a damaged file), so that every complete record before the damage is still kept; the
 * happy path stays on `JSON.parse`, which is far faster than any incremental parser.
 */
export interface SplitResult {
  objects: string[];
  /** Character offset where an incomplete trailing object starts, if the text ends inside one. */
  incompleteAt?: number;
  /** True when the array key was not found at all. */
  noArray?: boolean;
}

export function splitArrayObjects(text: string, key: string): SplitResult {
  const keyMatch = new RegExp(`"${key}"\\s*:\\s*\\[`).exec(text);
  if (!keyMatch) return { objects: [], noArray: true };
  const objects: string[] = [];
  let i = keyMatch.index + keyMatch[0].length;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x5d /* ] */) return { objects };
    if (c !== 0x7b /* { */) {
      i++;
      continue;
    }
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const ch = text.charCodeAt(i);
      if (inString) {
        if (ch === 0x5c /* \ */) i++;
        else if (ch === 0x22 /* " */) inString = false;
      } else if (ch === 0x22) inString = true;
      else if (ch === 0x7b || ch === 0x5b) depth++;
      else if (ch === 0x7d || ch === 0x5d) {
        depth--;
        if (depth === 0) break;
      }
    }
    if (i >= n) return { objects, incompleteAt: start };
    objects.push(text.slice(start, i + 1));
    i++;
  }
  return { objects, incompleteAt: n };
}

/**
 * The same split, fed chunk by chunk: for documents over the whole-file cap (merged exports,
 * console downloads), so memory holds one record at a time rather than the document. Scanning is
 * a plain character loop; each complete object is then handed to `JSON.parse` on its own.
 */
export class ArrayObjectStream {
  private pending = "";
  private state: "seek" | "array" | "done" = "seek";
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Offset in `pending` where the object being scanned starts (-1: between objects). */
  private start = -1;
  private readonly keyPattern: RegExp;
  /** Complete objects emitted so far. */
  count = 0;

  constructor(key: string) {
    this.keyPattern = new RegExp(`"${key}"\\s*:\\s*\\[`);
  }

  /** Adds text; returns the objects completed by it. */
  push(chunk: string): string[] {
    const out: string[] = [];
    let text = this.pending + chunk;
    let i = this.start >= 0 ? this.pending.length : 0;
    if (this.state === "seek") {
      const m = this.keyPattern.exec(text);
      if (!m) {
        // Keep a tail long enough to hold a key split across chunks.
        this.pending = text.slice(-256);
        return out;
      }
      this.state = "array";
      text = text.slice(m.index + m[0].length);
      i = 0;
    }
    if (this.state === "done") return out;
    const n = text.length;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (this.start < 0) {
        if (c === 0x7b /* { */) {
          this.start = i;
          this.depth = 1;
          this.inString = false;
        } else if (c === 0x5d /* ] */) {
          this.state = "done";
          break;
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22 /* " */) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--this.depth === 0) {
          out.push(text.slice(this.start, i + 1));
          this.count++;
          this.start = -1;
        }
      }
    }
    if (this.start >= 0) {
      this.pending = text.slice(this.start);
      this.start = 0;
    } else {
      this.pending = "";
    }
    return out;
  }

  /** After the last chunk: whether the array was found and whether it ended inside an object. */
  end(): { noArray: boolean; incomplete: boolean; closed: boolean } {
    return { noArray: this.state === "seek", incomplete: this.start >= 0, closed: this.state === "done" };
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
 * the first chunk starts on.
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
  private values = 0;
  private index = 0;

  constructor(
    private readonly lineMode: boolean,
    options: { firstLine?: number; stepIntoArray?: boolean } = {},
  ) {
    this.line = this.startLine = options.firstLine ?? 1;
    this.stepIntoArray = options.stepIntoArray ?? false;
  }

  /** True while a value or junk run is open at the end of what was pushed. */
  get pending(): boolean {
    return this.open;
  }

  /** The spans `chunk` completes; `stopAfter` stops the scan once that many are found (sniffing a head: the stream is then spent). */
  push(chunk: string, stopAfter = Infinity): JsonValueSpan[] {
    const out: JsonValueSpan[] = [];
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
          continue;
        }
        this.open = true;
        start = i;
        this.startLine = this.line;
        this.junk = c !== 0x7b && c !== 0x5b;
        this.depth = this.junk ? 0 : 1;
        this.inString = false;
        this.escaped = false;
        continue;
      }
      if (c === 0x0a && (this.junk || this.lineMode)) {
        out.push(this.close(this.junk ? "junk" : "incomplete", chunk.slice(start, i)));
        this.line++;
        continue;
      }
      if (c === 0x0a) this.line++;
      if (this.junk) continue;
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
