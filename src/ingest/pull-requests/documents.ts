import { EXCERPT_SCAN, isRecord, reject, type ParsedItem, type Parser } from "../parser.ts";
import { parseJson } from "../json.ts";
import { splitJsonValues } from "../json-records.ts";

/**
 * Platform exports come in three shapes: one JSON array (`gh pr list --json`), several arrays
 * back to back (`gh api --paginate` prints one per page with nothing between them), or one
 * object per line. Each is tried in that order with `JSON.parse`; a damaged file falls back to
 * lines, so every intact line-record survives and each damaged one is a reject.
 */
export interface JsonItem {
  /** "record 3" or "line 14": where the element sits in the file. */
  locator: string;
  value?: unknown;
  error?: string;
  raw?: string;
}

function tryParse(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

export function* exportRecords(text: string): Generator<JsonItem> {
  const trimmed = text.trim();
  if (trimmed === "") return;
  // Pages glued together: `][` between them becomes `,` (only tried when the whole file is not JSON).
  const whole = tryParse(trimmed) ?? (trimmed.startsWith("[") ? tryParse(trimmed.replace(/\]\s*\[/g, ",")) : undefined);
  if (whole !== undefined) {
    const list = Array.isArray(whole) ? whole : [whole];
    for (const [i, value] of list.entries()) yield { locator: `record ${i + 1}`, value };
    return;
  }
  // The shared splitter (json-records.ts): one record per line when the first one ends on its line,
  // so a damaged line costs that line only.
  for (const span of splitJsonValues(text)) {
    const at = `line ${span.line}`;
    const value = span.kind === "value" ? tryParse(span.text) : undefined;
    if (value === undefined) yield { locator: at, error: "not valid JSON (a damaged or truncated export)", raw: span.text.slice(0, EXCERPT_SCAN) };
    else if (!Array.isArray(value)) yield { locator: at, value };
    else for (const [k, v] of value.entries()) yield { locator: `${at} record ${k + 1}`, value: v };
  }
}

export type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (isRecord(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A parser over a platform export: every record goes through `toItems`, damaged values become rejects. */
export function exportParser(name: string, version: string, toItems: (value: unknown, locator: string) => ParsedItem[]): Parser {
  return {
    name,
    version,
    async *parse(input) {
      const { text, truncatedAt } = await input.readAll();
      for (const item of exportRecords(text)) {
        if (item.error) yield reject(item.locator, item.error, item.raw);
        else yield* toItems(item.value, item.locator);
      }
      if (truncatedAt !== undefined) {
        yield { kind: "note", text: `gzip stream ended early at byte ${truncatedAt}` };
        yield reject(`byte ${truncatedAt} (gzip)`, "gzip stream truncated: the records after the damage are lost", undefined, `gzip stream truncated at byte ${truncatedAt}`);
      }
    },
  };
}
