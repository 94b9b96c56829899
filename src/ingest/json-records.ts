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
