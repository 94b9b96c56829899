import type { ReportMeta } from "./model.ts";
import { createDocument, heading, keyValues, paragraph, table, type Doc, type PdfFonts } from "./pdf-layout.ts";

/** Inline Markdown to plain text: emphasis and code marks dropped, backslash escapes undone. */
function inline(text: string): string {
  return text.replace(/\*\*|`/g, "").replace(/\\(.)/g, "$1");
}

function cells(line: string): string[] {
  // Split on pipes that are not escaped (escapeMarkdown writes a log's "|" as "\|").
  return line.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((c) => inline(c.trim()));
}

function drawTable(doc: Doc, rows: string[][]): void {
  const [header, ...body] = rows;
  if (!header) return;
  if (header.every((h) => h === "") && header.length === 2) {
    keyValues(doc, body.map((r) => [r[0] ?? "", r[1] ?? ""]));
    return;
  }
  table(doc, header.map((h) => ({ header: h, width: 1 / header.length })), body);
}

/**
 * Renders a memo's Markdown (the subset our templates use: headings, paragraphs, bullet lists,
 * one level of nested bullets, pipe tables) as a PDF, so the memo can be signed on paper or with a PDF signature. Pure.
 */
export function renderMemoPdf(markdown: string, title: string, meta: ReportMeta, fonts?: PdfFonts): Promise<Buffer> {
  const { doc, done } = createDocument({
    title, author: meta.preparedBy ?? meta.organisation, subject: `${title}, ${meta.period}, build ${meta.buildId}`, creator: `evidence ${meta.toolVersion}`,
    date: meta.generatedAt, fonts,
  });
  doc.addPage();
  const lines = markdown.split(/\r?\n/);
  let para: string[] = [];
  let rows: string[][] = [];
  const flush = () => {
    if (para.length) paragraph(doc, inline(para.join(" ")));
    if (rows.length) drawTable(doc, rows);
    para = [];
    rows = [];
  };
  for (const line of lines) {
    if (line.startsWith("|")) {
      if (para.length) flush();
      if (!/^\|(\s*:?-+:?\s*\|)+$/.test(line.trim())) rows.push(cells(line));
      continue;
    }
    if (rows.length) flush();
    const h = line.match(/^(#{1,3}) (.*)$/);
    if (h) {
      flush();
      heading(doc, inline(h[2]!), Math.min(h[1]!.length, 3) as 1 | 2 | 3);
    } else if (line.startsWith("- ")) {
      flush();
      para = [`•  ${line.slice(2)}`];
    } else if (line.startsWith("  - ")) {
      // A nested item (a finding under its rule): indented with no-break spaces, which the line
      // breaker keeps, and marked with a dash so it reads as belonging to the bullet above.
      flush();
      para = [`\u00a0\u00a0\u00a0\u00a0–  ${line.slice(4)}`];
    } else if (line.trim() === "") flush();
    else para.push(line.trim());
  }
  flush();
  doc.end();
  return done;
}
