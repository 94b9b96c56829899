import { bottom, contentWidth, FONT, lineHeight, wrapLines, type Doc, type TocEntry } from "../pdf-layout.ts";

const SIZE = 9.5;
const PAGE_COL = 40;

function entryLines(doc: Doc, e: TocEntry): string[] {
  const indent = e.level === 2 ? 14 : 0;
  return wrapLines(doc, e.title, contentWidth(doc) - indent - PAGE_COL, e.level === 1 ? FONT.bold : FONT.regular, SIZE);
}

function entryHeight(doc: Doc, e: TocEntry): number {
  return entryLines(doc, e).length * lineHeight(SIZE) + (e.level === 1 ? 4 : 0);
}

/** How many pages the contents need: computed before drawing so the reserved pages can be checked. */
export function contentsPages(doc: Doc, entries: readonly TocEntry[]): number {
  const room = bottom(doc) - doc.page.margins.top - 40;
  let pages = 1;
  let used = 0;
  for (const e of entries) {
    const h = entryHeight(doc, e);
    if (used + h > room) {
      pages++;
      used = 0;
    }
    used += h;
  }
  return pages;
}

/** Draws the contents on the reserved pages (first page index `firstPage`, 0-based). */
export function drawContents(doc: Doc, entries: readonly TocEntry[], firstPage: number): void {
  let page = firstPage;
  doc.switchToPage(page);
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  doc.font(FONT.bold).fontSize(18).fillColor("#111").text("Contents", left, doc.page.margins.top, { lineBreak: false });
  let y = doc.page.margins.top + 40;
  for (const e of entries) {
    const h = entryHeight(doc, e);
    if (y + h > bottom(doc)) {
      doc.switchToPage(++page);
      y = doc.page.margins.top;
    }
    if (e.level === 1) y += 4;
    const indent = e.level === 2 ? 14 : 0;
    const font = e.level === 1 ? FONT.bold : FONT.regular;
    const lines = entryLines(doc, e);
    doc.font(font).fontSize(SIZE).fillColor("#111");
    lines.forEach((line, i) => doc.text(line, left + indent, y + i * lineHeight(SIZE), { lineBreak: false }));
    const label = String(e.page);
    const lastY = y + (lines.length - 1) * lineHeight(SIZE);
    doc.text(label, left + width - doc.widthOfString(label), lastY, { lineBreak: false });
    doc.goTo(left, y, width, lines.length * lineHeight(SIZE), e.dest);
    y += lines.length * lineHeight(SIZE);
  }
}
