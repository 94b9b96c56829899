import type { ChainVerification } from "../../store/hook-chains.ts";
import type { Db } from "../../store/index.ts";
import type { HookChainReport } from "../model.ts";

/** The hash-chain verification of `evidence hook` logs, per source folder, as ingest recorded it. */
export function collectHookChains(db: Db): HookChainReport[] {
  const rows = db.prepare("SELECT source, folder, result FROM hook_chains ORDER BY source, folder").all() as { source: string; folder: string; result: string }[];
  return rows.map((row) => {
    const r = JSON.parse(row.result) as ChainVerification;
    return { source: row.source, folder: row.folder, files: r.files, lines: r.lines, notes: r.notes, problems: r.problems.map((p) => ({ file: p.file, line: p.line, message: p.message })) };
  });
}
