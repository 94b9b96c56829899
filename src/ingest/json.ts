import limits from "./limits.json" with { type: "json" };

export const MAX_JSON_DEPTH: number = limits.maxJsonDepth;

/**
 * JSON.parse for input records, refusing values nested deeper than MAX_JSON_DEPTH. V8 parses any
 * depth, but JSON.stringify and every recursive walk after it overflow the stack at a few thousand
 * levels, so a hostile line of 100 000 brackets would crash the run instead of becoming a reject.
 * Throws a SyntaxError like JSON.parse, so callers' existing "not valid JSON" handling applies.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // A value cannot be nested deeper than its text is long: short records skip the walk.
  if (text.length > MAX_JSON_DEPTH && exceedsDepth(value, MAX_JSON_DEPTH)) {
    throw new SyntaxError(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}

/**
 * JSON.parse without the depth walk, for documents whose values are read field by field: V8's
 * JSON.parse is iterative since V8 7.6 ("V8 release v7.6", v8.dev/blog/v8-release-76) and parses
 * any depth; only re-serialising or walking a value recursively overflows. The caller checks the
 * depth of exactly the values it re-serialises (CloudTrail: src/ingest/cloudtrail/json-documents.ts),
 * which costs a fraction of walking every document whole.
 */
export function parseJsonUnchecked(text: string): unknown {
  return JSON.parse(text) as unknown;
}

/** JSON.stringify for an excerpt: undefined instead of a stack overflow when the value is too deep to show. */
export function excerptJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Iterative, so the check itself cannot overflow. */
export function exceedsDepth(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}
