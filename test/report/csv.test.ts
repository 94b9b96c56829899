import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { csvCell, renderCsv } from "../../src/report/csv.ts";

test("values that a spreadsheet would execute are neutralised", () => {
  for (const hostile of ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]) {
    const cell = csvCell(hostile);
    const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
    assert.equal(unquoted[0], "'", `${JSON.stringify(hostile)} -> ${cell}`);
  }
  assert.equal(csvCell(-5), "-5", "real numbers stay numbers");
});

test("RFC 4180 quoting round-trips through a CSV parser", () => {
  const rows = [["a,b", 'say "hi"', "line1\nline2", null, 3, true]];
  const text = renderCsv(["c1", "c2", "c3", "c4", "c5", "c6"], rows);
  assert.ok(text.endsWith("\r\n"));
  const parsed = parse(text, { columns: true }) as Record<string, string>[];
  assert.deepEqual(parsed[0], { c1: "a,b", c2: 'say "hi"', c3: "line1\nline2", c4: "", c5: "3", c6: "true" });
});

/** The cell's text as a spreadsheet reads it, quotes undone. */
const unquote = (cell: string) => (cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell);

test("a formula after leading whitespace, invisible characters or in fullwidth form is neutralised (OWASP CSV Injection)", () => {
  const hostile = [
    "\n=1+1",
    " =1+1",
    "\u00a0=HYPERLINK(\"http://x\")",
    "\ufeff=1+1",
    "\u200b@SUM(A1)",
    "  \t+cmd",
    "\uff1dHYPERLINK(\"http://x\")",
    "\uff0b1+1",
    "\uff0d2+3",
    "\uff20SUM(A1)",
    " \u3000\uff1d1",
    "\n",
  ];
  for (const value of hostile) assert.equal(unquote(csvCell(value))[0], "'", `${JSON.stringify(value)} -> ${JSON.stringify(csvCell(value))}`);
  for (const plain of ["hello", " hello", "a=b", "1-2", "user@example.com", "（=）"]) assert.equal(unquote(csvCell(plain)), plain, `${JSON.stringify(plain)} unchanged`);
});

test("NUL and other C0 controls inside a cell are shown as code points; tab, CR and LF keep RFC 4180 quoting", () => {
  const value = "a\u0000b\u0007c\u001bd\u007fe\tf\r\ng";
  const text = renderCsv(["v"], [[value], [{ nested: "x\u0000y" }]]);
  assert.doesNotMatch(text, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/, "no raw control byte reaches the file");
  const parsed = parse(text, { columns: true }) as Record<string, string>[];
  assert.equal(parsed[0]!.v, "a[U+0000]b[U+0007]c[U+001B]d[U+007F]e\tf\r\ng");
  assert.equal(parsed[1]!.v, '{"nested":"x\\u0000y"}', "JSON text already escapes its controls");
  assert.equal(unquote(csvCell("\u0000=1+1")), "[U+0000]=1+1", "an escaped NUL no longer starts a formula");
});

test("a cell that starts with a letter or digit still gets every rule: quoting, escaped controls", () => {
  const cases: [string, string][] = [
    ["a,b", '"a,b"'], ['a"b', '"a""b"'], ["a\rb", '"a\rb"'], ["a\nb", '"a\nb"'], ["1\t2", "1\t2"], ["a\u0000", "a[U+0000]"],
    ["z\u001f", "z[U+001F]"], ["9\u007f", "9[U+007F]"], ["a\u000b,", '"a[U+000B],"'], ["2026-10-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z"],
    ["_x=1", "_x=1"], ["./rm -rf /", "./rm -rf /"], [":a é", ":a é"],
  ];
  for (const [value, cell] of cases) assert.equal(csvCell(value), cell, JSON.stringify(value));
  assert.equal(csvCell(-0.5), "-0.5");
  assert.equal(csvCell(12n), "12");
  assert.equal(csvCell(false), "false");
});
