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
