import { UsageError } from "../errors.ts";
import { parsePeriod } from "../period.ts";
import { createRedactor } from "../redact/index.ts";
import { purgeBefore, type PurgeResult } from "../store/purge.ts";
import { type GlobalOptions, openWorkspace, output, withStore } from "./context.ts";

export interface PurgeArgs extends GlobalOptions {
  before: string;
  dryRun: boolean;
}

/**
 * The cutoff as a UTC instant: a date or a period label means its first moment in the report time
 * zone (so `--before 2026-01` keeps January), an ISO time with a clock is taken as written.
 */
export function parseCutoff(text: string, timezone: string): string {
  const fail = () => new UsageError(`invalid --before "${text}": expected a date (2026-01-01), a period (2026-01, 2026-Q1, 2026) or an ISO time`);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isFinite(ms)) throw fail();
    return new Date(ms).toISOString();
  }
  try {
    return parsePeriod(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}..${text}` : text, timezone).startIso;
  } catch {
    throw fail();
  }
}

function describe(r: PurgeResult): string {
  const rows = Object.entries(r.removed).filter(([, n]) => n > 0);
  const total = rows.reduce((n, [, k]) => n + k, 0);
  const what = rows.length ? rows.map(([t, n]) => `${n} ${t}`).join(", ") : "nothing";
  const findings = `${r.scrubbedFindings} stored finding message(s) quoting those records`;
  return r.dryRun
    ? `Dry run: would delete ${total} rows older than ${r.before} (${what}) from ${r.files} source files, and clear ${findings}; builds are kept.`
    : `Deleted ${total} rows older than ${r.before} (${what}) from ${r.files} source files, and cleared ${findings}; builds and file provenance kept, store compacted.`;
}

export async function purgeCommand(args: PurgeArgs): Promise<number> {
  const ws = openWorkspace(args);
  const before = parseCutoff(args.before, ws.loaded.config.report.timezone);
  const redactor = createRedactor(ws.loaded.config.redaction.patterns);
  const result = await withStore(ws.dbPath, async (db) => purgeBefore(db, before, { now: new Date(), dryRun: args.dryRun, redact: redactor.redact }), ws.lock);
  output(args, result, () => describe(result));
  return 0;
}
