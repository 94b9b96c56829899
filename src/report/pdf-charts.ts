import { contentWidth, ensureSpace, FONT, type Doc } from "./pdf-layout.ts";

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

function ellipsize(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let t = text;
  while (t.length > 1 && doc.widthOfString(`${t}…`) > width) t = t.slice(0, -1);
  return `${t}…`;
}

/**
 * Horizontal stacked bars, one per datum. `max` fixes the scale (e.g. 1 for ratios); by default
 * the largest total fills the plot.
 */
export function horizontalBars(doc: Doc, spec: { title: string; series: Series[]; data: BarDatum[]; max?: number; labelWidth?: number }): void {
  const barH = 11;
  const gap = 5;
  const height = 34 + spec.data.length * (barH + gap) + 18;
  ensureSpace(doc, height);
  const x0 = doc.page.margins.left;
  const top = doc.y;
  title(doc, spec.title, x0, top);
  legend(doc, spec.series, x0, top + 15);
  const labelWidth = spec.labelWidth ?? 110;
  const noteWidth = 150;
  const plotX = x0 + labelWidth;
  const plotW = contentWidth(doc) - labelWidth - noteWidth;
  const max = spec.max ?? Math.max(1, ...spec.data.map((d) => d.values.reduce((a, b) => a + b, 0)));
  let y = top + 34;
  const plotTop = y;
  for (const d of spec.data) {
    doc.font(FONT.regular).fontSize(7.5).fillColor(LABEL);
    doc.text(ellipsize(doc, d.label, labelWidth - 6), x0, y + 1.5, { lineBreak: false });
    let x = plotX;
    d.values.forEach((v, i) => {
      const w = (Math.max(0, v) / max) * plotW;
      if (w > 0) doc.save().rect(x, y, w, barH).fill(spec.series[i]?.color ?? "#999").restore();
      x += w;
    });
    const total = d.values.reduce((a, b) => a + b, 0);
    doc.font(FONT.regular).fontSize(7.5).fillColor(LABEL);
    doc.text(ellipsize(doc, d.note ?? String(total), noteWidth - 8), x + 4, y + 1.5, { lineBreak: false });
    y += barH + gap;
  }
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
    const label = ellipsize(doc, d.label, slot - 2);
    doc.text(label, cx + colW / 2 - doc.widthOfString(label) / 2, base + 4, { lineBreak: false });
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
