const WIDE = /[\ud800-\uffff]/;

/**
 * SQLite's ORDER BY for the values a collector sorts in JavaScript after summing grouped rows:
 * numbers before text, text by UTF-8 bytes (BINARY collation, https://www.sqlite.org/datatype3.html#sort_order).
 * UTF-16 code units order the same except a surrogate pair against U+E000-U+FFFF: text holding
 * either is compared as bytes.
 */
export function sqliteOrder(a: string | number, b: string | number): number {
  if (typeof a === "number" || typeof b === "number") return typeof a !== typeof b ? (typeof a === "number" ? -1 : 1) : (a as number) - (b as number);
  if (a === b) return 0;
  return WIDE.test(a) || WIDE.test(b) ? Buffer.compare(Buffer.from(a), Buffer.from(b)) : a < b ? -1 : 1;
}
