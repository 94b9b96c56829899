import { DuckDBInstance } from "@duckdb/node-api";

/**
 * The documented Athena CloudTrail table (AWS Athena User Guide, "Create the table for CloudTrail
 * logs in Athena using manual partitioning": lower-case columns, structs, JSON strings, readonly as
 * a string) in DuckDB, so the generated pushdown SQL runs on real records and its results come back
 * as Athena writes CSV. DuckDB lacks Athena's regexp_like; a one-line macro maps it onto
 * regexp_matches (both take an RE2/Java-compatible pattern).
 */
const ATHENA_COLUMNS = `eventversion VARCHAR,
  useridentity STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR, accesskeyid VARCHAR, username VARCHAR,
    onbehalfof STRUCT(userid VARCHAR, identitystorearn VARCHAR),
    sessioncontext STRUCT(attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR),
      sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR), ec2roledelivery VARCHAR,
      webidfederationdata STRUCT(federatedprovider VARCHAR, attributes MAP(VARCHAR, VARCHAR)))),
  eventtime VARCHAR, eventsource VARCHAR, eventname VARCHAR, awsregion VARCHAR, sourceipaddress VARCHAR, useragent VARCHAR, errorcode VARCHAR,
  errormessage VARCHAR, requestparameters VARCHAR, responseelements VARCHAR, additionaleventdata VARCHAR, requestid VARCHAR, eventid VARCHAR,
  resources STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[], eventtype VARCHAR, apiversion VARCHAR, readonly VARCHAR, recipientaccountid VARCHAR,
  serviceeventdetails VARCHAR, sharedeventid VARCHAR, vpcendpointid VARCHAR, eventcategory VARCHAR,
  tlsdetails STRUCT(tlsversion VARCHAR, ciphersuite VARCHAR, clientprovidedhostheader VARCHAR), "timestamp" VARCHAR`;

const lowerKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(lowerKeys) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), lowerKeys(x)])) : v;

/** A record as the Athena table holds it: lower-case names, JSON-string columns, readonly as text, the partition. */
export function athenaRow(r: Record<string, unknown>): Record<string, unknown> {
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    const key = k.toLowerCase();
    if (["requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails"].includes(key)) out[key] = json(v);
    else if (key === "readonly") out[key] = String(v);
    else if (key === "managementevent") continue;
    else out[key] = lowerKeys(v);
  }
  out.timestamp = String(r.eventTime).slice(0, 10).replace(/-/g, "/");
  return out;
}

/** Athena's CSV rendering: every field quoted, NULL empty, ROW as {k=v, ...}, ARRAY as [a, b]. */
function athenaText(v: unknown, nested = false): string {
  if (v === null || v === undefined) return nested ? "null" : "";
  if (Array.isArray(v)) return `[${v.map((x) => athenaText(x, true)).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k}=${athenaText(x, true)}`).join(", ")}}`;
  return String(v);
}
const csvLine = (cells: string[]) => cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(",");

export async function runInDuckDb(ndjson: string, queries: string[]): Promise<string[]> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run("CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)");
  await c.run(`CREATE TABLE cloudtrail_logs_pp AS SELECT * FROM read_json('${ndjson}', format = 'newline_delimited', columns = ${columnsStruct()})`);
  const out: string[] = [];
  for (const sql of queries) {
    const reader = await c.runAndReadAll(sql);
    const names = reader.columnNames();
    out.push([csvLine(names), ...reader.getRowObjectsJS().map((row) => csvLine(names.map((n) => athenaText(row[n]))))].join("\n") + "\n");
  }
  c.closeSync();
  return out;
}

/** read_json's `columns` wants {name: 'TYPE'}: the DDL above, split at its top-level commas. */
function columnsStruct(): string {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < ATHENA_COLUMNS.length; i++) {
    const ch = ATHENA_COLUMNS[i];
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) parts.push(ATHENA_COLUMNS.slice(start, i)), (start = i + 1);
  }
  parts.push(ATHENA_COLUMNS.slice(start));
  return `{${parts.map((p) => p.trim().replace(/\s+/g, " ")).map((p) => {
    const space = p.indexOf(" ");
    return `'${p.slice(0, space).replace(/"/g, "")}': '${p.slice(space + 1).replace(/'/g, "''")}'`;
  }).join(", ")}}`;
}

