import bidiModule, { type Bidi } from "bidi-js";
import PDFDocument from "pdfkit";
import { visibleText } from "../visible-text.ts";

export type Doc = InstanceType<typeof PDFDocument>;

/** Page geometry and the small drawing helpers every PDF section shares. */
export const PAGE = { margin: 56, headerY: 24, footerY: 800 } as const;
/**
 * Font names registered on every document. With the embedded Noto Sans SC (see fonts.ts) they
 * cover Latin, Cyrillic, Greek and CJK; without it they fall back to Helvetica (Latin only).
 */
export const FONT = { regular: "Body", bold: "Body-Bold", mono: "Courier" } as const;
/** Line height as a multiple of the font size: Noto Sans SC's ascender + descender need ~1.3. */
const LEADING = 1.3;
/** A value longer than this is shown up to here with a note saying how much more the CSV holds. */
export const MAX_VALUE_CHARS = 100_000;

export interface PdfFonts {
  regular: Buffer;
  bold: Buffer;
  /** Fonts for scripts the main one lacks (Arabic, Hebrew, emoji), tried in order per character. */
  fallbacks?: { regular: Buffer; bold: Buffer }[];
}

export interface DocumentOptions {
  title: string;
  author: string;
  subject: string;
  creator: string;
  /** ISO time: creation and modification dates come from the model, never the clock. */
  date: string;
  lang?: string;
  fonts?: PdfFonts | undefined;
}

/** Creates an A4 document with buffered pages, the fonts registered, and a promise of its bytes. */
export function createDocument(options: DocumentOptions): { doc: Doc; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
    bufferPages: true,
    autoFirstPage: false,
    lang: options.lang ?? "en",
    displayTitle: true,
    info: {
      Title: options.title,
      Author: options.author,
      Subject: options.subject,
      Creator: options.creator,
      Producer: options.creator,
      CreationDate: new Date(options.date),
      ModDate: new Date(options.date),
    },
  });
  doc.registerFont(FONT.regular, options.fonts?.regular ?? "Helvetica");
  doc.registerFont(FONT.bold, options.fonts?.bold ?? "Helvetica-Bold");
  const fallbacks = options.fonts?.fallbacks ?? [];
  fallbacks.forEach((f, i) => {
    doc.registerFont(`${FONT.regular}-F${i}`, f.regular);
    doc.registerFont(`${FONT.bold}-F${i}`, f.bold);
  });
  if (fallbacks.length) FALLBACKS.set(doc, { [FONT.regular]: fallbacks.map((_, i) => `${FONT.regular}-F${i}`), [FONT.bold]: fallbacks.map((_, i) => `${FONT.bold}-F${i}`) });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  return { doc, done };
}

export function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

export function bottom(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) newPage(doc);
}

/**
 * Starts a block on a fresh page when it fits on one page but not in the room left on this one, so
 * a short story (a chain of evidence, a small table with its heading) is not split across a page
 * turn. A block taller than a page starts where it is: moving it would only waste the room.
 */
export function keepTogether(doc: Doc, height: number): void {
  const room = bottom(doc) - doc.y;
  const page = bottom(doc) - doc.page.margins.top;
  if (height > room && height <= page) newPage(doc);
}

/** The height a paragraph of `text` takes (paragraph's own size and spacing). */
export function paragraphHeight(doc: Doc, text: string, size = 9.5): number {
  return wrapLines(doc, safeText(text), contentWidth(doc), FONT.regular, size).length * lineHeight(size) + size * 0.4;
}

function newPage(doc: Doc): void {
  doc.addPage();
  doc.x = doc.page.margins.left;
  doc.y = doc.page.margins.top;
}

export function lineHeight(size: number): number {
  return size * LEADING;
}

// ------------------------------------------------------------------ contents and outline

export interface TocEntry {
  title: string;
  level: 1 | 2;
  /** 1-based page number. */
  page: number;
  /** Named destination at the heading, for links from the contents. */
  dest: string;
}

interface DocState {
  toc: TocEntry[];
  outlineParent: ReturnType<Doc["outline"]["addItem"]> | null;
}
const STATE = new WeakMap<Doc, DocState>();

function state(doc: Doc): DocState {
  let s = STATE.get(doc);
  if (!s) STATE.set(doc, (s = { toc: [], outlineParent: null }));
  return s;
}

/** The level-1 and level-2 headings drawn so far, with their pages: the table of contents. */
export function tocEntries(doc: Doc): readonly TocEntry[] {
  return state(doc).toc;
}

/**
 * A heading. Levels 1 and 2 also become table-of-contents entries and PDF outline (bookmark)
 * items, so a section added anywhere shows up in both without further wiring.
 */
export function heading(doc: Doc, text: string, level: 1 | 2 | 3 = 1): void {
  const size = level === 1 ? 18 : level === 2 ? 13 : 11;
  const clean = safeText(text, 500);
  // Keep the heading with what follows: room for its own lines and the start of the next block
  // (a table's header and a first row of several wrapped lines is about 100 pt), so a heading is
  // never left alone at the foot of a page.
  ensureSpace(doc, lineHeight(size) * 2 + 110);
  if (level === 1 && doc.y > doc.page.margins.top + 10) doc.y += size * 0.6;
  if (level < 3) {
    const s = state(doc);
    const dest = `h${s.toc.length + 1}`;
    doc.addNamedDestination(dest);
    s.toc.push({ title: clean, level: level as 1 | 2, page: doc.bufferedPageRange().count, dest });
    if (level === 1) s.outlineParent = doc.outline.addItem(clean);
    else (s.outlineParent ?? doc.outline).addItem(clean);
  }
  writeLines(doc, clean, { font: FONT.bold, size, color: "#111" });
  doc.y += size * (level === 1 ? 0.5 : 0.3);
  doc.font(FONT.regular).fontSize(9.5).fillColor("#222");
}

// ------------------------------------------------------------------ text

/**
 * Shows what would break layout or mislead a reader (control characters, bidi overrides, lone
 * surrogates: see visible-text.ts) as its code point, `[U+202E]`: the embedded font has no glyph
 * for U+FFFD, which a reader would see (and copy) as an empty box.
 * Values longer than `max` keep their first `max` characters and say how many more the CSV holds,
 * so nothing is dropped silently.
 */
export function safeText(text: string, max = MAX_VALUE_CHARS): string {
  const cleaned = visibleText(text);
  return cleaned.length > max ? `${cleaned.slice(0, max)}… [${cleaned.length - max} more characters in the CSV]` : cleaned;
}

const WIDTHS = new WeakMap<Doc, Map<string, number>>();

/** Width of a string drawn in one font, cached: tables repeat the same words thousands of times. */
function runWidth(doc: Doc, font: string, size: number, text: string): number {
  let cache = WIDTHS.get(doc);
  if (!cache) WIDTHS.set(doc, (cache = new Map()));
  const key = `${font}\u0000${size}\u0000${text}`;
  let w = cache.get(key);
  if (w === undefined) {
    doc.font(font).fontSize(size);
    w = doc.widthOfString(text);
    if (cache.size < 200_000) cache.set(key, w);
  }
  return w;
}

/** Width of text as drawText draws it: the sum of its runs, each in the font that has its glyphs. */
function measure(doc: Doc, font: string, size: number, text: string): number {
  const runs = textRuns(doc, font, text);
  return runs.length === 1 ? runWidth(doc, runs[0]!.font, size, runs[0]!.text) : runs.reduce((sum, r) => sum + runWidth(doc, r.font, size, r.text), 0);
}

// ------------------------------------------------------------------ font fallback and bidi

/** Fallback font names per main font name, for documents created with fallback fonts. */
const FALLBACKS = new WeakMap<Doc, Record<string, string[]>>();
const COVERAGE = new WeakMap<Doc, Map<string, boolean>>();
// bidi-js is CommonJS whose module.exports is the factory; its typings declare it as an ES default export.
const bidi = (bidiModule as unknown as () => Bidi)();
/** Text that may need another font or bidi reordering: RTL scripts, symbols, astral planes (emoji). Anything else is one run. */
const NEEDS_RUNS = /[\u0590-\u08ff\u2190-\u2bff\ufb1d-\ufdff\ufe70-\ufefc\ud800-\udfff]/;
/** Scripts fontkit shapes right to left itself (it reverses their glyphs after shaping). */
const RTL_SCRIPT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;

function covers(doc: Doc, font: string, cp: number): boolean {
  let cache = COVERAGE.get(doc);
  if (!cache) COVERAGE.set(doc, (cache = new Map()));
  const key = `${font}\u0000${cp}`;
  let has = cache.get(key);
  if (has === undefined) {
    doc.font(font);
    const face = (doc as unknown as { _font?: { font?: { hasGlyphForCodePoint?(cp: number): boolean } } })._font?.font;
    has = face?.hasGlyphForCodePoint?.(cp) ?? true;
    cache.set(key, has);
  }
  return has;
}

/**
 * Splits a line into runs, each in one font and in visual (left-to-right drawing) order, because
 * pdfkit has neither font fallback nor bidi. Fonts: the main one where it has the glyph, else the
 * first fallback that has it; punctuation stays in the run around it, spaces in the main font. Order: the
 * Unicode Bidirectional Algorithm (UAX #9) resolves each character's level (bidi-js), and rule L2
 * reverses runs from the highest level down. An RTL run in Arabic or Hebrew is passed in logical
 * order, since fontkit shapes (joins) it and reverses its glyphs itself; other RTL runs (spaces,
 * punctuation between RTL words) are reversed here, brackets mirrored.
 * Bidi controls never reach here: safeText shows them as code points.
 */
export function textRuns(doc: Doc, font: string, text: string): { text: string; font: string }[] {
  const fallbacks = FALLBACKS.get(doc)?.[font];
  if (!fallbacks || !NEEDS_RUNS.test(text)) return [{ text, font }];
  const { levels } = bidi.getEmbeddingLevels(text, "ltr");
  const runs: { start: number; end: number; level: number; font: string }[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const last = runs.at(-1);
    const ch = String.fromCodePoint(cp);
    // A space is always its own run in the main font: an RTL run is then one word, which fontkit
    // shapes and mirrors reliably, and rule L2 puts the words in order.
    const neutral = !/[\p{L}\p{N}\p{Extended_Pictographic}\s]/u.test(ch);
    const f = /\s/.test(ch) ? font : neutral && last && covers(doc, last.font, cp) ? last.font : covers(doc, font, cp) ? font : (fallbacks.find((fb) => covers(doc, fb, cp)) ?? font);
    const level = levels[i]!;
    if (last && last.level === level && last.font === f) last.end = i + len;
    else runs.push({ start: i, end: i + len, level, font: f });
    i += len;
  }
  const odd = runs.map((r) => r.level).filter((l) => l % 2 === 1);
  if (odd.length) {
    for (let level = Math.max(...runs.map((r) => r.level)); level >= Math.min(...odd); level--) {
      for (let i = 0; i < runs.length; ) {
        if (runs[i]!.level < level) {
          i++;
          continue;
        }
        let j = i;
        while (j < runs.length && runs[j]!.level >= level) j++;
        runs.splice(i, j - i, ...runs.slice(i, j).reverse());
        i = j;
      }
    }
  }
  return runs.map((r) => {
    const logical = text.slice(r.start, r.end);
    if (r.level % 2 === 0 || RTL_SCRIPT.test(logical)) return { text: logical, font: r.font };
    return { text: [...logical].reverse().map((c) => bidi.getMirroredCharacter(c) ?? c).join(""), font: r.font };
  });
}

/** Draws one line of text at (x, y) with font fallback and bidi ordering; returns its width. */
export function drawText(doc: Doc, font: string, size: number, text: string, x: number, y: number): number {
  const runs = textRuns(doc, font, text);
  if (runs.length === 1) {
    doc.font(font).fontSize(size).text(text, x, y, { lineBreak: false });
    return runWidth(doc, font, size, text);
  }
  // pdfkit places text by its top; fonts differ in ascender, so each run is shifted to share the main font's baseline.
  const ascender = (name: string) => (doc.font(name).fontSize(size) as unknown as { _font: { ascender: number } })._font.ascender;
  const baseline = ascender(font);
  let cx = x;
  for (const run of runs) {
    const shift = ((baseline - ascender(run.font)) / 1000) * size;
    doc.text(run.text, cx, y + shift, { lineBreak: false });
    cx += runWidth(doc, run.font, size, run.text);
  }
  return cx - x;
}

/**
 * Where a token too wide for its line may break, in order of preference: after a path separator,
 * then after other punctuation, then anywhere. A piece that fits is never split further, so a path
 * breaks between its folders and the date or id inside a folder name stays whole.
 */
const BREAKS = [/(?<=\/)/, /(?<=[:\-,;=&?.@_|])/] as const;

/** The pieces of `token` wider than `width` split at the first tier of BREAKS that has any. */
function breakPieces(doc: Doc, font: string, size: number, token: string, width: number, tier = 0): string[] {
  if (measure(doc, font, size, token) <= width) return [token];
  if (tier >= BREAKS.length) return [...token];
  const parts = token.split(BREAKS[tier]!);
  return parts.flatMap((part) => breakPieces(doc, font, size, part, width, tier + 1));
}

/**
 * Splits a token wider than a line: first after separators (/, then :, -, …), then between
 * characters. The first piece may be given less room (`firstWidth`: what is left on the current line).
 */
function hardBreak(doc: Doc, font: string, size: number, token: string, width: number, firstWidth = width): string[] {
  const out: string[] = [];
  let line = "";
  let lineWidth = 0;
  const push = (piece: string, w: number) => {
    const limit = out.length ? width : firstWidth;
    // An empty line takes the piece anyway (one glyph wider than a column must still be drawn),
    // except the first one, which may be left empty when even the piece does not fit there.
    if (lineWidth + w > limit && (line || (out.length === 0 && firstWidth < width))) {
      out.push(line);
      line = "";
      lineWidth = 0;
    }
    line += piece;
    lineWidth += w;
  };
  for (const piece of breakPieces(doc, font, size, token, width)) push(piece, measure(doc, font, size, piece));
  if (line) out.push(line);
  return out;
}

/**
 * Wraps text into lines no wider than `width`: at spaces, and inside tokens too long for a line
 * (SHA-256 digests, ARNs, CJK sentences without spaces), so nothing runs past its column.
 */
export function wrapLines(doc: Doc, text: string, width: number, font: string = FONT.regular, size = 9.5): string[] {
  const lines: string[] = [];
  const usable = Math.max(width - 0.5, size);
  const space = measure(doc, font, size, " ");
  for (const para of text.replace(/\t/g, "    ").split(/\r\n|\r|\n/)) {
    let line = "";
    let lineWidth = 0;
    for (const word of para.split(" ")) {
      const w = word ? measure(doc, font, size, word) : 0;
      const gap = line || lineWidth ? space : 0;
      if (lineWidth + gap + w <= usable) {
        line += (gap ? " " : "") + word;
        lineWidth += gap + w;
        continue;
      }
      if (w > usable && line && usable - lineWidth - gap > size * 6) {
        // A token longer than a whole line starts on the current line instead of leaving it short.
        const pieces = hardBreak(doc, font, size, word, usable, usable - lineWidth - gap);
        lines.push(pieces[0] ? `${line} ${pieces[0]}` : line, ...pieces.slice(1, -1));
        line = pieces.length > 1 ? pieces.at(-1)! : "";
        lineWidth = measure(doc, font, size, line);
        continue;
      }
      if (line) lines.push(line);
      line = "";
      lineWidth = 0;
      if (w <= usable) {
        line = word;
        lineWidth = w;
      } else {
        const pieces = hardBreak(doc, font, size, word, usable);
        lines.push(...pieces.slice(0, -1));
        line = pieces.at(-1) ?? "";
        lineWidth = measure(doc, font, size, line);
      }
    }
    lines.push(line);
  }
  return lines;
}

interface TextStyle {
  font?: string;
  size?: number;
  color?: string;
}

/** Draws wrapped text at doc.y across the content width, continuing on new pages as needed. */
function writeLines(doc: Doc, text: string, style: TextStyle & { x?: number; width?: number } = {}): void {
  const font = style.font ?? FONT.regular;
  const size = style.size ?? 9.5;
  const lh = lineHeight(size);
  const x = style.x ?? doc.page.margins.left;
  for (const line of wrapLines(doc, text, style.width ?? contentWidth(doc), font, size)) {
    if (doc.y + lh > bottom(doc)) newPage(doc);
    const y = doc.y;
    doc.fillColor(style.color ?? "#222");
    if (line) drawText(doc, font, size, line, x, y);
    doc.x = doc.page.margins.left;
    doc.y = y + lh;
  }
}

export function paragraph(doc: Doc, text: string, options: { size?: number; color?: string; font?: string } = {}): void {
  const size = options.size ?? 9.5;
  // A lead-in ("…listed below:") stays with the start of the table or chart it introduces.
  const leadIn = text.trimEnd().endsWith(":");
  ensureSpace(doc, lineHeight(size) * 2 + (leadIn ? 70 : 0));
  writeLines(doc, safeText(text), { font: options.font ?? FONT.regular, size, color: options.color ?? "#222" });
  doc.y += size * 0.4;
}

/**
 * Preformatted text (a JSON policy, a config excerpt) in the monospace font. Each line keeps its
 * indentation: writeLines splits at spaces and would drop leading ones, flattening JSON nesting.
 * A line too long for the page wraps under its own indent, two characters further in.
 */
export function codeBlock(doc: Doc, text: string, options: { size?: number; color?: string } = {}): void {
  const size = options.size ?? 7.5;
  const lh = lineHeight(size);
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  const charWidth = measure(doc, FONT.mono, size, " ");
  ensureSpace(doc, lh * 3);
  for (const raw of safeText(text).replace(/\t/g, "  ").split(/\r\n|\r|\n/)) {
    const body = raw.trimStart();
    // Deep nesting stops indenting at half the width, so every line keeps room for its text.
    const indent = Math.min((raw.length - body.length) * charWidth, width / 2);
    wrapLines(doc, body, width - indent - 2 * charWidth, FONT.mono, size).forEach((line, n) => {
      if (doc.y + lh > bottom(doc)) newPage(doc);
      const y = doc.y;
      doc.font(FONT.mono).fontSize(size).fillColor(options.color ?? "#222");
      if (line) doc.text(line, left + indent + (n > 0 ? 2 * charWidth : 0), y, { lineBreak: false });
      doc.x = left;
      doc.y = y + lh;
    });
  }
  doc.y += size * 0.4;
}

export function keyValues(doc: Doc, rows: [string, string][]): void {
  table(doc, [{ header: "", width: 0.3 }, { header: "", width: 0.7 }], rows, { headerless: true });
}

// ------------------------------------------------------------------ tables

export interface Column {
  header: string;
  /** Fraction of the content width. */
  width: number;
  align?: "left" | "right";
}

export interface TableOptions {
  headerless?: boolean;
  size?: number;
  /** Cell padding in points (default 3); dense appendix tables use less. */
  pad?: number;
}

/**
 * A word wider than this share of the table is an ARN, a file name or a digest: it may break at
 * its punctuation (BREAKS). A word without punctuation (an identifier such as
 * disableBypassPermissionsMode) could only break between letters, so it is kept whole up to more.
 */
const LONG_WORD_SHARE = 0.25;
const LONG_PLAIN_WORD_SHARE = 0.4;
const PUNCTUATED = /[:\-,;=&?.@_|]/;
/** The smallest font a table shrinks to so that its words fit their columns. */
const MIN_TABLE_SIZE = 6.5;

/**
 * Per column, the width its longest word needs (header in bold, cells in regular), so no word is
 * broken in the middle ("Reject|ed", "bypassPermi|ssions", a short hash, an ISO timestamp). Words
 * wider than LONG_WORD_SHARE of the table are left out: they break at separators whatever happens.
 */
function columnNeeds(doc: Doc, columns: Column[], rows: string[][], total: number, pad: number, size: number, withHeader: boolean): number[] {
  const need = columns.map(() => 0);
  const visit = (text: string, i: number, font: string) => {
    // A path may break between folders (see BREAKS), so its widest folder is what must fit.
    for (const word of safeText(text).split(/\s+/).flatMap((token) => token.split(BREAKS[0]))) {
      if (!word) continue;
      const w = measure(doc, font, size, word);
      const cap = total * (PUNCTUATED.test(word) ? LONG_WORD_SHARE : LONG_PLAIN_WORD_SHARE);
      if (w <= cap && w > need[i]!) need[i] = w;
    }
  };
  if (withHeader) columns.forEach((c, i) => visit(c.header, i, FONT.bold));
  for (const row of rows) columns.forEach((_, i) => visit(row[i] ?? "", i, FONT.regular));
  // wrapLines keeps half a point in hand; a little more absorbs rounding in the PDF's glyph widths.
  return need.map((w) => (w > 0 ? w + 2 * pad + 1 : 0));
}

/**
 * Moves width to columns whose longest word does not fit from columns with room to spare (in
 * proportion to that room); null when the spare room is not enough.
 */
function redistribute(base: number[], need: number[]): number[] | null {
  const deficit = base.reduce((sum, w, i) => sum + Math.max(0, need[i]! - w), 0);
  if (deficit === 0) return base;
  const slack = base.map((w, i) => Math.max(0, w - need[i]!));
  const spare = slack.reduce((a, b) => a + b, 0);
  if (spare < deficit) return null;
  return base.map((w, i) => (need[i]! > w ? need[i]! : w - (slack[i]! / spare) * deficit));
}

/**
 * Column widths (points) and font size for a table: the columns' own shares where every word fits,
 * else width moved between columns, else a smaller font (down to MIN_TABLE_SIZE). When even that
 * is not enough, each short column gets a share of the spare room and its longest words wrap.
 */
function fitColumns(doc: Doc, columns: Column[], rows: string[][], total: number, pad: number, size: number, withHeader: boolean): { widths: number[]; size: number } {
  const base = columns.map((c) => c.width * total);
  for (let s = size; ; s = Math.max(MIN_TABLE_SIZE, s - 0.5)) {
    const need = columnNeeds(doc, columns, rows, total, pad, s, withHeader);
    const widths = redistribute(base, need);
    if (widths) return { widths, size: s };
    if (s <= MIN_TABLE_SIZE) {
      const slack = base.map((w, i) => Math.max(0, w - need[i]!));
      const short = base.map((w, i) => Math.max(0, need[i]! - w));
      const spare = slack.reduce((a, b) => a + b, 0);
      const deficit = short.reduce((a, b) => a + b, 0);
      return { widths: base.map((w, i) => (short[i]! > 0 ? w + (short[i]! / deficit) * spare : w - slack[i]!)), size: s };
    }
  }
}

/** Column widths, type size and each row's wrapped lines, as `table` draws them and `tableHeight` measures them. */
function tableGeometry(doc: Doc, columns: Column[], rows: string[][], options: TableOptions) {
  const width = contentWidth(doc);
  const pad = options.pad ?? 3;
  const { widths, size } = fitColumns(doc, columns, rows, width, pad, options.size ?? 8, !options.headerless);
  const lh = lineHeight(size);
  const layout = (cells: string[], font: string) => cells.map((cell, i) => wrapLines(doc, safeText(cell ?? ""), widths[i]! - 2 * pad, font, size));
  const headerCells = options.headerless ? null : layout(columns.map((c) => c.header), FONT.bold);
  const headerHeight = headerCells ? Math.max(...headerCells.map((l) => l.length)) * lh + 2 * pad : 0;
  return { width, pad, widths, size, lh, layout, headerCells, headerHeight };
}

/** The height `table` takes for these rows when nothing breaks across a page (header, rows, spacing). */
export function tableHeight(doc: Doc, columns: Column[], rows: string[][], options: TableOptions = {}): number {
  const { pad, size, lh, layout, headerHeight } = tableGeometry(doc, columns, rows, options);
  return headerHeight + rows.reduce((sum, row) => sum + Math.max(1, ...layout(row, FONT.regular).map((l) => l.length)) * lh + 2 * pad, 0) + size * 0.6;
}

/**
 * A table whose cells wrap (long tokens included) and whose rows break across pages: the header
 * row repeats on each new page, and a row taller than a page continues on the next one, so no
 * value is ever cut off or drawn past the page edge.
 */
export function table(doc: Doc, columns: Column[], rows: string[][], options: TableOptions = {}): void {
  const left = doc.page.margins.left;
  const { width, pad, widths, size, lh, layout, headerCells, headerHeight } = tableGeometry(doc, columns, rows, options);

  const drawSlice = (cells: string[][], from: number, count: number, font: string, fill?: string) => {
    const h = count * lh + 2 * pad;
    const y = doc.y;
    if (fill) doc.save().rect(left, y, width, h).fill(fill).restore();
    doc.font(font).fontSize(size).fillColor("#111");
    let x = left;
    cells.forEach((lines, i) => {
      const colWidth = widths[i]!;
      lines.slice(from, from + count).forEach((line, n) => {
        if (!line) return;
        const lx = columns[i]!.align === "right" ? x + colWidth - pad - measure(doc, font, size, line) : x + pad;
        drawText(doc, font, size, line, lx, y + pad + n * lh);
      });
      x += colWidth;
    });
    doc.save().moveTo(left, y + h).lineTo(left + width, y + h).lineWidth(0.3).strokeColor("#bbb").stroke().restore();
    doc.x = left;
    doc.y = y + h;
  };
  const header = () => {
    if (headerCells) drawSlice(headerCells, 0, Math.max(...headerCells.map((l) => l.length)), FONT.bold, "#e8ecf2");
  };
  const pageRoom = () => bottom(doc) - doc.page.margins.top - headerHeight;

  // Keep the header with at least the start of the first row: never a header alone at a page foot.
  const firstRow = rows[0] ? Math.min(3, Math.max(1, ...layout(rows[0], FONT.regular).map((l) => l.length))) : 1;
  ensureSpace(doc, headerHeight + firstRow * lh + 2 * pad + 4);
  header();
  for (const [r, row] of rows.entries()) {
    const cells = layout(row, FONT.regular);
    const total = Math.max(1, ...cells.map((l) => l.length));
    const h = total * lh + 2 * pad;
    // A row that does not fit moves whole to the next page, except the first: moving it would leave
    // the header just drawn alone at the page foot, so it starts here and continues over the page.
    if (doc.y + h > bottom(doc) && h <= pageRoom() && r > 0) {
      newPage(doc);
      header();
    }
    let from = 0;
    while (from < total) {
      let fits = Math.floor((bottom(doc) - doc.y - 2 * pad) / lh);
      if (fits < Math.min(3, total - from)) {
        newPage(doc);
        header();
        fits = Math.floor((bottom(doc) - doc.y - 2 * pad) / lh);
      }
      const count = Math.min(fits, total - from);
      drawSlice(cells, from, count, FONT.regular);
      from += count;
    }
  }
  doc.y += size * 0.6;
}
