/**
 * The one place that decides how text read from input (a commit message, a command, a file name)
 * is made safe to show. Control characters are replaced by their code point, `[U+001B]`, so a
 * reader sees that something was there and which character it was, and nothing is dropped.
 *
 * Why each class:
 * - C0 and C1 controls and DEL: ESC starts ANSI/VT100 sequences that recolour, move the cursor or
 *   erase lines; BEL, backspace and CR overwrite what was printed, so a log line could hide or
 *   spoof CI output (ECMA-48, "Control Functions for Coded Character Sets"; C1 U+009B is CSI).
 * - Bidi overrides, embeddings, isolates and marks, and the line/paragraph separators: they make
 *   text display in another order than it is stored ("Trojan Source", CVE-2021-42574; Unicode
 *   Standard Annex #9). U+061C is the Arabic letter mark.
 * - Zero-width characters (U+200B-U+200D, U+2060-U+2064, U+FEFF): invisible, so two values that
 *   read the same can differ ("rm\u200B -rf"); shown so a reader sees the difference.
 * - Lone surrogates: not encodable as UTF-8; they would become U+FFFD, a box that hides the value.
 * Tab and line feed are kept: they are layout that every output shows as layout.
 */
// eslint-disable-next-line no-control-regex
const DISPLAY = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/**
 * For CSV cells: the C0 controls a spreadsheet or a parser could trip on (NUL ends a C string;
 * RFC 4180 text is printable characters, CR and LF) and DEL. Tab, CR and LF are kept because RFC
 * 4180 quoting carries them, and the cell stays otherwise byte-for-byte what the store holds.
 */
// eslint-disable-next-line no-control-regex
const CSV = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

const codePoint = (c: string) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}]`;

/**
 * Text from input made safe to print on a terminal, in a CI log, in Markdown or in a PDF.
 * `csv` escapes only the C0 controls and DEL that a CSV cell must not carry.
 */
export function visibleText(text: string, target: "display" | "csv" = "display"): string {
  return text.replace(target === "csv" ? CSV : DISPLAY, codePoint);
}

// eslint-disable-next-line no-control-regex
const JSON_UNESCAPED = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * JSON text for a terminal: JSON.stringify escapes C0 controls but leaves DEL, C1 (U+009B is CSI)
 * and bidi controls raw. Outside strings JSON has none of them, so writing each as `\uXXXX` keeps
 * the document valid and every value exact.
 */
export function visibleJson(json: string): string {
  return json.replace(JSON_UNESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
