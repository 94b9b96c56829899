import { loadConfig } from "../config.ts";
import { InputError } from "../errors.ts";
import { parsePeriod } from "../period.ts";
import { pushdownQueries, type Engine } from "../pushdown/sql.ts";
import { output, type GlobalOptions } from "./context.ts";

export interface PushdownArgs extends GlobalOptions {
  engine: Engine;
  period: string;
  table?: string | undefined;
}

/** CloudTrail Lake's StartQuery takes a QueryStatement of at most 10,000 characters (AWS CloudTrail API Reference, StartQuery). */
export const LAKE_MAX_QUERY_CHARS = 10_000;

/** Prints the two queries; reads the config only (no store, no lock): the SQL depends on agents, storage and the time zone. */
export async function pushdownCommand(args: PushdownArgs): Promise<number> {
  const { config, file } = loadConfig(args.config);
  const period = parsePeriod(args.period, config.report.timezone);
  const q = pushdownQueries(config, period, args.engine, args.table);
  if (args.engine === "lake") {
    for (const [name, sql] of [["calls kept one by one", q.fullRows], ["counted calls", q.usedActions]] as const) {
      if (sql.length > LAKE_MAX_QUERY_CHARS) {
        throw new InputError(
          `${file}: the CloudTrail Lake query for ${name} is ${sql.length} characters, over Lake's limit of ${LAKE_MAX_QUERY_CHARS} (StartQuery QueryStatement), so Lake would refuse it: ` +
            "match agents with fewer patterns in agents[].match, keep fewer rules in storage.cloudtrail.keep, or export to S3 and use athena",
          file,
        );
      }
    }
  }
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
