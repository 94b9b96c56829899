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

/** Width of a string in a font and size, cached: tables repeat the same words thousands of times. */
function measure(doc: Doc, font: string, size: number, text: string): number {
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

/**
 * Splits a token wider than a line: first after separators (/, :, -, …), then between characters.
 * The first piece may be given less room (`firstWidth`: what is left on the current line).
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
  for (const part of token.split(/(?<=[/:\-,;=&?.@_|])/)) {
    const w = measure(doc, font, size, part);
    if (w <= width) push(part, w);
    else for (const ch of part) push(ch, measure(doc, font, size, ch));
  }
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
    doc.font(font).fontSize(size).fillColor(style.color ?? "#222");
    if (line) doc.text(line, x, y, { lineBreak: false });
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
 * A table whose cells wrap (long tokens included) and whose rows break across pages: the header
 * row repeats on each new page, and a row taller than a page continues on the next one, so no
 * value is ever cut off or drawn past the page edge.
 */
export function table(doc: Doc, columns: Column[], rows: string[][], options: TableOptions = {}): void {
  const size = options.size ?? 8;
  const lh = lineHeight(size);
  const width = contentWidth(doc);
  const left = doc.page.margins.left;
  const pad = options.pad ?? 3;
  const widths = columns.map((c) => c.width * width);
  const layout = (cells: string[], font: string) => cells.map((cell, i) => wrapLines(doc, safeText(cell ?? ""), widths[i]! - 2 * pad, font, size));
  const headerCells = options.headerless ? null : layout(columns.map((c) => c.header), FONT.bold);
  const headerHeight = headerCells ? Math.max(...headerCells.map((l) => l.length)) * lh + 2 * pad : 0;

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
        doc.text(line, lx, y + pad + n * lh, { lineBreak: false });
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
  for (const row of rows) {
    const cells = layout(row, FONT.regular);
    const total = Math.max(1, ...cells.map((l) => l.length));
    const h = total * lh + 2 * pad;
    if (doc.y + h > bottom(doc) && h <= pageRoom()) {
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
