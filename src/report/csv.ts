import { visibleText } from "../visible-text.ts";

/**
 * RFC 4180 CSV with spreadsheet formula-injection protection.
 *
 * OWASP "CSV Injection" (owasp.org/www-community/attacks/CSV_Injection): no cell may begin with
 * = + - @, tab (0x09), carriage return (0x0D) or line feed (0x0A); such a cell gets a leading
 * apostrophe, which spreadsheets display as text. Spreadsheets also skip leading spaces, NBSP and
 * a byte order mark before reading a formula, and Excel on Japanese and Chinese systems reads the
 * fullwidth forms ＝ ＋ － ＠ (U+FF1D, U+FF0B, U+FF0D, U+FF20) as their ASCII twins, so the
 * trigger is looked for after any leading whitespace or invisible format characters too.
 */
const FORMULA_START = /^(?:[\t\r\n]|[\p{White_Space}\p{Cf}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u;
const NEEDS_QUOTES = /[",\r\n]/;
/**
 * A cell none of the rules below changes: it starts with a character that is neither whitespace,
 * an invisible format character nor a formula trigger, and holds no C0 control, DEL, quote or
 * comma. Most population cells (times, ids, paths, keys) are such; one test skips three scans.
 */
// eslint-disable-next-line no-control-regex
const PLAIN = /^[A-Za-z0-9_./:][^\u0000-\u001f\u007f",]*$/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  // A number's or boolean's text has no quote, comma, line break or control character, and a
  // negative number is a number to a spreadsheet, not a formula.
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string" && PLAIN.test(value)) return value;
  // A NUL or another C0 control inside a JSON string would reach the file as a raw byte.
  let text = visibleText(typeof value === "string" ? value : JSON.stringify(value), "csv");
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(",") + "\r\n";
}

/** Renders a header and rows in memory; for large populations use `csvRow` with a stream. */
export function renderCsv(columns: readonly string[], rows: Iterable<readonly unknown[]>): string {
  let out = csvRow(columns);
  for (const row of rows) out += csvRow(row);
  return out;
}
