import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { fixtureRecords } from "../../bench/cloudtrail-fixture.ts";
import { loadWorkspaceCatalog } from "../../src/catalog/workspace.ts";
import { loadConfig } from "../../src/config.ts";
import { evaluate } from "../../src/evaluate.ts";
import { ingestSources, type IngestOptions } from "../../src/ingest/index.ts";
import { parsePeriod } from "../../src/period.ts";
import { pushdownQueries } from "../../src/pushdown/sql.ts";
import { openStore } from "../../src/store/index.ts";
import { athenaRow, runInDuckDb } from "../helpers/athena-duckdb.ts";
import { SAMPLE, tempDir } from "../helpers/workspace.ts";

/**
 * The pushed-down path and the raw-file path give the same findings on the same records: the
 * generated Athena SQL runs in DuckDB over the records loaded as the documented Athena CloudTrail
 * table (same column names and types: structs, JSON strings, readonly as a string), the results are
 * written as Athena writes CSV (structs as {key=value}), ingested, and evaluated next to an ingest
 * of the raw S3 delivery files. DuckDB lacks Athena's regexp_like; a one-line macro maps it onto
 * regexp_matches (both take an RE2/Java-compatible pattern).
 */
const CONFIG = `organisation: { name: Pushdown }
sources:
  - { name: trail, kind: cloudtrail, paths: ["trail/**/*.json.gz", "athena/*.csv"] }
  - { name: iam, kind: iam, paths: ["iam/*.json"] }
agents:
  - id: kiro-operator
    product: kiro
    match: { awsRoles: ["*:role/ai-agent-operator"], awsSessionNames: ["kiro-*"], userAgentMarkers: ["app/claude-code"] }
environments:
  production: { awsAccounts: ["111122223333"] }
`;

const START = Date.UTC(2026, 9, 3);
const agentIdentity = (session: string) => ({
  type: "AssumedRole", principalId: `AROAAGENT:${session}`, arn: `arn:aws:sts::111122223333:assumed-role/ai-agent-operator/${session}`, accountId: "111122223333",
  accessKeyId: "ASIAAGENT", sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/ai-agent-operator", accountId: "111122223333", userName: "ai-agent-operator" } },
});
const human = { type: "AssumedRole", principalId: "AROAHUMAN:li", arn: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0a1b2c3d/li@acme.example", accountId: "111122223333" };

/** The generated month plus calls every rule looks for: agent deletes in production, tampering, root, denied, session names, user agents. */
function records(): Record<string, unknown>[] {
  const base = (i: number, over: Record<string, unknown>) => ({
    eventVersion: "1.11", eventTime: new Date(START + i * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"), awsRegion: "eu-west-1", sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.17.1", requestParameters: { stackName: `prod-api-${i}` }, responseElements: null, eventID: `special-${i}`, requestID: `req-${i}`, readOnly: false,
    eventType: "AwsApiCall", managementEvent: true, recipientAccountId: "111122223333", eventCategory: "Management", ...over,
  });
  const special = [
    base(1, { userIdentity: agentIdentity("run-1"), eventSource: "cloudformation.amazonaws.com", eventName: "DeleteStack" }),
    base(2, { userIdentity: agentIdentity("run-2"), eventSource: "s3.amazonaws.com", eventName: "ListBuckets", readOnly: true, requestParameters: null }),
    base(3, { userIdentity: human, eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", requestParameters: { name: "org-trail" } }),
    base(4, { userIdentity: { type: "Root", principalId: "111122223333", arn: "arn:aws:iam::111122223333:root", accountId: "111122223333" }, eventSource: "iam.amazonaws.com", eventName: "ListUsers", readOnly: true }),
    base(5, { userIdentity: human, eventSource: "iam.amazonaws.com", eventName: "AttachRolePolicy", errorCode: "AccessDenied", errorMessage: "not authorized" }),
    base(6, { userIdentity: { ...human, arn: "arn:aws:sts::111122223333:assumed-role/Contractor/kiro-77" }, eventSource: "ec2.amazonaws.com", eventName: "TerminateInstances" }),
    base(7, { userIdentity: human, userAgent: "aws-cli/2.17.1 app/claude-code", eventSource: "lambda.amazonaws.com", eventName: "ListFunctions20150331", readOnly: true }),
    base(8, { userIdentity: agentIdentity("run-3"), eventSource: "sts.amazonaws.com", eventName: "AssumeRole", requestParameters: { roleArn: "arn:aws:iam::111122223333:role/x" } }),
  ];
  const generated = [0, 1, 2].flatMap((f) => fixtureRecords(f + 1, 250, START + f * 86_400_000, { account: f === 2 ? "444455556666" : "111122223333", region: "eu-west-1" }, 86_400_000) as Record<string, unknown>[]);
  return [...generated, ...special];
}

async function evaluated(root: string) {
  const loaded = loadConfig(path.join(root, "evidence.config.yaml"));
  const db = openStore(path.join(root, "evidence.db"));
  const quiet = { info() {}, update() {}, done() {} } as unknown as IngestOptions["progress"];
  const summary = await ingestSources(db, loaded, { cacheDir: path.join(root, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: quiet, workers: 0 });
  const { catalog, rules } = loadWorkspaceCatalog(loaded);
  const evaluation = evaluate(db, catalog, rules, parsePeriod("2026-10"), { acceptances: [], correlate: false });
  const calls = (db.prepare("SELECT sum(n) AS n FROM cloudtrail_activity").get() as { n: number }).n;
  const kept = db.prepare("SELECT event_key, action, actor_kind, agent_id, outcome, classes FROM events ORDER BY event_key").all();
  db.close();
  return {
    summary, calls, kept,
    rules: evaluation.rules.map((r) => [r.id, r.outcome, r.population?.size ?? null]).sort(),
    findings: evaluation.findings.map((f) => [f.ruleId, f.severity, f.subject, f.message]).sort(),
  };
}

function workspace(): string {
  const root = tempDir("evidence-pushdown-");
  mkdirSync(path.join(root, "iam"));
  copyFileSync(path.join(SAMPLE, "iam", "authorization-details.json"), path.join(root, "iam", "authorization-details.json"));
  writeFileSync(path.join(root, "evidence.config.yaml"), CONFIG);
  return root;
}

test("Athena pushdown results (run in DuckDB) and the raw S3 files give the same calls, populations and findings", async () => {
  const all = records();
  // Raw: S3 delivery files, one per day and account.
  const raw = workspace();
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const r of all) {
    const key = `${r.recipientAccountId}/${String(r.eventTime).slice(0, 10)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [key, list] of groups) {
    const [account, day] = key.split("/") as [string, string];
    const dir = path.join(raw, "trail/AWSLogs", account, "CloudTrail/eu-west-1", day.replace(/-/g, "/"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${account}_CloudTrail_eu-west-1_${day.replace(/-/g, "")}T2355Z_${account.slice(0, 6)}.json.gz`), gzipSync(JSON.stringify({ Records: list })));
  }
  // Pushed down: the same records as the Athena table, the generated SQL, Athena-style CSV results.
  const pushed = workspace();
  mkdirSync(path.join(pushed, "athena"));
  const ndjson = path.join(pushed, "table.ndjson");
  writeFileSync(ndjson, all.map((r) => JSON.stringify(athenaRow(r))).join("\n") + "\n");
  const q = pushdownQueries(loadConfig(path.join(pushed, "evidence.config.yaml")).config, parsePeriod("2026-10"), "athena");
  const [full, counts] = await runInDuckDb(ndjson, [q.fullRows, q.usedActions]);
  writeFileSync(path.join(pushed, "athena", "full-rows.csv"), full!);
  writeFileSync(path.join(pushed, "athena", "used-actions.csv"), counts!);

  const a = await evaluated(raw);
  const b = await evaluated(pushed);
  assert.equal(a.summary.rejected, 0);
  assert.equal(b.summary.rejected, 0);
  assert.equal(a.calls, all.length);
  assert.equal(b.calls, all.length, "full rows + counted calls = every call of the period");
  assert.deepEqual(b.kept, a.kept, "the same calls are kept one by one, with the same attribution and classes");
  assert.ok(a.kept.length >= 8 && a.kept.length < all.length / 2, `${a.kept.length} of ${all.length} kept`);
  assert.deepEqual(b.rules, a.rules, "every rule: same outcome and population size");
  assert.deepEqual(b.findings, a.findings);
  assert.ok(b.summary.files.some((f) => f.path.endsWith("used-actions.csv") && f.accepted > all.length / 2), "most calls arrive as counts");
  const ruleIds = new Set(a.findings.map((f) => f[0]));
  for (const id of ["cloudtrail-agent-destructive-calls-approved", "cloudtrail-logging-not-tampered", "cloudtrail-root-account-unused"]) assert.ok(ruleIds.has(id), `${id} has findings to compare`);
});
