import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { PdfFonts } from "./pdf-layout.ts";

/**
 * The PDF's embedded font: Noto Sans SC (SIL OFL 1.1) from @expo-google-fonts/noto-sans-sc.
 * Why this one: a single static TTF per weight that covers Latin, Cyrillic, Greek, Chinese and
 * Japanese kana, so names and commit messages in those scripts render without font fallback
 * (pdfkit has none). The files are ~10 MB each, but pdfkit subsets them: a report embeds only
 * the glyphs it uses (tens of KB). Hangul is not covered.
 */
const FILES = {
  regular: "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf",
  bold: "@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf",
} as const;

let cached: PdfFonts | undefined;

/** Reads the regular and bold font files once per process. */
export function loadPdfFonts(): PdfFonts {
  if (!cached) {
    const require = createRequire(import.meta.url);
    cached = { regular: readFileSync(require.resolve(FILES.regular)), bold: readFileSync(require.resolve(FILES.bold)) };
  }
  return cached;
}
