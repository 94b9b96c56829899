import { loadConfig } from "../config.ts";
import { parsePeriod } from "../period.ts";
import { pushdownQueries, type Engine } from "../pushdown/sql.ts";
import { output, type GlobalOptions } from "./context.ts";

export interface PushdownArgs extends GlobalOptions {
  engine: Engine;
  period: string;
  table?: string | undefined;
}

/** Prints the two queries; reads the config only (no store, no lock): the SQL depends on agents, storage and the time zone. */
export async function pushdownCommand(args: PushdownArgs): Promise<number> {
  const { config, file } = loadConfig(args.config);
  const period = parsePeriod(args.period, config.report.timezone);
  const q = pushdownQueries(config, period, args.engine, args.table);
  const where = args.engine === "athena" ? `Athena table ${q.table}` : `CloudTrail Lake event data store ${q.table}`;
  output(args, { engine: q.engine, period: period.label, timezone: period.timezone, table: q.table, fullRows: q.fullRows, usedActions: q.usedActions, notes: q.notes }, () =>
    [
      `-- evidence pushdown ${args.engine} for ${period.label} (${period.timezone}), from ${file}, over the ${where}.`,
      "-- Run both queries and save each result as CSV (Athena: the query result file; Lake: result_*.csv.gz) into a folder",
      "-- a `cloudtrail` source reads; `evidence ingest` then stores the first as calls and the second as counts.",
      ...q.notes.map((n) => `-- Note: ${n}.`),
      "",
      "-- 1. Calls kept one by one: agent identities, destructive and tampering calls, privilege changes, errors, root, AssumeRole.",
      `${q.fullRows};`,
      "",
      "-- 2. Every other call, counted per principal x action x day (the used-actions aggregate).",
      `${q.usedActions};`,
    ].join("\n"),
  );
  return 0;
}
