import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { PdfFonts } from "./pdf-layout.ts";

/**
 * The PDF's embedded fonts, all SIL OFL 1.1 Noto fonts from Google Fonts.
 * - Main: Noto Sans SC from @expo-google-fonts/noto-sans-sc. Why this one: a single static TTF per
 *   weight that covers Latin, Cyrillic, Greek, Chinese and Japanese kana, so names and commit
 *   messages in those scripts render without fallback. Hangul is not covered.
 * - Fallbacks, per character where the main font has no glyph (pdf-layout.ts textRuns): Noto Sans
 *   Arabic (@expo-google-fonts/noto-sans-arabic), Noto Sans Hebrew (@fontsource/noto-sans-hebrew,
 *   its Hebrew subset; fontkit reads WOFF) and Noto Emoji (@expo-google-fonts/noto-emoji: the
 *   monochrome outline emoji; colour emoji fonts are bitmaps pdfkit cannot embed). Noto Emoji has
 *   one weight, used for bold too.
 * The files are large, but pdfkit subsets them: a report embeds only the glyphs it uses.
 */
const FILES = {
  regular: "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf",
  bold: "@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf",
  fallbacks: [
    { regular: "@expo-google-fonts/noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf", bold: "@expo-google-fonts/noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf" },
    { regular: "@fontsource/noto-sans-hebrew/files/noto-sans-hebrew-hebrew-400-normal.woff", bold: "@fontsource/noto-sans-hebrew/files/noto-sans-hebrew-hebrew-700-normal.woff" },
    { regular: "@expo-google-fonts/noto-emoji/400Regular/NotoEmoji_400Regular.ttf", bold: "@expo-google-fonts/noto-emoji/400Regular/NotoEmoji_400Regular.ttf" },
  ],
} as const;

let cached: PdfFonts | undefined;

/** Reads the font files once per process. */
export function loadPdfFonts(): PdfFonts {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(file));
    cached = {
      regular: read(FILES.regular),
      bold: read(FILES.bold),
      fallbacks: FILES.fallbacks.map((f) => ({ regular: read(f.regular), bold: read(f.bold) })),
    };
  }
  return cached;
}
