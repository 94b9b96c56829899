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
