import { contentWidth, drawText, ensureSpace, FONT, lineHeight, safeText, wrapLines, type Doc } from "./pdf-layout.ts";

/**
 * Small vector charts drawn with pdfkit primitives (rectangles, lines, text), so they stay sharp
 * at any zoom, add no raster images, and their labels remain extractable text.
 */
export interface Series {
  name: string;
  color: string;
}

export interface BarDatum {
  label: string;
  /** One value per series, stacked left to right. */
  values: number[];
  /** Text after the bar; defaults to the total. */
  note?: string;
}

const AXIS = "#888";
const LABEL = "#333";

function legend(doc: Doc, series: Series[], x: number, y: number): void {
  let lx = x;
  doc.font(FONT.regular).fontSize(7.5);
  for (const s of series) {
    doc.save().rect(lx, y + 1, 8, 8).fill(s.color).restore();
    doc.fillColor(LABEL).text(s.name, lx + 11, y, { lineBreak: false });
    lx += 11 + doc.widthOfString(s.name) + 14;
  }
}

function title(doc: Doc, text: string, x: number, y: number): void {
  doc.font(FONT.bold).fontSize(10).fillColor("#111").text(text, x, y, { lineBreak: false });
}

const LABEL_SIZE = 7.5;

/** Widest of `texts` at the label size plus the 6 pt gutter (and 1 pt for wrapLines' margin), within [min, max]. */
function fitWidth(doc: Doc, texts: string[], min: number, max: number): number {
  doc.font(FONT.regular).fontSize(LABEL_SIZE);
  return Math.min(max, Math.max(min, ...texts.map((t) => doc.widthOfString(t) + 7)));
}

/**
 * Horizontal stacked bars, one per datum. `max` fixes the scale (e.g. 1 for ratios); by default
 * the largest total fills the plot. The label and note areas are as wide as their longest text
 * (within limits that keep the plot at least a third of the width); a label longer wraps onto
 * more lines, so a label is never cut off.
 */
export function horizontalBars(doc: Doc, spec: { title: string; series: Series[]; data: BarDatum[]; max?: number; labelWidth?: number }): void {
  const barH = 11;
  const gap = 5;
  const total = (d: BarDatum) => d.values.reduce((a, b) => a + b, 0);
  const notes = spec.data.map((d) => safeText(d.note ?? String(total(d))));
  const labels = spec.data.map((d) => safeText(d.label));
  const width = contentWidth(doc);
  const noteWidth = fitWidth(doc, notes, 40, width * 0.3);
  const labelWidth = fitWidth(doc, labels, spec.labelWidth ?? 60, width * 0.65 - noteWidth);
  const lh = lineHeight(LABEL_SIZE);
  const rows = spec.data.map((_, i) => {
    const label = wrapLines(doc, labels[i]!, labelWidth - 6, FONT.regular, LABEL_SIZE);
    const note = wrapLines(doc, notes[i]!, noteWidth - 6, FONT.regular, LABEL_SIZE);
    return { label, note, height: Math.max(barH, Math.max(label.length, note.length) * lh) + gap };
  });
  const height = 34 + rows.reduce((sum, r) => sum + r.height, 0) + 18;
  ensureSpace(doc, height);
  const x0 = doc.page.margins.left;
  const top = doc.y;
  title(doc, spec.title, x0, top);
  legend(doc, spec.series, x0, top + 15);
  const plotX = x0 + labelWidth;
  const plotW = width - labelWidth - noteWidth;
  const max = spec.max ?? Math.max(1, ...spec.data.map(total));
  let y = top + 34;
  const plotTop = y;
  spec.data.forEach((d, i) => {
    const row = rows[i]!;
    doc.font(FONT.regular).fontSize(LABEL_SIZE).fillColor(LABEL);
    row.label.forEach((line, n) => drawText(doc, FONT.regular, LABEL_SIZE, line, x0, y + 1.5 + n * lh));
    let x = plotX;
    d.values.forEach((v, s) => {
      const w = (Math.max(0, v) / max) * plotW;
      if (w > 0) doc.save().rect(x, y, w, barH).fill(spec.series[s]?.color ?? "#999").restore();
      x += w;
    });
    doc.font(FONT.regular).fontSize(LABEL_SIZE).fillColor(LABEL);
    row.note.forEach((line, n) => drawText(doc, FONT.regular, LABEL_SIZE, line, x + 4, y + 1.5 + n * lh));
    y += row.height;
  });
  doc.save().moveTo(plotX, plotTop - 2).lineTo(plotX, y).lineWidth(0.6).strokeColor(AXIS).stroke().restore();
  doc.x = x0;
  doc.y = top + height;
}

/** Vertical stacked columns over time (e.g. weeks), with totals above and a trend line through them. */
export function columnTrend(doc: Doc, spec: { title: string; series: Series[]; data: BarDatum[]; yLabel: string }): void {
  const plotH = 120;
  const height = 34 + plotH + 40;
  ensureSpace(doc, height);
  const x0 = doc.page.margins.left;
  const top = doc.y;
  title(doc, spec.title, x0, top);
  legend(doc, spec.series, x0, top + 15);
  const plotX = x0 + 34;
  const plotW = contentWidth(doc) - 40;
  const plotY = top + 34;
  const base = plotY + plotH;
  const totals = spec.data.map((d) => d.values.reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  // Axes and three gridlines with their values.
  doc.font(FONT.regular).fontSize(7).fillColor(LABEL);
  for (const f of [0, 0.5, 1]) {
    const gy = base - f * plotH;
    doc.save().moveTo(plotX, gy).lineTo(plotX + plotW, gy).lineWidth(f === 0 ? 0.6 : 0.3).strokeColor(f === 0 ? AXIS : "#ddd").stroke().restore();
    const label = String(Math.round(max * f));
    doc.fillColor(LABEL).text(label, plotX - 4 - doc.widthOfString(label), gy - 4, { lineBreak: false });
  }
  doc.save().rotate(-90, { origin: [x0 + 6, base] }).font(FONT.regular).fontSize(7).fillColor(LABEL).text(spec.yLabel, x0 + 6, base, { lineBreak: false }).restore();
  const slot = plotW / Math.max(1, spec.data.length);
  const colW = Math.min(36, slot * 0.6);
  const tops: [number, number][] = [];
  spec.data.forEach((d, i) => {
    const cx = plotX + slot * i + (slot - colW) / 2;
    let y = base;
    d.values.forEach((v, s) => {
      const h = (Math.max(0, v) / max) * plotH;
      if (h > 0) doc.save().rect(cx, y - h, colW, h).fill(spec.series[s]?.color ?? "#999").restore();
      y -= h;
    });
    const total = String(totals[i]);
    doc.font(FONT.regular).fontSize(7).fillColor(LABEL);
    doc.text(total, cx + colW / 2 - doc.widthOfString(total) / 2, y - 10, { lineBreak: false });
    // Wrapped under its column (the 40 pt under the axis hold four lines), never cut off.
    wrapLines(doc, safeText(d.label), slot - 2, FONT.regular, 7).slice(0, 4).forEach((line, n) => {
      doc.font(FONT.regular).fontSize(7).fillColor(LABEL);
      doc.text(line, cx + colW / 2 - doc.widthOfString(line) / 2, base + 4 + n * lineHeight(7), { lineBreak: false });
    });
    tops.push([cx + colW / 2, y]);
  });
  if (tops.length > 1) {
    doc.save().lineWidth(1).strokeColor("#444").dash(2, { space: 2 });
    doc.moveTo(tops[0]![0], tops[0]![1]);
    for (const [x, y] of tops.slice(1)) doc.lineTo(x, y);
    doc.stroke().undash().restore();
  }
  doc.x = x0;
  doc.y = top + height;
}
