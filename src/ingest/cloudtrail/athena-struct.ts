import { MAX_JSON_DEPTH } from "../json.ts";

/**
 * Parses Athena's text rendering of ROW / ARRAY / MAP values as it appears in CSV query results:
 * `{type=AssumedRole, arn=arn:aws:sts::1:assumed-role/r/s, sessioncontext={attributes={mfaauthenticated=false}}}`
 * and `[{arn=…, accountid=…, type=AWS::S3::Object}]`. Values are unquoted, so a comma followed by
 * a space inside a value is ambiguous; we split only on ", " followed by `key=`, which keeps the
 * common cases (ARNs, user agents with commas) whole. `null` becomes null.
 */
export function parseAthenaValue(text: string): unknown {
  // Checked once, iteratively: the recursive parse below would overflow the stack on a hostile
  // cell (20 000 nested braces) and rescan each level, so a deep value is refused before it starts.
  if (text.length > MAX_JSON_DEPTH && bracketDepth(text) > MAX_JSON_DEPTH) {
    throw new SyntaxError(`Athena value nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return parseValue(text);
}

function bracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

function parseValue(text: string): unknown {
  const s = text.trim();
  if (s.startsWith("{") && s.endsWith("}")) return parseStruct(s.slice(1, -1));
  if (s.startsWith("[") && s.endsWith("]")) return splitTop(s.slice(1, -1), false).map(parseValue);
  if (s === "null") return null;
  return s;
}

function parseStruct(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of splitTop(body, true)) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    out[part.slice(0, eq).trim()] = parseValue(part.slice(eq + 1));
  }
  return out;
}

/** Splits on top-level ", " (for structs only where the next token looks like `key=`). */
function splitTop(body: string, struct: boolean): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === "," && depth === 0 && (!struct || /^\s*[A-Za-z_][\w.-]*=/.test(body.slice(i + 1, i + 80)))) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  if (body.slice(start).trim() !== "") parts.push(body.slice(start));
  return parts.map((p) => p.trim());
}
