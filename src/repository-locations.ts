import type { EvidenceRef } from "./evidence-ref.ts";
import repositoryFiles from "./repository-locations.json" with { type: "json" };

/** A place in a file the workspace's repository keeps: the file relative to the workspace, and its line when known. */
export interface RepositoryLocation {
  file: string;
  line?: number;
  ref: string;
}

const KINDS = new Set(repositoryFiles.refKinds);

/** `row 2 (line 14)`, `line 3 log record 1`, `lines 5, 6`: the first line number; `file` or a JSON path has none. */
export function lineOf(locator: string): number | undefined {
  const m = /\blines? (\d+)/.exec(locator);
  const line = m ? Number(m[1]) : NaN;
  return line >= 1 ? line : undefined;
}

/** The finding's evidence in repository files (settings, IAM policies, registers), one per file and line, in evidence order. */
export function repositoryLocations(evidence: readonly EvidenceRef[]): RepositoryLocation[] {
  const seen = new Set<string>();
  const out: RepositoryLocation[] = [];
  for (const e of evidence) {
    if (!KINDS.has(e.ref.slice(0, e.ref.indexOf(":"))) || !e.file) continue;
    const line = lineOf(e.locator);
    const key = `${e.file}\n${line ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: e.file, ...(line ? { line } : {}), ref: e.ref });
    if (out.length === repositoryFiles.maxPerFinding) break;
  }
  return out;
}
