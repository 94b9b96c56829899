import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { fixtureRecords } from "../../bench/cloudtrail-fixture.ts";
import { loadConfig } from "../../src/config.ts";
import { createCloudTrailS3Parser } from "../../src/ingest/cloudtrail/s3-delivery.ts";
import { parserInput } from "../../src/ingest/files.ts";
import { ingestSources, type IngestOptions } from "../../src/ingest/index.ts";
import { dayBucketer } from "../../src/ingest/summary/day.ts";
import { DEFAULT_KEEP } from "../../src/keep-rules.ts";
import { FileSummariser } from "../../src/ingest/summary/summarise.ts";
import { openStore } from "../../src/store/index.ts";
import { storeDigest, type StoreDigest } from "../helpers/store-digest.ts";
import { testContext } from "../helpers/parse.ts";
import { SAMPLE, tempDir } from "../helpers/workspace.ts";

/**
 * The fast path for counted CloudTrail calls (src/ingest/cloudtrail/counted.ts) must leave the
 * store exactly as the full event path does: same events, counts, files and rejects, row for row.
 * EVIDENCE_FAST_COUNTS=0 turns the fast path off; both stores are hashed table by table.
 */
const quiet = { info() {}, update() {}, done() {} } as unknown as IngestOptions["progress"];
const START = Date.UTC(2026, 9, 14);
const DEEP = "(nested 50 000 levels)";

async function ingestWith(fast: boolean, configFile: string, only?: string[]): Promise<StoreDigest> {
  const work = tempDir("evidence-counted-store-");
  const before = process.env.EVIDENCE_FAST_COUNTS;
  if (fast) delete process.env.EVIDENCE_FAST_COUNTS;
  else process.env.EVIDENCE_FAST_COUNTS = "0";
  const db = openStore(path.join(work, "evidence.db"));
  try {
    await ingestSources(db, loadConfig(configFile), {
      cacheDir: path.join(work, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: quiet, workers: 0, ...(only ? { only } : {}),
    });
    return storeDigest(db);
  } finally {
    db.close();
    if (before === undefined) delete process.env.EVIDENCE_FAST_COUNTS;
    else process.env.EVIDENCE_FAST_COUNTS = before;
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The bench's records, plus every shape the fast path must hand over to the full one or treat the
 * same: repeats, a record without a time, times with milliseconds, readOnly as a string, service,
 * IAM user and root identities, failures without an errorCode, a non-object record, and bare
 * records one per line (locators "line N").
 */
function trail(keep: string, timezone: string): string {
  const root = tempDir("evidence-counted-");
  const dir = path.join(root, "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/14");
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < 4; f++) {
    const records = fixtureRecords(f + 1, 300, START + f * 3_600_000, { account: "111122223333", region: "eu-west-1" }, 3_600_000) as Record<string, unknown>[];
    if (f === 1) {
      // A read by an IAM user, counted unless an override below says otherwise.
      const read = (i: number, over: Record<string, unknown>) => ({
        ...records[i]!, eventSource: "ec2.amazonaws.com", eventName: "DescribeInstances", readOnly: true, errorCode: undefined, errorMessage: undefined,
        userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/ops", accountId: "111122223333", userName: "ops" }, eventID: `read-${i}`, ...over,
      });
      records.push({ ...records[10]! }, read(20, {}), read(20, { eventTime: "2026-10-14T01:45:00Z" }), { ...records[11]!, eventTime: undefined });
      records.push(read(12, { eventTime: "2026-10-14T01:30:00.250Z" }), read(13, { readOnly: "true" }), read(14, { readOnly: undefined, eventName: "ListBuckets", eventSource: "s3.amazonaws.com" }));
      records.push(read(15, { userIdentity: { type: "AWSService", invokedBy: "ec2.amazonaws.com" } }), read(16, { userIdentity: { type: "Root", arn: "arn:aws:iam::111122223333:root", accountId: "111122223333" } }));
      records.push(read(17, { errorMessage: "Failed authentication" }), 42 as unknown as Record<string, unknown>);
      records.push(read(18, { eventSource: "signin.amazonaws.com", eventName: "ConsoleLogin", responseElements: { ConsoleLogin: "Failure" } }));
      records.push(read(19, { recipientAccountId: undefined, awsRegion: undefined, eventCategory: undefined, userIdentity: { type: "IAMUser", userName: "ops", accountId: "444455556666" } }));
      records.push(read(21, { userIdentity: { type: "SAMLUser", principalId: "SAML:ops@example.com", userName: "ops@example.com", identityProvider: "idp" } }));
      // Hostile nesting: where it is never re-serialised (read), where it is stored (reject), and in a kept call.
      // (Written as a placeholder: the test's own JSON.stringify could not quote it.)
      records.push(read(22, { responseElements: DEEP }), read(23, { requestParameters: { a: DEEP } }), { ...records[24]!, eventID: "deep-kept", errorCode: "AccessDenied", additionalEventData: DEEP });
    }
    const text = JSON.stringify({ Records: records }).replaceAll(JSON.stringify(DEEP), `${"[".repeat(50_000)}${"]".repeat(50_000)}`);
    writeFileSync(path.join(dir, `111122223333_CloudTrail_eu-west-1_20261014T0${f}00Z_${f}.json.gz`), gzipSync(text));
  }
  const lines = fixtureRecords(9, 50, START + 5 * 3_600_000, { account: "444455556666", region: "us-east-1" }, 3_600_000);
  writeFileSync(path.join(root, "extract.json"), lines.map((r) => JSON.stringify(r)).join("\n") + "\n");
  writeFileSync(
    path.join(root, "evidence.config.yaml"),
    `organisation: { name: Counted }
report: { timezone: ${timezone} }
sources:
  - { name: trail, kind: cloudtrail, paths: ["AWSLogs/**/*.json.gz", "extract.json"] }
agents:
  - { id: agent, product: kiro, match: { awsRoles: ["*:role/ai-agent-operator"] } }
environments: { production: { awsAccounts: ["111122223333"] } }
storage: { cloudtrail: { mode: summarise, keep: [${keep}] } }
`,
  );
  return root;
}

for (const [keep, timezone] of [["agent, destructive, privilege-change, errors, root, assume-role", "UTC"], ["destructive", "Europe/Berlin"]] as const) {
  test(`the fast path for counted calls stores what the full path stores, on the bench's records (keep: ${keep}; ${timezone})`, async (t) => {
    const root = trail(keep, timezone);
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const config = path.join(root, "evidence.config.yaml");
    const full = await ingestWith(false, config);
    const fast = await ingestWith(true, config);
    assert.ok(full.event_summaries!.rows > 100 && full.events!.rows > 20 && full.rejects!.rows === 3, JSON.stringify(full));
    assert.deepEqual(fast, full);
  });
}

test("the fast path for counted calls stores what the full path stores, on the sample workspace's CloudTrail", async () => {
  const config = path.join(SAMPLE, "evidence.config.yaml");
  const full = await ingestWith(false, config, ["cloudtrail"]);
  const fast = await ingestWith(true, config, ["cloudtrail"]);
  assert.ok(full.event_summaries!.rows > 500 && full.events!.rows > 10, JSON.stringify(full));
  assert.deepEqual(fast, full);
});

test("the CloudTrail parser counts a summarised call itself and yields no event for it; kept calls still come as events", async (t) => {
  const root = trail("agent, destructive, privilege-change, errors, root, assume-role", "UTC");
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const rel = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/14/111122223333_CloudTrail_eu-west-1_20261014T0000Z_0.json.gz";
  const summariser = new FileSummariser({ keep: new Set(DEFAULT_KEEP), keepAssumedRoleSessions: false }, dayBucketer("UTC"));
  const input = { ...parserInput(root, path.join(root, rel)), counter: summariser };
  let events = 0;
  for await (const item of createCloudTrailS3Parser(testContext()).parse(input)) {
    assert.equal(item.kind, "event");
    if (item.kind === "event") assert.equal(summariser.add(item.event), false, `${item.event.locator} was yielded but is a counted call`);
    events++;
  }
  const counted = summariser.rows().reduce((n, r) => n + r.n, 0);
  assert.equal(events + counted, 300);
  assert.ok(counted > 150 && events > 30, `${counted} counted, ${events} yielded`);
});
