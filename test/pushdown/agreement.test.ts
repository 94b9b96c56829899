import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { loadConfig } from "../../src/config.ts";
import { allActions } from "../../src/iam/action-catalog.ts";
import { VERSION_SUFFIX } from "../../src/iam/event-actions.ts";
import { ingestSources, type IngestOptions } from "../../src/ingest/index.ts";
import { parsePeriod } from "../../src/period.ts";
import { pushdownQueries } from "../../src/pushdown/sql.ts";
import { openStore } from "../../src/store/index.ts";
import { athenaRow, runInDuckDb } from "../helpers/athena-duckdb.ts";
import { tempDir } from "../helpers/workspace.ts";

/**
 * The pushdown SQL decides, inside Athena, which calls stay rows and what a counted call's
 * principal and outcome are; the ingest decides the same for raw files (src/ingest/cloudtrail/record.ts
 * recordOutcome and recordActor, src/ingest/summary/policy.ts keepsCall, src/iam/call-classes.ts).
 * On records where the two could part ways, both paths must leave the same rows and the same counts.
 * Neither keep list has `errors`: a failed or denied call is a row whatever the keep list says.
 */
const config = (keep: string) => `organisation: { name: Agreement }
sources:
  - { name: trail, kind: cloudtrail, paths: ["trail/**/*.json.gz", "athena/*.csv"] }
storage:
  cloudtrail: { mode: summarise, keep: [${keep}] }
environments:
  production: { awsAccounts: ["111122223333"] }
`;

const user = { type: "IAMUser", principalId: "AIDAMARIA", arn: "arn:aws:iam::111122223333:user/maria", accountId: "111122223333", userName: "maria" };
const assumed = {
  type: "AssumedRole", principalId: "AROAHUMAN:li@acme.example", arn: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_0a1b2c3d/li@acme.example",
  accountId: "111122223333", accessKeyId: "ASIAHUMAN",
  sessionContext: { sessionIssuer: { type: "Role", principalId: "AROAHUMAN", arn: "arn:aws:iam::111122223333:role/AWSReservedSSO_ReadOnly_0a1b2c3d", accountId: "111122223333", userName: "AWSReservedSSO_ReadOnly_0a1b2c3d" } },
};

function records(): Record<string, unknown>[] {
  const base = (i: number, over: Record<string, unknown>) => ({
    eventVersion: "1.11", eventTime: `2026-10-0${1 + (i % 3)}T1${i % 10}:00:00Z`, awsRegion: "eu-west-1", sourceIPAddress: "198.51.100.7", userAgent: "aws-cli/2.17.1",
    requestParameters: null, responseElements: null, eventID: `awkward-${i}`, requestID: `req-${i}`, eventType: "AwsApiCall", recipientAccountId: "111122223333",
    eventCategory: "Management", ...over,
  });
  return [
    // A failed console sign-in: no errorCode, the failure only in responseElements and errorMessage.
    base(1, { userIdentity: user, eventSource: "signin.amazonaws.com", eventName: "ConsoleLogin", eventType: "AwsConsoleSignIn", responseElements: { ConsoleLogin: "Failure" }, errorMessage: "Failed authentication" }),
    // The failure in responseElements alone.
    base(2, { userIdentity: user, eventSource: "signin.amazonaws.com", eventName: "ConsoleLogin", eventType: "AwsConsoleSignIn", responseElements: { ConsoleLogin: " FAILURE " } }),
    // An error code beside success-looking fields: denied, whatever the rest says.
    base(3, { userIdentity: assumed, eventSource: "ec2.amazonaws.com", eventName: "DescribeInstances", readOnly: true, errorCode: "Client.UnauthorizedOperation", responseElements: { DescribeInstances: "Success" } }),
    // A successful sign-in and an AssumedRole principal's reads: counted, under the same principal.
    base(4, { userIdentity: user, eventSource: "signin.amazonaws.com", eventName: "ConsoleLogin", eventType: "AwsConsoleSignIn", responseElements: { ConsoleLogin: "Success" } }),
    base(5, { userIdentity: assumed, eventSource: "ec2.amazonaws.com", eventName: "DescribeInstances", readOnly: true }),
    base(6, { userIdentity: assumed, eventSource: "ec2.amazonaws.com", eventName: "DescribeInstances", readOnly: true }),
    // Read-only by its flag though its name is not a read verb: read, so counted; the same name without the flag is a write, kept.
    base(7, { userIdentity: assumed, eventSource: "dynamodb.amazonaws.com", eventName: "BatchGetItem", readOnly: true }),
    base(8, { userIdentity: assumed, eventSource: "dynamodb.amazonaws.com", eventName: "BatchGetItem" }),
    // Identities without an ARN: an Identity Center user, a cross-account caller known by its account alone, an AWS service.
    base(9, {
      userIdentity: { type: "IdentityCenterUser", accountId: "111122223333", onBehalfOf: { userId: "94482488-3041-7026-18f3-be45837cd0e4", identityStoreArn: "arn:aws:identitystore::111122223333:identitystore/d-9067642ac7" }, credentialId: "EXAMPLE" },
      eventSource: "sso.amazonaws.com", eventName: "ListAccounts", readOnly: true,
    }),
    base(10, { userIdentity: { type: "AWSAccount", accountId: "444455556666" }, eventSource: "s3.amazonaws.com", eventName: "GetBucketAcl", readOnly: true }),
    base(11, { userIdentity: { type: "AWSService", invokedBy: "cloudtrail.amazonaws.com" }, eventSource: "s3.amazonaws.com", eventName: "GetBucketAcl", readOnly: true }),
    // Classed by the IAM dataset alone (class-rules.json), not listed in api-classes.json: destructive
    // by verb, privilege-changing by access level under a versioned event name, a credential read.
    base(12, { userIdentity: assumed, eventSource: "ec2.amazonaws.com", eventName: "DeleteSecurityGroup", readOnly: false }),
    base(13, { userIdentity: assumed, eventSource: "lambda.amazonaws.com", eventName: "AddPermission20150331v2", readOnly: false }),
    base(14, { userIdentity: assumed, eventSource: "redshift.amazonaws.com", eventName: "GetClusterCredentials", readOnly: false }),
    // A removal verb at the Tagging level: no class, so counted, though the SQL may select it.
    base(15, { userIdentity: assumed, eventSource: "s3.amazonaws.com", eventName: "DeleteObjectTagging", readOnly: false }),
  ];
}

async function stored(root: string) {
  const loaded = loadConfig(path.join(root, "evidence.config.yaml"));
  const db = openStore(path.join(root, "evidence.db"));
  try {
    const quiet = { info() {}, update() {}, done() {} } as unknown as IngestOptions["progress"];
    const summary = await ingestSources(db, loaded, { cacheDir: path.join(root, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: quiet, workers: 0 });
    return {
      rejected: summary.rejected,
      rows: db.prepare("SELECT event_key, action, actor, actor_kind, outcome, classes FROM events ORDER BY event_key").all(),
      counts: db
        .prepare(
          `SELECT day, actor, actor_kind, identity_type, action, classes, outcome, sum(n) AS n FROM event_summaries
           GROUP BY day, actor, actor_kind, identity_type, action, classes, outcome ORDER BY day, actor, action, outcome`,
        )
        .all(),
    };
  } finally {
    db.close();
  }
}

/**
 * Both paths over the same records with one keep list: the pushed-down store must hold the same
 * rows and counts as the raw one. Returns the raw store's, for the test to say what they are.
 */
async function agreeing(t: { after(fn: () => void): void }, keep: string) {
  const root = tempDir("evidence-agreement-");
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const raw = path.join(root, "raw");
  const pushed = path.join(root, "pushed");
  const all = records();
  const dir = path.join(raw, "trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/01");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "111122223333_CloudTrail_eu-west-1_20261001T2355Z_awkward.json.gz"), gzipSync(JSON.stringify({ Records: all })));
  writeFileSync(path.join(raw, "evidence.config.yaml"), config(keep));
  mkdirSync(path.join(pushed, "athena"), { recursive: true });
  writeFileSync(path.join(pushed, "evidence.config.yaml"), config(keep));
  const ndjson = path.join(root, "table.ndjson");
  writeFileSync(ndjson, all.map((r) => JSON.stringify(athenaRow(r))).join("\n") + "\n");
  const q = pushdownQueries(loadConfig(path.join(pushed, "evidence.config.yaml")).config, parsePeriod("2026-10"), "athena");
  const [full, counts] = await runInDuckDb(ndjson, [q.fullRows, q.usedActions]);
  writeFileSync(path.join(pushed, "athena", "full-rows.csv"), full!);
  writeFileSync(path.join(pushed, "athena", "used-actions.csv"), counts!);
  const a = await stored(raw);
  const b = await stored(pushed);
  assert.equal(a.rejected, 0);
  assert.equal(b.rejected, 0);
  assert.deepEqual(b.rows, a.rows, "the same calls kept as rows, with the same actor, outcome and classes");
  // A call the SQL selected that no keep rule wants is counted by the ingest all the same.
  assert.deepEqual(b.counts, a.counts, "the same counts per day, principal, action, classes and outcome");
  return a;
}

const keptRows = (rows: unknown[]) => (rows as { event_key: string; outcome: string; classes: string }[]).map((r) => `${r.event_key} ${r.outcome} ${r.classes}`);

test("pushdown (run in DuckDB) and the raw files keep the same calls as rows and count the rest under the same principal and outcome", async (t) => {
  const a = await agreeing(t, "root, write");
  // What the raw path decided, so the comparison compared something.
  assert.deepEqual(keptRows(a.rows), [
    "awkward-1 failed write", "awkward-12 succeeded destructive write", "awkward-13 succeeded privilege-change write", "awkward-14 succeeded credential-access write",
    "awkward-15 succeeded write", "awkward-2 failed write", "awkward-3 denied read", "awkward-4 succeeded write", "awkward-8 succeeded write",
  ]);
  const actors = new Set((a.counts as { actor: string }[]).map((c) => c.actor));
  for (const actor of ["arn:aws:identitystore::111122223333:identitystore/d-9067642ac7/user/94482488-3041-7026-18f3-be45837cd0e4", "AWSAccount:444455556666", "cloudtrail.amazonaws.com", assumed.arn]) {
    assert.ok(actors.has(actor), `${actor} among ${[...actors].join(", ")}`);
  }
});

test("pushdown keeps the calls the ingest classes destructive, privilege-changing or credential-reading from the IAM dataset", async (t) => {
  const a = await agreeing(t, "destructive, privilege-change, credential-access");
  assert.deepEqual(keptRows(a.rows), [
    "awkward-1 failed write", "awkward-12 succeeded destructive write", "awkward-13 succeeded privilege-change write", "awkward-14 succeeded credential-access write",
    "awkward-2 failed write", "awkward-3 denied read",
  ]);
});

test("no IAM action's name ends in a version suffix, so the SQL may compare event names without it", () => {
  const suffix = new RegExp(VERSION_SUFFIX);
  assert.deepEqual(allActions().filter((a) => suffix.test(a.action)).map((a) => a.action), []);
});
