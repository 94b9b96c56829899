import type PDFDocument from "pdfkit";

type Doc = InstanceType<typeof PDFDocument>;

/** Page geometry and the small drawing helpers the PDF renderer shares. */
export const PAGE = { margin: 56, headerY: 24, footerY: 800 } as const;
export const FONT = { regular: "Helvetica", bold: "Helvetica-Bold", mono: "Courier" } as const;

export function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

export function bottom(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

export function heading(doc: Doc, text: string, level: 1 | 2 | 3 = 1): void {
  const size = level === 1 ? 18 : level === 2 ? 13 : 11;
  ensureSpace(doc, size * 4);
  if (level === 1 && doc.y > doc.page.margins.top + 10) doc.moveDown(0.6);
  doc.font(FONT.bold).fontSize(size).fillColor("#111").text(text, { width: contentWidth(doc) });
  doc.moveDown(level === 1 ? 0.5 : 0.3);
  doc.font(FONT.regular).fontSize(9.5).fillColor("#222");
}

export function paragraph(doc: Doc, text: string, options: { size?: number; color?: string; font?: string } = {}): void {
  doc.font(options.font ?? FONT.regular).fontSize(options.size ?? 9.5).fillColor(options.color ?? "#222");
  ensureSpace(doc, doc.currentLineHeight() * 2);
  doc.text(safeText(text), { width: contentWidth(doc) });
  doc.moveDown(0.4);
}

export function keyValues(doc: Doc, rows: [string, string][]): void {
  table(doc, [{ header: "", width: 0.3 }, { header: "", width: 0.7 }], rows, { headerless: true });
}

/**
 * Strips what would break layout or mislead a reader: control characters and bidi overrides
 * (a log line can carry U+202E to make text read backwards), and very long values.
 */
export function safeText(text: string, max = 4000): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, "\uFFFD");
  return cleaned.length > max ? `${cleaned.slice(0, max)}… [${cleaned.length - max} more characters in the CSV]` : cleaned;
}

export interface Column {
  header: string;
  /** Fraction of the content width. */
  width: number;
  align?: "left" | "right";
}

/**
 * A table whose rows wrap long values and break across pages, repeating the header row on
 * each new page so a reader never loses the column names.
 */
export function table(doc: Doc, columns: Column[], rows: string[][], options: { headerless?: boolean; size?: number } = {}): void {
  const size = options.size ?? 8;
  const width = contentWidth(doc);
  const left = doc.page.margins.left;
  const pad = 3;
  const widths = columns.map((c) => c.width * width);
  const rowHeight = (cells: string[], font: string) => {
    doc.font(font).fontSize(size);
    return Math.max(...cells.map((cell, i) => doc.heightOfString(safeText(cell, 800), { width: widths[i]! - 2 * pad }))) + 2 * pad;
  };
  const drawRow = (cells: string[], font: string, fill?: string) => {
    const h = rowHeight(cells, font);
    const y = doc.y;
    if (fill) doc.save().rect(left, y, width, h).fill(fill).restore();
    let x = left;
    doc.font(font).fontSize(size).fillColor("#111");
    cells.forEach((cell, i) => {
      doc.text(safeText(cell, 800), x + pad, y + pad, { width: widths[i]! - 2 * pad, align: columns[i]!.align ?? "left" });
      x += widths[i]!;
    });
    doc.save().moveTo(left, y + h).lineTo(left + width, y + h).lineWidth(0.3).strokeColor("#bbb").stroke().restore();
    doc.x = left;
    doc.y = y + h;
  };
  const header = () => {
    if (!options.headerless) drawRow(columns.map((c) => c.header), FONT.bold, "#e8ecf2");
  };
  ensureSpace(doc, (options.headerless ? 0 : rowHeight(columns.map((c) => c.header), FONT.bold)) + 20);
  header();
  for (const row of rows) {
    const h = rowHeight(row, FONT.regular);
    if (doc.y + h > bottom(doc)) {
      doc.addPage();
      header();
    }
    drawRow(row, FONT.regular);
  }
  doc.moveDown(0.6);
}
