import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import type { Db } from "../../store/index.ts";
import { CHAIN_FILE, isChainFile, verifyChain, type ChainFile, type ChainVerification } from "./hook-chain.ts";

/** Bumped when verifyChain's result changes meaning or shape: stored results of an older version are redone. */
const VERIFICATION_VERSION = 1;

export interface FoundFile {
  /** Absolute path, to read. */
  file: string;
  /** Workspace-relative path as stored (redacted where it could hold a secret). */
  stored: string;
}

/** The first bytes of a file: enough for its first line's `prev` (a hook line is a payload, well under 1 MiB). */
function head(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Verifies the hash chains of the `evidence hook` logs among a source's files, one chain per
 * folder (the hook writes one folder per agent), and keeps the result per folder for the
 * evidence inventory and the agent-hook-log-chain-intact rule. Files of the source that the hook
 * did not write (no `prev` on their first line) are left out. A folder is re-verified only when
 * its files' names, sizes or times changed; time is linear in the bytes of the chain files.
 */
export function recordHookChains(db: Db, source: string, found: readonly FoundFile[], now: Date): ChainVerification[] {
  const folders = new Map<string, FoundFile[]>();
  for (const f of found) {
    if (!CHAIN_FILE.test(f.stored)) continue;
    const folder = f.stored.slice(0, f.stored.lastIndexOf("/") + 1) || "./";
    folders.set(folder, [...(folders.get(folder) ?? []), f]);
  }
  const out: ChainVerification[] = [];
  const kept = new Set<string>();
  for (const [folder, files] of [...folders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const hash = createHash("sha256").update(`chain ${VERIFICATION_VERSION}\n`);
    for (const f of [...files].sort((a, b) => (a.stored < b.stored ? -1 : 1))) {
      const s = statSync(f.file);
      hash.update(`${f.stored}\t${s.size}\t${s.mtimeMs}\n`);
    }
    const inputs = hash.digest("hex");
    const known = db.prepare("SELECT inputs_sha256, result FROM hook_chains WHERE source = ? AND folder = ?").get(source, folder) as { inputs_sha256: string; result: string } | undefined;
    if (known?.inputs_sha256 === inputs) {
      out.push(JSON.parse(known.result) as ChainVerification);
      kept.add(folder);
      continue;
    }
    // Only files whose first line the hook wrote are read whole: other dated logs cost one small read.
    const chain: ChainFile[] = files.filter((f) => isChainFile({ path: f.stored, content: head(f.file) })).map((f) => ({ path: f.stored, content: readFileSync(f.file) }));
    if (chain.length === 0) continue;
    const result = verifyChain(folder, chain);
    db.prepare(
      `INSERT INTO hook_chains (source, folder, inputs_sha256, verified_at, ok, files, lines, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, folder) DO UPDATE SET inputs_sha256 = excluded.inputs_sha256, verified_at = excluded.verified_at, ok = excluded.ok,
         files = excluded.files, lines = excluded.lines, result = excluded.result`,
    ).run(source, folder, inputs, now.toISOString(), result.problems.length === 0 ? 1 : 0, result.files, result.lines, JSON.stringify(result));
    out.push(result);
    kept.add(folder);
  }
  for (const r of db.prepare("SELECT folder FROM hook_chains WHERE source = ?").pluck().all(source) as string[]) {
    if (!kept.has(r)) db.prepare("DELETE FROM hook_chains WHERE source = ? AND folder = ?").run(source, r);
  }
  noteProblems(db, source, out);
  return out;
}

const NOTE = "hash chain: ";

/**
 * Each problem also becomes a note on its file, so evidence-inventory.csv says which files broke
 * the chain. Applied from the results whether fresh or kept: a file re-read for another reason
 * gets its parser notes rewritten, and the chain's are added back here.
 */
function noteProblems(db: Db, source: string, results: readonly ChainVerification[]): void {
  const byFile = new Map<string, string[]>();
  for (const r of results) for (const p of r.problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), `${NOTE}${p.message}`]);
  const rows = db.prepare("SELECT id, path, notes FROM source_files WHERE source = ?").all(source) as { id: number; path: string; notes: string | null }[];
  const update = db.prepare("UPDATE source_files SET notes = ? WHERE id = ?");
  for (const row of rows) {
    const kept = row.notes ? (JSON.parse(row.notes) as string[]).filter((n) => !n.startsWith(NOTE)) : [];
    const notes = [...kept, ...(byFile.get(row.path) ?? [])];
    const text = notes.length ? JSON.stringify(notes) : null;
    if (text !== row.notes) update.run(text, row.id);
  }
}
