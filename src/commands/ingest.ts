import { ingestSources, type IngestSummary } from "../ingest/index.ts";
import { type GlobalOptions, openWorkspace, output, withStore, type Workspace } from "./context.ts";

export interface IngestArgs extends GlobalOptions {
  source?: string[] | undefined;
  /** Hash every input, even one whose size and modification time are unchanged. */
  rehash?: boolean | undefined;
}

export function describeIngest(summary: IngestSummary): string {
  const lines: string[] = [];
  if (summary.ingested === 0 && summary.failed === 0 && summary.removed === 0) {
    lines.push(`Nothing new to ingest: all ${summary.unchanged} input${summary.unchanged === 1 ? " is" : "s are"} unchanged since the last run.`);
  } else {
    lines.push(
      `Ingested ${summary.ingested} file${summary.ingested === 1 ? "" : "s"} (${summary.accepted} records, ${summary.rejected} rejected, ${summary.redacted} secrets redacted); ` +
        `${summary.unchanged} unchanged, ${summary.removed} removed, ${summary.failed} refused` +
        (summary.skipped ? `, ${summary.skipped} skipped (not logs: digests, Insights, Config; listed in the inventory).` : "."),
    );
  }
  for (const d of summary.droppedSources) {
    lines.push(`  removed source "${d.source}" (${d.reason}): ${d.files} file${d.files === 1 ? "" : "s"} and their records are no longer evidence`);
  }
  // Per source, so a reviewer sees where credentials turn up (the inventory has the count per file).
  const redacted = new Map<string, number>();
  for (const f of summary.files) if (f.redacted) redacted.set(f.source, (redacted.get(f.source) ?? 0) + f.redacted);
  if (redacted.size) lines.push(`  secrets redacted: ${[...redacted].map(([source, n]) => `${source} ${n}`).join(", ")}`);
  for (const f of summary.files) {
    if (f.status === "failed") lines.push(`  refused ${f.source}: ${f.path}: ${f.error}`);
    else if (f.rejected > 0) lines.push(`  ${f.source}: ${f.path}: ${f.rejected} record${f.rejected === 1 ? "" : "s"} rejected (see rejects.csv)`);
    for (const note of f.notes) lines.push(`  note ${f.source}: ${f.path}: ${note}`);
  }
  return lines.join("\n");
}

export async function runIngest(ws: Workspace, only: string[] | undefined, now: Date, rehash = false): Promise<IngestSummary> {
  return withStore(ws.dbPath, (db) => ingestSources(db, ws.loaded, { only, cacheDir: ws.cacheDir, now, progress: ws.progress, rehash }), ws.lock);
}

export async function ingestCommand(args: IngestArgs): Promise<number> {
  const ws = openWorkspace(args);
  // Ingest time is provenance, not report content, so the real clock is right here.
  const summary = await runIngest(ws, args.source, new Date(), args.rehash ?? false);
  output(args, summary, () => describeIngest(summary));
  return 0;
}
