import { createRequire } from "node:module";
import path from "node:path";

const STANDARD_FONTS = path.join(path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json")), "standard_fonts") + path.sep;

export interface PositionedText {
  page: number;
  str: string;
  /** Left edge and width in PDF points; y is the baseline measured from the page bottom. */
  x: number;
  y: number;
  width: number;
}

export interface PdfLayout {
  pages: { width: number; height: number; text: string }[];
  items: PositionedText[];
  outline: string[];
  info: Record<string, unknown>;
}

/** Text items with their positions, page sizes, outline titles and metadata, read with PDF.js. */
export async function pdfLayout(bytes: Buffer | Uint8Array): Promise<PdfLayout> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, standardFontDataUrl: STANDARD_FONTS }).promise;
  const pages: PdfLayout["pages"] = [];
  const items: PositionedText[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const [, , width, height] = page.view as [number, number, number, number];
    const content = await page.getTextContent();
    let text = "";
    for (const item of content.items) {
      if (!("str" in item)) continue;
      text += item.str + (item.hasEOL ? "\n" : " ");
      if (item.str.trim()) items.push({ page: i, str: item.str, x: item.transform[4] as number, y: item.transform[5] as number, width: item.width });
    }
    pages.push({ width, height, text });
  }
  const outline = ((await doc.getOutline()) ?? []).flatMap(function flat(o: { title: string; items: unknown[] }): string[] {
    return [o.title, ...(o.items as { title: string; items: unknown[] }[]).flatMap(flat)];
  });
  const meta = await doc.getMetadata();
  await doc.destroy();
  return { pages, items, outline, info: meta.info as Record<string, unknown> };
}
