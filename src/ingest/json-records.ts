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
  | { kind: "value"; line: number; text: string }
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
export function* splitJsonValues(text: string): Generator<JsonValueSpan> {
  if (!firstValueEndsOnItsLine(text)) {
    yield* valuesIn(text, 1);
    return;
  }
  let line = 0;
  for (let start = 0; start <= text.length; ) {
    line++;
    const end = text.indexOf("\n", start);
    const stop = end < 0 ? text.length : end;
    if (stop > start) yield* valuesIn(text.slice(start, stop), line);
    start = stop + 1;
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    // whitespace, and the commas a hand-made list may leave between documents
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c || c === 0xfeff) i++;
    else break;
  }
  return i;
}

/** End (exclusive) of the object or array starting at `i`, or -1 when the text ends inside it. */
function scanValue(text: string, i: number): number {
  const open = text.charCodeAt(i);
  if (open !== 0x7b && open !== 0x5b) return -1;
  let depth = 0;
  let inString = false;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (inString) {
      if (c === 0x5c /* \ */) j++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return j + 1;
  }
  return -1;
}

function* valuesIn(text: string, firstLine: number): Generator<JsonValueSpan> {
  let line = firstLine;
  let counted = 0;
  const lineAt = (i: number) => {
    for (let k = text.indexOf("\n", counted); k >= 0 && k < i; k = text.indexOf("\n", k + 1)) line++, (counted = k + 1);
    counted = Math.max(counted, i);
    return line;
  };
  let i = skipSpace(text, 0);
  while (i < text.length) {
    const at = lineAt(i);
    const end = scanValue(text, i);
    if (end > 0) {
      yield { kind: "value", line: at, text: text.slice(i, end) };
      i = skipSpace(text, end);
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      yield { kind: "incomplete", line: at, text: text.slice(i) };
      return;
    }
    const nl = text.indexOf("\n", i);
    const stop = nl < 0 ? text.length : nl;
    yield { kind: "junk", line: at, text: text.slice(i, stop) };
    i = skipSpace(text, stop);
  }
}

/**
 * splitJsonValues fed chunk by chunk, for files over the whole-file cap: memory holds the value
 * being scanned, not the file. `lineMode` (decided from the file's head, as splitJsonValues does)
 * ends a value left open at a line break there, so a damaged NDJSON line costs that line only.
 */
export class JsonValueStream {
  private pending = "";
  /** Offset in `pending` of the value (or junk run) being scanned, -1 between values. */
  private start = -1;
  private junk = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;
  private startLine = 1;

  constructor(private readonly lineMode: boolean) {}

  push(chunk: string): JsonValueSpan[] {
    const out: JsonValueSpan[] = [];
    const text = this.pending + chunk;
    let i = this.start >= 0 ? this.pending.length : 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.start < 0) {
        if (c === 0x0a) this.line++;
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c || c === 0xfeff) continue;
        this.start = i;
        this.startLine = this.line;
        this.junk = c !== 0x7b && c !== 0x5b;
        this.depth = this.junk ? 0 : 1;
        this.inString = false;
        this.escaped = false;
        continue;
      }
      if (c === 0x0a && (this.junk || this.lineMode)) {
        out.push({ kind: this.junk ? "junk" : "incomplete", line: this.startLine, text: text.slice(this.start, i) });
        this.start = -1;
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
      else if ((c === 0x7d || c === 0x5d) && --this.depth === 0) {
        out.push({ kind: "value", line: this.startLine, text: text.slice(this.start, i + 1) });
        this.start = -1;
      }
    }
    if (this.start >= 0) {
      this.pending = text.slice(this.start);
      this.start = 0;
    } else this.pending = "";
    return out;
  }

  /** After the last chunk: the value or junk the text ended inside, if any. */
  end(): JsonValueSpan[] {
    if (this.start < 0 || this.pending.trim() === "") return [];
    const span: JsonValueSpan = { kind: this.junk ? "junk" : "incomplete", line: this.startLine, text: this.pending };
    this.pending = "";
    this.start = -1;
    return [span];
  }
}

/** Whether a text's first value ends before its first line break: NDJSON, or documents back to back on one line. */
export function firstValueEndsOnItsLine(head: string): boolean {
  const from = skipSpace(head, 0);
  const end = scanValue(head, from);
  const nl = head.indexOf("\n", from);
  return end > 0 && (nl < 0 || end <= nl);
}

/** Whether a text's first object or array ends and something other than space follows it: several documents, not one. */
export function startsWithSeveralValues(head: string): boolean {
  const end = scanValue(head, skipSpace(head, 0));
  return end > 0 && skipSpace(head, end) < head.length;
}
