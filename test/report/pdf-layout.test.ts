import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPdfFonts } from "../../src/report/fonts.ts";
import { horizontalBars } from "../../src/report/pdf-charts.ts";
import { codeBlock, createDocument, FONT, heading, paragraph, table, textRuns, type Doc } from "../../src/report/pdf-layout.ts";
import { pdfLayout, type PdfLayout } from "../helpers/pdf-items.ts";

const MARGIN = 56;

async function render(draw: (doc: Doc) => void): Promise<{ bytes: Buffer; layout: PdfLayout }> {
  const { doc, done } = createDocument({ title: "t", author: "a", subject: "s", creator: "c", date: "2026-11-01T00:00:00Z", fonts: loadPdfFonts() });
  doc.addPage();
  draw(doc);
  doc.end();
  const bytes = await done;
  return { bytes, layout: await pdfLayout(bytes) };
}

/** Every glyph run lies inside the page's content box: nothing drawn past an edge. */
function assertInsideMargins(layout: PdfLayout): void {
  for (const item of layout.items) {
    const page = layout.pages[item.page - 1]!;
    assert.ok(item.x >= MARGIN - 0.5, `"${item.str.slice(0, 30)}" starts left of the margin (x=${item.x})`);
    assert.ok(item.x + item.width <= page.width - MARGIN + 0.5, `"${item.str.slice(0, 30)}" runs past the right margin (${item.x + item.width})`);
    assert.ok(item.y >= MARGIN - 2 && item.y <= page.height - MARGIN, `"${item.str.slice(0, 30)}" is outside the vertical margins (y=${item.y})`);
  }
}

test("a 500-row table breaks across pages and repeats its header on each", async () => {
  const rows = Array.from({ length: 500 }, (_, i) => [`row-${String(i).padStart(3, "0")}`, `value ${i} `.repeat(1 + (i % 7)), String(i * 7)]);
  const { layout } = await render((doc) => table(doc, [{ header: "Key column", width: 0.2 }, { header: "Wrapped value column", width: 0.6 }, { header: "Number column", width: 0.2, align: "right" }], rows));
  assert.ok(layout.pages.length >= 10, `${layout.pages.length} pages`);
  for (const [i, page] of layout.pages.entries()) {
    assert.match(page.text, /Key column/, `header repeated on page ${i + 1}`);
    assert.match(page.text, /Number column/);
  }
  const keys = layout.items.filter((t) => /^row-\d{3}$/.test(t.str)).map((t) => t.str);
  assert.deepEqual(keys, rows.map((r) => r[0]), "every row drawn once, in order");
  assertInsideMargins(layout);
  const right = layout.items.filter((t) => t.str === "3493");
  assert.equal(right.length, 1);
  assert.ok(Math.abs(right[0]!.x + right[0]!.width - (595.28 - MARGIN - 3)) < 1, "right-aligned numbers end at the column edge");
});

test("long unbroken tokens (SHA-256, ARNs, CJK runs) wrap inside their column", async () => {
  const sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const arn = "arn:aws:iam::111122223333:role/service-role/ai-agent-operator-with-a-very-long-name/kiro-session-0123456789abcdef0123456789";
  const cjk = "添加中文问候语翻译".repeat(6);
  const { layout } = await render((doc) =>
    table(doc, [{ header: "Narrow", width: 0.12 }, { header: "Hash", width: 0.18 }, { header: "Rest", width: 0.7 }], [[arn, sha + sha, cjk]]),
  );
  const left = MARGIN;
  const width = 595.28 - 2 * MARGIN;
  const column = (from: number, to: number) => layout.items.filter((t) => t.x >= left + from * width - 0.5 && t.x < left + to * width - 0.5);
  for (const [from, to, expected] of [[0, 0.12, arn], [0.12, 0.3, sha + sha], [0.3, 1, cjk]] as const) {
    const pieces = column(from, to).filter((t) => !["Narrow", "Hash", "Rest"].includes(t.str));
    assert.ok(pieces.length > 1, `${expected.slice(0, 10)}… wrapped onto several lines`);
    assert.equal(pieces.map((p) => p.str).join(""), expected, "wrapped without losing or adding characters");
    for (const p of pieces) assert.ok(p.x + p.width <= left + to * width + 0.5, `"${p.str}" overflows its column`);
  }
  assertInsideMargins(layout);
});

test("a 100 KB value is drawn completely across pages, never cut off or overflowing", async () => {
  const words: string[] = [];
  let n = 0;
  while (words.join(" ").length < 100_000) words.push(n++ % 13 === 0 ? "0123456789abcdef".repeat(6) : `word${n}`);
  const value = words.join(" ").slice(0, 100_000);
  const { layout } = await render((doc) => {
    heading(doc, "Huge");
    table(doc, [{ header: "Field", width: 0.2 }, { header: "Value", width: 0.8 }], [["command", value], ["after", "the next row"]]);
    paragraph(doc, "Done.");
  });
  assert.ok(layout.pages.length > 10, `${layout.pages.length} pages`);
  for (const page of layout.pages) assert.match(page.text, /Field/, "header repeated on every page the row spans");
  const drawn = layout.items.filter((t) => t.x > MARGIN + 0.2 * (595.28 - 2 * MARGIN) - 1).map((t) => t.str);
  const text = drawn.filter((s) => s !== "Value" && s !== "the next row").join(" ");
  assert.equal(text.replace(/\s+/g, ""), value.replace(/\s+/g, ""), "all 100,000 characters are in the PDF");
  assert.match(layout.pages.at(-1)!.text, /the next row[\s\S]*Done\./);
  assertInsideMargins(layout);
});

test("Cyrillic and Chinese text is embedded and extractable; control and bidi characters are neutralised", async () => {
  const { bytes, layout } = await render((doc) => {
    paragraph(doc, "Добавить русский перевод приветствия (#43)");
    paragraph(doc, "添加中文问候语翻译 (#44)");
    paragraph(doc, "evil\u202Etxt.exe and a bell\u0007");
  });
  const text = layout.pages.map((p) => p.text).join("\n");
  assert.match(text, /Добавить русский перевод приветствия \(#43\)/);
  assert.match(text, /添加中文问候语翻译 \(#44\)/);
  assert.doesNotMatch(text, /\u202E|\u0007/);
  assert.match(bytes.toString("latin1"), /\/FontFile2/, "the font is embedded");
  assert.ok(bytes.length < 200_000, `subset font keeps the file small (${bytes.length} bytes)`);
});

test("a heading or a lead-in paragraph at the foot of a page moves to the next page with the table it introduces", async () => {
  // Fill the page down to just above where a heading plus a table of tall rows no longer fits.
  // As in Appendix A's digest results: a header that wraps onto three lines, a first row of six.
  const columns = [
    { header: "Source / folder", width: 0.22 }, { header: "Result", width: 0.1 }, { header: "Digests", width: 0.09 }, { header: "Logs verified", width: 0.1 },
    { header: "Signatures valid / invalid / unchecked", width: 0.16 }, { header: "Findings", width: 0.33 },
  ];
  const tall = [["cloudtrail: cloudtrail", "PROBLEMS", "2,232", "509", "2232 / 0 / 0", "1 log file(s) no digest vouches for (AWSLogs/444455556666/CloudTrail/eu-west-1/2026/10/22/444455556666_CloudTrail_eu-west-1_20261022T1405Z_95954717707e3a9a.json.gz)"]];
  for (const intro of ["heading", "lead-in"] as const) {
    for (let gap = 40; gap <= 200; gap += 2) {
      const { layout } = await render((doc) => {
        doc.y = doc.page.height - MARGIN - gap;
        if (intro === "heading") heading(doc, "Integrity results", 2);
        else paragraph(doc, "Files listed below:");
        table(doc, columns, tall);
      });
      const title = layout.items.find((t) => t.str === (intro === "heading" ? "Integrity results" : "Files listed below:"));
      const header = layout.items.find((t) => t.str === "Source / folder");
      assert.ok(title && header, `${intro} and table drawn (${gap} pt left)`);
      assert.equal(title.page, header.page, `${intro} with ${gap} pt left: on page ${title.page}, its table on page ${header.page}`);
    }
  }
});

test("narrow columns widen to their longest word: headers, identifiers, short hashes and ISO timestamps are never broken mid-word", async () => {
  // As the agent settings and evidence inventory tables: narrow numeric or flag columns under
  // headers like "Bypass disabled", "Rejected" and "Redacted", and a wide column with room to give.
  const columns = [
    { header: "File", width: 0.2 }, { header: "Default mode", width: 0.1 }, { header: "Bypass disabled", width: 0.06 }, { header: "Rejected", width: 0.06 },
    { header: "Redacted", width: 0.06 }, { header: "Commit", width: 0.07 }, { header: "Time (UTC)", width: 0.1 }, { header: "Remarks", width: 0.35 },
  ];
  const rows = [["settings/claude/ops-oncall/settings.local.json", "bypassPermissions", "NO", "0", "12", "d467101b65", "2026-10-28T19:10:24.945Z", "disableBypassPermissionsMode is not \"disable\": a user can switch to bypassPermissions"]];
  const { layout } = await render((doc) => table(doc, columns, rows));
  const words = ["Bypass", "disabled", "Rejected", "Redacted", "bypassPermissions", "d467101b65", "2026-10-28T19:10:24.945Z", "disableBypassPermissionsMode"];
  for (const word of words) assert.ok(layout.items.some((t) => t.str.split(" ").includes(word)), `"${word}" drawn whole (items: ${layout.items.map((t) => t.str).join(" | ")})`);
  assertInsideMargins(layout);
});

test("when the columns cannot all fit their words, the table's font shrinks before any word is broken", async () => {
  const columns = Array.from({ length: 8 }, (_, i) => ({ header: `Column${i}`, width: 1 / 8 }));
  // Each word needs a little more than its eighth of the width at 8 pt, and fits at 6.5 pt.
  const row = Array.from({ length: 8 }, (_, i) => `identifier${i}abcdef`);
  const { layout } = await render((doc) => table(doc, columns, [row]));
  for (const word of row) assert.ok(layout.items.some((t) => t.str === word), `"${word}" drawn whole`);
  assertInsideMargins(layout);
});

test("a table's header is never left alone at a page foot: a first row that does not fit starts under it and continues", async () => {
  const columns = [{ header: "Source", width: 0.3 }, { header: "Findings", width: 0.7 }];
  const tall = [["first-row-key", Array.from({ length: 12 }, (_, i) => `line ${i} of a long finding that wraps`).join("\n")], ["second", "x"]];
  for (let gap = 60; gap <= 200; gap += 4) {
    const { layout } = await render((doc) => {
      doc.y = doc.page.height - MARGIN - gap;
      table(doc, columns, tall);
    });
    const header = layout.items.find((t) => t.str === "Source")!;
    const first = layout.items.find((t) => t.str === "line 0 of a long finding that wraps")!;
    assert.equal(first.page, header.page, `${gap} pt left: header on page ${header.page}, first row from page ${first.page}`);
    const lines = layout.items.filter((t) => /^line \d+ of/.test(t.str)).map((t) => t.str);
    assert.deepEqual(lines, tall[0]![1]!.split("\n"), "every line of the row drawn once, in order");
  }
});

test("a code block keeps its indentation, so a JSON policy reads as nested", async () => {
  const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "UsedInPeriod", Effect: "Allow", Action: ["cloudformation:CreateStack"], Resource: "*" }] }, null, 2);
  const { layout } = await render((doc) => codeBlock(doc, policy));
  const x = (start: string) => layout.items.find((t) => t.str.startsWith(start))!.x;
  assert.ok(x('"Version"') > x("{") + 5, "one level in");
  assert.ok(x('"Effect"') > x('"Statement"') + 5, "a statement's keys two levels in");
  assert.ok(x('"cloudformation:CreateStack"') > x('"Action"') + 5, "array items three levels in");
  assert.equal(Math.round(x('"Sid"')), Math.round(x('"Effect"')), "same level, same indent");
  assertInsideMargins(layout);
});

test("bar chart labels are sized to the labels or wrapped, never cut off", async () => {
  const labels = ["CC6.3 Authorize, modify and remove access", "A.8.8 Management of technical vulnerabilities", "A.5.37 Documented operating procedures for an unusually long control title that must wrap"];
  const { layout } = await render((doc) =>
    horizontalBars(doc, { title: "Coverage by control", series: [{ name: "deficient", color: "#c33" }], max: 1, labelWidth: 150, data: labels.map((label) => ({ label, values: [1], note: "deficient: 5/5 tests, 7 findings" })) }),
  );
  const text = layout.items.map((t) => t.str).join(" ");
  assert.doesNotMatch(text, /…/, "nothing ellipsized");
  for (const label of labels) assert.ok(text.replace(/\s+/g, " ").includes(label), `"${label}" complete`);
  assert.equal(layout.items.filter((t) => t.str === "deficient: 5/5 tests, 7 findings").length, 3, "notes complete");
  assertInsideMargins(layout);
});

test("Arabic, Hebrew and emoji are drawn with fonts that have their glyphs, RTL runs in bidi order; bidi controls stay visible", async () => {
  const arabic = "مرحبا بالعالم";
  const hebrew = "שלום עולם";
  const { bytes, layout } = await render((doc) => {
    paragraph(doc, `Commit "${arabic}" by Olga`);
    paragraph(doc, `Commit "${hebrew}" by Dan`);
    paragraph(doc, "Deploy done 🚀✅ by bot");
    table(doc, [{ header: "Subject", width: 0.5 }, { header: "Author", width: 0.5 }], [[`"${arabic}"`, `${hebrew} 😀`]]);
    paragraph(doc, `evil\u202E${arabic}\u200Btxt`);
  });
  const pdf = bytes.toString("latin1");
  for (const font of ["NotoSansArabic", "NotoSansHebrew", "NotoEmoji"]) assert.match(pdf, new RegExp(`/BaseFont /[A-Z]{6}\\+${font}`), `${font} embedded`);
  const text = layout.pages.map((p) => p.text).join("\n");
  assert.match(text, /🚀/);
  assert.match(text, /U\+202E/, "a bidi override is still shown as its code point");
  assert.match(text, /U\+200B/, "and a zero-width space");
  // The closing quote of a Latin sentence stays after the Arabic phrase it closes: to its right.
  // Each line's items left to right: the Latin start, the RTL phrase, then the closing quote.
  const lineOf = (end: string) => {
    const y = layout.items.find((i) => i.str.includes(end))!.y;
    return layout.items.filter((t) => Math.abs(t.y - y) < 1).sort((a, b) => a.x - b.x);
  };
  for (const [end, script] of [["by Olga", /\p{Script=Arabic}/u], ["by Dan", /\p{Script=Hebrew}/u]] as const) {
    const items = lineOf(end);
    const rtl = items.findIndex((t) => script.test(t.str));
    const close = items.findIndex((t, i) => i > rtl && t.str.startsWith("\""));
    assert.ok(items[0]!.str === "Commit \"" && rtl > 0 && close > rtl, `the closing quote is drawn after (right of) the RTL phrase: ${items.map((t) => t.str).join(" | ")}`);
  }
  assertInsideMargins(layout);
});

test("RTL words are drawn in bidi order: the first Hebrew or Arabic word of a phrase is the rightmost", async () => {
  let runs: { text: string; font: string }[][] = [];
  await render((doc) => {
    runs = ['Commit "שלום עולם" by Dan', 'Commit "مرحبا بالعالم" by Olga', "plain Latin text"].map((t) => textRuns(doc, FONT.regular, t));
  });
  // Left to right as drawn; the closing quote may be its own run (in the font of the word it follows).
  const drawn = (r: { text: string }[]) => [...r.slice(0, 4).map((x) => x.text), r.slice(4).map((x) => x.text).join("")];
  assert.deepEqual(drawn(runs[0]!), ['Commit "', "עולם", " ", "שלום", '" by Dan']);
  assert.deepEqual(drawn(runs[1]!), ['Commit "', "بالعالم", " ", "مرحبا", '" by Olga']);
  assert.notEqual(runs[0]![1]!.font, FONT.regular, "Hebrew in its fallback font");
  assert.notEqual(runs[1]![1]!.font, runs[0]![1]!.font, "Arabic in another");
  assert.deepEqual(runs[2], [{ text: "plain Latin text", font: FONT.regular }], "Latin text is one run in the main font");
});
