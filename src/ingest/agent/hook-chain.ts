import { createHash } from "node:crypto";

/**
 * Verification of the hash chain `evidence hook` writes (bin/evidence-hook.js): each line carries
 * `prev`, the SHA-256 (hex) of the previous line's bytes, and the first line of a day's file links
 * to the last line of the folder's newest earlier file. Pure: the caller reads the files.
 *
 * What a chain can and cannot show: an edited line breaks the link of the line after it; a deleted
 * line or a deleted day's file breaks the link of the line that followed it. The hashes alone do
 * not tell an edit from a deletion (the next line's `prev` matches no line present either way),
 * so the message names both. Lines cut from the end of the newest file, or the newest files
 * themselves, leave no broken link behind: the chain cannot show them (nor can CloudTrail's
 * digests show the newest hour before its digest is delivered).
 */
export type { ChainProblem, ChainProblemKind, ChainVerification } from "../../store/hook-chains.ts";
import type { ChainVerification } from "../../store/hook-chains.ts";

export interface ChainFile {
  /** Workspace-relative path, as stored. */
  path: string;
  content: Buffer;
}

/** The daily file name the hook writes; other files in the folder are not part of its chain. */
export const CHAIN_FILE = /(^|\/)(\d{4}-\d{2}-\d{2})\.jsonl$/;

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** The `prev` of a line: a hex hash, null for a chain start, undefined when the line has none (or is not JSON). */
function prevOf(line: Buffer): string | null | undefined {
  try {
    const rec = JSON.parse(line.toString("utf8")) as unknown;
    if (!rec || typeof rec !== "object" || Array.isArray(rec) || !("prev" in rec)) return undefined;
    const p = (rec as { prev: unknown }).prev;
    return p === null ? null : typeof p === "string" ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Lines of a file without their newlines; a final newline ends the last line, it does not open another. */
function lines(content: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let nl = content.indexOf(0x0a); nl >= 0; nl = content.indexOf(0x0a, start)) {
    out.push(content.subarray(start, nl));
    start = nl + 1;
  }
  if (start < content.length) out.push(content.subarray(start));
  return out;
}

/** Whether a file is one the hook wrote: a daily file whose first line carries `prev`. */
export function isChainFile(file: ChainFile): boolean {
  if (!CHAIN_FILE.test(file.path)) return false;
  const nl = file.content.indexOf(0x0a);
  return prevOf(file.content.subarray(0, nl < 0 ? file.content.length : nl)) !== undefined;
}

const dayOf = (p: string) => CHAIN_FILE.exec(p)?.[2] ?? "";
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Verifies one folder's chain: its daily files in date order. */
export function verifyChain(folder: string, files: readonly ChainFile[]): ChainVerification {
  const sorted = [...files].sort((a, b) => (dayOf(a.path) < dayOf(b.path) ? -1 : dayOf(a.path) > dayOf(b.path) ? 1 : 0));
  const out: ChainVerification = { folder, files: sorted.length, lines: 0, notes: [], problems: [] };
  let last: { hash: string; file: string; day: string } | null = null;
  for (const f of sorted) {
    const name = f.path.slice(f.path.lastIndexOf("/") + 1);
    const day = dayOf(f.path);
    lines(f.content).forEach((line, i) => {
      out.lines++;
      const at = { file: f.path, line: i + 1 };
      const prev = prevOf(line);
      if (prev === undefined) {
        out.problems.push({ kind: "unlinked-line", ...at, message: `${name} line ${i + 1} carries no hash link (not written by evidence hook, or edited)` });
      } else if (i === 0 && last === null) {
        out.notes.push(prev === null ? `the chain starts at ${name} line 1` : `${name} line 1 links to a line in an earlier file that was not collected`);
      } else if (prev === null) {
        out.problems.push({ kind: "restarted", ...at, message: `${name} line ${i + 1} starts a new chain after ${out.lines - 1} linked lines (the hook's earlier files were moved away, or the line was edited)` });
      } else if (prev !== last!.hash) {
        if (i > 0) {
          out.problems.push({ kind: "broken-link", ...at, message: `${name} line ${i + 1} does not link to line ${i}: line ${i} was edited, or lines between them were deleted` });
        } else {
          const skipped = last!.day && nextDay(last!.day) < day ? `, or a day's file between ${last!.day} and ${day} was deleted` : "";
          out.problems.push({
            kind: skipped ? "missing-file" : "broken-link", ...at,
            message: `${name} line 1 does not link to the last line of ${last!.file.slice(last!.file.lastIndexOf("/") + 1)}: that line was edited or lines were cut from its end${skipped}`,
          });
        }
      }
      last = { hash: sha256(line), file: f.path, day };
    });
  }
  return out;
}
