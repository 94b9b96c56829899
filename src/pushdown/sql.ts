import type { Config } from "../config.ts";
import { classedCalls, READ_VERBS } from "../iam/call-classes.ts";
import nameKeywords from "./name-keywords.json" with { type: "json" };
import type { KeepRule } from "../keep-rules.ts";
import type { Period } from "../period.ts";

/**
 * Pushdown (README, "Pushdown to Athena or CloudTrail Lake"): the SQL that makes Amazon Athena or CloudTrail Lake compute, over a whole
 * estate, exactly what `evidence` would otherwise derive from raw files: the calls kept one by one
 * (the storage keep rules: agent identities, destructive and tampering calls, privilege changes,
 * errors, root, AssumeRole) and, for every other call, the count per principal x action x day with
 * the dimensions rules group by (the used-actions aggregate). The two result files are read back by
 * a `cloudtrail` source (src/ingest/cloudtrail/pushdown-results.ts): full rows through the CSV
 * export parser, aggregates straight into `event_summaries`.
 *
 * Both queries split the period's calls by one predicate (`keep`), made NULL-safe so every call
 * lands in exactly one of them. Athena: the standard CloudTrail table with partition projection
 * (`cloudtrail_logs_pp`, `timestamp` = yyyy/MM/dd, columns as AWS documents them: lower case,
 * structs, JSON strings). Lake: an event data store, camelCase fields. Pure: config and period in,
 * SQL out.
 */
export type Engine = "athena" | "lake";

export interface PushdownQueries {
  engine: Engine;
  table: string;
  /** Calls the store keeps as rows: save the result as CSV into a cloudtrail source's folder. */
  fullRows: string;
  /** Every other call, counted: save likewise; the `evidence_pushdown` column marks it. */
  usedActions: string;
  /** What the engine's data cannot express and how the SQL errs on the safe side. */
  notes: string[];
}

export const PUSHDOWN_MARK = "evidence_pushdown";
export const PUSHDOWN_VERSION = "used-actions/1";
export const ATHENA_TABLE = "cloudtrail_logs_pp";
export const LAKE_TABLE = "<event-data-store-id>";

interface Columns {
  type: string; arn: string; principalId: string; invokedBy: string; accountId: string; accessKeyId: string; userName: string; onBehalfOfUser: string;
  issuerArn: string; issuerName: string; sourceIdentity: string | null; eventSource: string; eventName: string; eventTime: string; errorCode: string;
  errorMessage: string; userAgent: string; recipient: string; region: string; category: string; eventType: string; readOnlyTrue: string; readOnlyNull: string;
  /** True when `responseElements.<eventName>` is "Failure" (sign-in events report failure there, not in errorCode). */
  responseFailure: string;
  fullRow: string[];
}

const ATHENA: Columns = {
  type: "useridentity.type", arn: "useridentity.arn", principalId: "useridentity.principalid", invokedBy: "useridentity.invokedby",
  accountId: "useridentity.accountid", accessKeyId: "useridentity.accesskeyid", userName: "useridentity.username", onBehalfOfUser: "useridentity.onbehalfof.userid",
  issuerArn: "useridentity.sessioncontext.sessionissuer.arn", issuerName: "useridentity.sessioncontext.sessionissuer.username",
  // The documented table has no sourceidentity column.
  sourceIdentity: null, eventSource: "eventsource", eventName: "eventname", eventTime: "eventtime", errorCode: "errorcode", errorMessage: "errormessage",
  userAgent: "useragent", recipient: "recipientaccountid", region: "awsregion", category: "eventcategory", eventType: "eventtype",
  readOnlyTrue: "readonly = 'true'", readOnlyNull: "readonly IS NULL",
  // responseelements is the record's JSON as a string: look for `"<eventName>": "Failure"` in it (a
  // match nested deeper only keeps a call the ingest then counts). Event names are API names; any
  // other character is matched as any character, so a name cannot change the pattern.
  responseFailure: "regexp_like(responseelements, '\"' || regexp_replace(eventname, '[^A-Za-z0-9_]', '.') || '\"\\s*:\\s*\"\\s*(?i:failure)\\s*\"')",
  fullRow: [
    "eventversion", "useridentity", "eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress", "useragent", "errorcode", "errormessage",
    "requestparameters", "responseelements", "additionaleventdata", "requestid", "eventid", "readonly", "resources", "eventtype", "recipientaccountid",
    "eventcategory", "tlsdetails",
  ],
};

const LAKE: Columns = {
  type: "userIdentity.type", arn: "userIdentity.arn", principalId: "userIdentity.principalId", invokedBy: "userIdentity.invokedBy",
  accountId: "userIdentity.accountId", accessKeyId: "userIdentity.accessKeyId", userName: "userIdentity.userName", onBehalfOfUser: "userIdentity.onBehalfOf.userId",
  issuerArn: "userIdentity.sessionContext.sessionIssuer.arn", issuerName: "userIdentity.sessionContext.sessionIssuer.userName",
  sourceIdentity: "userIdentity.sessionContext.sourceIdentity", eventSource: "eventSource", eventName: "eventName", eventTime: "eventTime", errorCode: "errorCode",
  errorMessage: "errorMessage", userAgent: "userAgent", recipient: "recipientAccountId", region: "awsRegion", category: "eventCategory", eventType: "eventType",
  readOnlyTrue: "readOnly = true", readOnlyNull: "readOnly IS NULL",
  // An event data store holds responseElements as map<string,string> (AWS CloudTrail User Guide,
  // "Supported SQL schemas for event data stores").
  responseFailure: "lower(trim(element_at(responseElements, eventName))) = 'failure'",
  fullRow: [
    "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "errorCode", "errorMessage",
    "requestParameters", "responseElements", "additionalEventData", "requestID", "eventID", "readOnly", "resources", "eventType", "recipientAccountId",
    "eventCategory", "tlsDetails",
  ],
};

export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * A config glob as an anchored, case-insensitive regular expression both Athena (Java) and RE2
 * engines accept: `*` any run within one `/` segment, `**` anything, `?` one character, the rest
 * literal (the matching picomatch does for ARNs, role and session names; no braces or classes).
 */
export function globRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += /[\\^$.|+()[\]{}]/.test(c) ? `\\${c}` : c;
  }
  return `(?i)^${out}$`;
}

/** Agent identities as the attribution while reading sees them (src/ingest/enrich.ts attributeAwsPrincipal). */
function agentPredicate(config: Config, c: Columns): string[] {
  const terms: string[] = [];
  const any = (xs: string[], f: (x: string) => string) => xs.map(f);
  const sessionName = `CASE WHEN strpos(${c.arn}, ':assumed-role/') > 0 THEN regexp_extract(${c.arn}, '[^/]+$') END`;
  for (const a of config.agents) {
    const m = a.match;
    terms.push(...any(m.awsRoles, (g) => `regexp_like(${c.issuerArn}, ${lit(globRegex(g))}) OR regexp_like(${c.issuerName}, ${lit(globRegex(g))})`));
    if (c.sourceIdentity) terms.push(...any(m.awsSourceIdentities, (g) => `regexp_like(${c.sourceIdentity}, ${lit(globRegex(g))})`));
    terms.push(...any(m.awsSessionNames, (g) => `regexp_like(${sessionName}, ${lit(globRegex(g))})`));
    terms.push(...any(m.awsMcpMarkers, (s) => `strpos(lower(coalesce(${c.invokedBy}, '') || ' ' || coalesce(${c.userAgent}, '')), ${lit(s.toLowerCase())}) > 0`));
    terms.push(...any(m.userAgentMarkers, (s) => `strpos(lower(${c.userAgent}), ${lit(s.toLowerCase())}) > 0`));
  }
  return terms;
}

/**
 * Event names (lower case) as one regular expression plus the names it does not reach, so the
 * query stays under CloudTrail Lake's 10,000-character limit (src/pushdown/name-keywords.json).
 * Names a pattern already selects are dropped; a name starting with a read verb stays listed, since
 * the expression excludes read verbs to avoid selecting every Get/List/Describe call. Pure.
 */
export function compactNames(names: readonly string[], patterns: readonly string[]): { keywords: string[]; listed: string[] } {
  const covered = patterns.map((p) => new RegExp(p.replace(/^\(\?i\)/, ""), "i"));
  const readVerb = new RegExp(`^(${READ_VERBS.join("|")})`, "i");
  const keywords = new Set<string>();
  const listed: string[] = [];
  for (const name of names) {
    if (covered.some((re) => re.test(name))) continue;
    const k = readVerb.test(name) ? undefined : nameKeywords.keywords.find((w) => name.includes(w));
    if (k) keywords.add(k);
    else listed.push(name);
  }
  return { keywords: [...keywords].sort(), listed };
}

/**
 * The calls the ingest may give one of `classes` (classedCalls, from the same data classifyApiCall
 * reads): `action IN (...)`, `action LIKE 'prefix%'`, and the event name, without its version
 * suffix, among the names or patterns the IAM dataset's rules reach. A superset: a call selected
 * here that the ingest does not keep is counted by the ingest, so the store is the same.
 */
function classedIn(classes: string[], action: string, eventName: string): string | null {
  const m = classedCalls(classes);
  const bare = `regexp_replace(${eventName}, ${lit(m.versionSuffix)}, '')`;
  const names = compactNames(m.eventNames, m.eventNamePatterns);
  const parts = [
    ...(m.actions.length ? [`${action} IN (${m.actions.map(lit).join(", ")})`] : []),
    ...m.actionPrefixes.map((p) => `${action} LIKE ${lit(p.replace(/[\\%_]/g, (x) => `\\${x}`) + "%")} ESCAPE '\\'`),
    ...m.eventNamePatterns.map((re) => `regexp_like(${bare}, ${lit(re)})`),
    ...(names.keywords.length ? [`(regexp_like(lower(${bare}), ${lit(names.keywords.join("|"))}) AND NOT regexp_like(lower(${bare}), ${lit(`^(${READ_VERBS.join("|").toLowerCase()})`)}))`] : []),
    ...(names.listed.length ? [`lower(${bare}) IN (${names.listed.map(lit).join(", ")})`] : []),
  ];
  return parts.length ? parts.join(" OR ") : null;
}

/** The keep rules as SQL, each term a condition on one call; NULL-safe as a whole. */
export function keepPredicate(config: Config, engine: Engine): { sql: string; notes: string[] } {
  const c = engine === "athena" ? ATHENA : LAKE;
  const keep = new Set<KeepRule>(config.storage.cloudtrail.mode === "full" ? [] : config.storage.cloudtrail.keep);
  const action = `(replace(${c.eventSource}, '.amazonaws.com', '') || ':' || ${c.eventName})`;
  const notes: string[] = [];
  const terms: string[] = [];
  if (config.storage.cloudtrail.mode === "full") terms.push("TRUE");
  // Every call the ingest reads as failed or denied (recordOutcome: an errorCode, an errorMessage, or
  // responseElements.<eventName> "Failure") is kept whatever the keep list says (keepsCall), so the
  // `errors` rule adds nothing for CloudTrail. A counted call carries only its errorCode, so a failure
  // shown only in the other two fields would otherwise be counted as a success.
  terms.push(`${c.errorCode} <> ''`, `${c.errorMessage} <> ''`, c.responseFailure);
  if (keep.has("agent")) terms.push(...agentPredicate(config, c));
  const byClass = [["destructive", ["destructive", "irreversible", "logging-tamper"]], ["privilege-change", ["privilege-change"]], ["credential-access", ["credential-access"]]] as const;
  for (const [rule, classes] of byClass) {
    const sql = keep.has(rule) ? classedIn([...classes], action, c.eventName) : null;
    if (sql) terms.push(sql);
  }
  if (keep.has("root")) terms.push(`${c.type} = 'Root'`);
  if (keep.has("assume-role")) terms.push(`${c.eventSource} = 'sts.amazonaws.com' AND ${c.eventName} LIKE 'AssumeRole%'`);
  if (keep.has("write")) {
    const readName = READ_VERBS.map((p) => `${c.eventName} LIKE '${p}%'`).join(" OR ");
    // coalesce: with readOnly NULL, `readonly = 'true'` is NULL, and so would the whole term be.
    terms.push(`NOT (coalesce(${c.readOnlyTrue}, false) OR (${c.readOnlyNull} AND (${readName})))`);
  }
  // An identity without an ARN but with a user name or an Identity Center user (SAML and web-identity
  // users, IdentityCenterUser): the ingest names it from fields a count does not carry
  // (recordActor), so it is kept and named there.
  terms.push(`nullif(${c.arn}, '') IS NULL AND (${c.onBehalfOfUser} <> '' OR (${c.userName} <> '' AND ${c.userName} <> 'HIDDEN_DUE_TO_SECURITY_REASONS'))`);
  const tags = config.agents.some((a) => a.match.awsSessionTags.length);
  const sourceIds = !c.sourceIdentity && config.agents.some((a) => a.match.awsSourceIdentities.length);
  if (tags || sourceIds) {
    // Attributed after ingest (session tags) or not expressible on this table (sourceIdentity): keep every assumed-role call.
    terms.push(`${c.type} = 'AssumedRole'`);
    if (tags) notes.push("agents matched by session tags: every assumed-role call is kept in full (the tag is on the AssumeRole record)");
    if (sourceIds) notes.push("the Athena CloudTrail table has no sourceIdentity column: every assumed-role call is kept in full so awsSourceIdentities still attributes");
  }
  return { sql: terms.length ? `coalesce((${terms.map((t) => `(${t})`).join("\n    OR ")}), false)` : "false", notes };
}

const utcSeconds = (iso: string) => `${iso.slice(0, 19)}Z`;
const lakeTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
const slashDate = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, "/");

function timeFilter(engine: Engine, period: Period): string {
  if (engine === "lake") return `eventTime >= ${lit(lakeTime(period.startIso))} AND eventTime < ${lit(lakeTime(period.endIso))}`;
  // Partition projection prunes by delivery day (UTC), which is the call's day or, for calls near midnight, the next.
  const from = slashDate(period.start.getTime());
  const to = slashDate(period.end.getTime() + 86_400_000);
  return `"timestamp" BETWEEN ${lit(from)} AND ${lit(to)}\n  AND eventtime >= ${lit(utcSeconds(period.startIso))} AND eventtime < ${lit(utcSeconds(period.endIso))}`;
}

/** The calendar day of a call in the report time zone (summaries count per day of the zone periods are read in). */
function dayExpr(engine: Engine, timezone: string): string {
  if (timezone === "UTC" || timezone === "Etc/UTC") return engine === "athena" ? "substr(eventtime, 1, 10)" : "date_format(eventTime, '%Y-%m-%d')";
  return engine === "athena"
    ? `date_format(from_iso8601_timestamp(eventtime) AT TIME ZONE ${lit(timezone)}, '%Y-%m-%d')`
    : `date_format(eventTime AT TIME ZONE ${lit(timezone)}, '%Y-%m-%d')`;
}

export function pushdownQueries(config: Config, period: Period, engine: Engine, table?: string): PushdownQueries {
  const c = engine === "athena" ? ATHENA : LAKE;
  const from = table ?? (engine === "athena" ? ATHENA_TABLE : LAKE_TABLE);
  const keep = keepPredicate(config, engine);
  const where = timeFilter(engine, period);
  const nonEmpty = (col: string) => `nullif(${col}, '')`;
  const fullRows = `SELECT ${c.fullRow.join(", ")}
FROM ${from}
WHERE ${where}
  AND ${keep.sql}
ORDER BY ${c.eventTime}, ${engine === "athena" ? "eventid" : "eventID"}`;
  // `principal` is the caller as the ingest names it (recordActor: ARN, principalId, the service,
  // then type:access key or account); identities it names from other fields are kept in full above.
  const usedActions = `SELECT ${lit(PUSHDOWN_VERSION)} AS ${PUSHDOWN_MARK}, ${lit(period.timezone)} AS time_zone,
  ${dayExpr(engine, period.timezone)} AS day,
  coalesce(${nonEmpty(c.arn)}, ${nonEmpty(c.principalId)}, CASE WHEN ${c.type} = 'AWSService' THEN ${nonEmpty(c.invokedBy)} END,
    ${nonEmpty(c.type)} || ':' || coalesce(${nonEmpty(c.accessKeyId)}, ${nonEmpty(c.accountId)}), ${c.type}) AS principal,
  ${c.type} AS identity_type, ${c.issuerArn} AS role_arn, ${c.eventSource} AS event_source, ${c.eventName} AS event_name,
  ${engine === "athena" ? "readonly" : "CAST(readOnly AS varchar)"} AS read_only, ${nonEmpty(c.errorCode)} AS error_code,
  coalesce(${nonEmpty(c.recipient)}, ${nonEmpty(c.accountId)}) AS account, ${c.region} AS region, ${c.category} AS event_category, ${c.eventType} AS event_type,
  count(*) AS calls, min(${c.eventTime}) AS first_time, max(${c.eventTime}) AS last_time
FROM ${from}
WHERE ${where}
  AND NOT ${keep.sql}
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
ORDER BY 3, 4, 7, 8, 11, 12, 10`;
  return { engine, table: from, fullRows, usedActions, notes: keep.notes };
}
