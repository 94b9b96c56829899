/**
 * RFC 4180 CSV with spreadsheet formula-injection protection. AWS warns that CloudTrail exports
 * opened in a spreadsheet can execute cells that start with = + - @ (and tab/CR in some
 * programs), so such text cells get a leading apostrophe, which spreadsheets display as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  if (typeof value === "number" || typeof value === "bigint") text = String(value);
  else if (typeof value === "boolean") text = value ? "true" : "false";
  else {
    text = typeof value === "string" ? value : JSON.stringify(value);
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
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
