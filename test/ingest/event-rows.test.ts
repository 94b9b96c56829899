import { test } from "node:test";
import assert from "node:assert/strict";
import { ActionClass } from "../../src/classify/shell-patterns.ts";
import type { EvidenceEvent, SummaryRecord } from "../../src/event.ts";
import { storeItems, writerRows, type StoreItem } from "../../src/ingest/file-task.ts";
import type { ParsedItem } from "../../src/ingest/parser.ts";
import { createRedactor, type Redactor } from "../../src/redact/index.ts";
import { ATTRS_COLUMN, EVENT_COLUMNS, EVENT_FIELDS, eventFromRow, eventRow } from "../../src/store/event-row.ts";
import { event } from "../helpers/rule-tester.ts";

/**
 * Workers hand the writer each event as its stored row, redacted behind a keyword gate over the
 * row's strings (src/ingest/file-task.ts). The gate may only ever skip rows with nothing to redact.
 */
async function rowsOf(events: ReturnType<typeof event>[], redactor = createRedactor()): Promise<unknown[][]> {
  async function* items(): AsyncIterable<ParsedItem> {
    for (const e of events) yield { kind: "event", event: e };
  }
  const out: StoreItem[] = [];
  for await (const batch of storeItems(items(), redactor, null)) out.push(...batch);
  return out.map((item) => {
    assert.equal(item.kind, "event-row");
    return (item as Extract<StoreItem, { kind: "event-row" }>).row;
  });
}

test("an event with nothing to redact is stored as built; classes sorted and deduplicated, destructive derived", async () => {
  const e = event({ classes: ["write", "destructive", "write"], attrs: { cwd: "/srv/app", argv: ["rm", "-rf", "dist"] } });
  const [row] = await rowsOf([e]);
  assert.deepEqual(row, eventRow(e));
  assert.equal(row!.length, EVENT_COLUMNS.length);
  assert.equal(row![EVENT_COLUMNS.indexOf("classes")], "destructive write");
  assert.equal(row![EVENT_COLUMNS.indexOf("destructive")], 1);
  assert.equal(row![ATTRS_COLUMN], '{"cwd":"/srv/app","argv":["rm","-rf","dist"]}');
});

test("a secret anywhere in the row is redacted: in a column, in attrs, or named only by a key inside attrs", async () => {
  const token = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";
  const redactor = createRedactor();
  const rows = await rowsOf(
    [
      event({ command: `curl -H "Authorization: token ${token}" https://api.github.com/user` }, 0),
      event({ attrs: { output: [`pushed with ${token}`] } }, 1),
      // The value alone passes no keyword: only its key says it is a password.
      event({ attrs: { env: { DB_PASSWORD: "hunter2-Zx81" } } }, 2),
    ],
    redactor,
  );
  const text = JSON.stringify(rows);
  assert.ok(!text.includes(token), text);
  assert.ok(!text.includes("hunter2-Zx81"), text);
  assert.match(String(rows[2]![ATTRS_COLUMN]), /"DB_PASSWORD":"\[REDACTED:/);
  assert.ok(redactor.total() >= 3, `${redactor.total()} redacted`);
});

test("the JSON gate is always open when a keyword holds a character JSON escapes", () => {
  const plain = createRedactor();
  assert.equal(plain.mayHoldSecretInJson('{"cwd":"/srv/app"}'), false);
  assert.equal(plain.mayHoldSecretInJson('{"DB_PASSWORD":"x"}'), true);
  // A user keyword with a quote: its occurrence in a string is escaped in the JSON (\"), so the
  // gate cannot look for it there and lets every row through to the full walk.
  const quoted = createRedactor([{ id: "quoted", description: "test", regex: 'pin="\\d{4}"', keywords: ['pin="'] }]);
  assert.equal(quoted.mayHoldSecret('{"cwd":"/srv/app"}'), false);
  assert.equal(quoted.mayHoldSecretInJson('{"cwd":"/srv/app"}'), true);
});

test("a quoted user keyword inside attrs is still found and redacted", async () => {
  const redactor = createRedactor([{ id: "quoted", description: "test", regex: 'pin="(\\d{4})"', group: 1, keywords: ['pin="'] }]);
  const [row] = await rowsOf([event({ attrs: { note: 'door pin="4821"' } })], redactor);
  assert.ok(!String(row![ATTRS_COLUMN]).includes("4821"), String(row![ATTRS_COLUMN]));
  assert.equal(redactor.total(), 1);
});

test("a column's value equal to the last one it let through clean is not gated again; a new value is, and its secret is redacted", async () => {
  const inner = createRedactor();
  const gated: string[] = [];
  const counting = {
    ...inner,
    mayHoldSecret: (text: string) => (gated.push(text), inner.mayHoldSecret(text)),
    mayHoldSecretInJson: (json: string) => (gated.push(json), inner.mayHoldSecretInJson(json)),
  };
  const token = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";
  const events = [
    event({ attrs: { cwd: "/srv/app" } }, 0),
    event({ attrs: { cwd: "/srv/app" } }, 1),
    event({ command: `git push https://x:${token}@github.com/acme/app`, attrs: { cwd: "/srv/app" } }, 2),
    event({ attrs: { cwd: "/srv/app" } }, 3),
  ];
  const rows = await rowsOf(events, counting);
  // storeItems first asks once whether any field name passes the gate (none does).
  const perRow = gated.slice(EVENT_FIELDS.length);
  const strings = eventRow(events[0]!).filter((v) => typeof v === "string").length;
  // Row 1 gates every string; row 2 only its own event key and locator; row 3 its key and its new
  // command, which passes the gate (no need to look further); row 4 its key and locator: its
  // command equals the last one let through clean.
  assert.deepEqual(perRow.slice(strings), ["k1", "line 2", "k2", events[2]!.command, "k3", "line 4"]);
  assert.deepEqual(rows[0], eventRow(events[0]!));
  assert.deepEqual(rows[1], eventRow(events[1]!));
  assert.deepEqual(rows[3], eventRow(events[3]!));
  assert.ok(!JSON.stringify(rows).includes(token));
  assert.equal(inner.total(), 1);
});

test("a count's principal and role the gate passed as clean are not gated again in the file; a name with a secret is redacted in every count", async () => {
  const inner = createRedactor();
  const gated: string[] = [];
  const counting = { ...inner, mayHoldSecret: (text: string) => (gated.push(text), inner.mayHoldSecret(text)) };
  const token = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";
  const role = "arn:aws:iam::111122223333:role/developer";
  const risky = `arn:aws:sts::111122223333:assumed-role/developer/${token}`;
  const count = (actor: string, action: string): SummaryRecord => ({
    sourceKind: "cloudtrail", day: "2026-10-01", dayStart: "2026-10-01T00:00:00.000Z", actor, actorKind: "human", identityType: "AssumedRole", roleArn: role,
    action, classes: "read", outcome: "success", account: "111122223333", region: "eu-west-1", environment: "production", eventCategory: "Management",
    eventType: "AwsApiCall", n: 1, firstTime: "2026-10-01T10:00:00Z", lastTime: "2026-10-01T10:00:00Z", locators: "record 0",
  });
  const jane = "arn:aws:sts::111122223333:assumed-role/developer/jane";
  const summaries = [count(jane, "s3:GetObject"), count(jane, "s3:ListBucket"), count(risky, "s3:GetObject"), count(risky, "s3:ListBucket"), count(jane, "ec2:DescribeInstances")];
  async function* items(): AsyncIterable<ParsedItem> {
    for (const summary of summaries) yield { kind: "summary", summary };
  }
  const out: SummaryRecord[] = [];
  for await (const batch of storeItems(items(), counting, null)) for (const item of batch) if (item.kind === "summary") out.push(item.summary);
  assert.equal(out.length, 5);
  // Each clean name is gated once for the file; the name holding a token is gated and redacted every time.
  assert.equal(gated.filter((t) => t === jane).length, 1);
  assert.equal(gated.filter((t) => t === role).length, 1);
  assert.deepEqual(out.map((s) => s.actor === jane), [true, true, false, false, true]);
  assert.ok(!JSON.stringify(out).includes(token));
  assert.match(out[2]!.actor!, /\[REDACTED:/);
  assert.equal(out[3]!.actor, out[2]!.actor);
  assert.equal(inner.total(), 2, "each count holding the token is one redaction");
  assert.deepEqual(out.map((s) => s.roleArn), summaries.map(() => role));
});

/**
 * A parsing worker posts agent-log rows built but not redacted ("unredacted-row"); the writer runs
 * the same gate on them and, for a row that passes, redacts the event rebuilt from the row
 * (writerRows). Both ends must store what redacting in the worker stores, and count as many.
 */
async function writerSideRows(events: EvidenceEvent[], redactor: Redactor): Promise<unknown[][]> {
  async function* items(): AsyncIterable<ParsedItem> {
    for (const e of events) yield { kind: "event", event: e };
  }
  const worker = createRedactor();
  const rows = writerRows(redactor);
  const out: unknown[][] = [];
  for await (const batch of storeItems(items(), worker, null, true)) {
    for (const item of batch) {
      assert.equal(item.kind, "unredacted-row");
      out.push(rows.row((item as Extract<StoreItem, { kind: "unredacted-row" }>).row));
    }
  }
  assert.equal(worker.total(), 0, "the worker redacts nothing");
  assert.equal(rows.redacted(), redactor.total());
  return out;
}

test("agent rows redacted on the writer equal rows redacted while parsing, with the same count", async () => {
  const token = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";
  const events = [
    event({ command: `curl -H "Authorization: token ${token}" https://api.github.com/user`, classes: ["network", "read", "network"] }, 0),
    event({ attrs: { output: [`pushed with ${token}`], cwd: "/srv/app" } }, 1),
    event({ attrs: { env: { DB_PASSWORD: "hunter2-Zx81" }, nested: [{ name: "API_TOKEN", value: "v-8f7a6b5c4d3e" }] } }, 2),
    // The access key id is redacted because its sibling line holds the secret key: context that only the event's own shape gives.
    event({ command: "aws s3 ls", attrs: { AWS_ACCESS_KEY_ID: "AKIAQ3EGUDXZ4EXAMPL7", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEK3" } }, 3),
    event({ attrs: JSON.parse('{"__proto__":{"password":"pa55-Word-x1"},"lone":"\\ud800 token=abc123def456ghi7"}') as Record<string, unknown> }, 4),
    event({ classes: ["write", "destructive", "write"], target: "/srv/app/.env", attrs: { cwd: "/srv/app" } }, 5),
    event({ sourceKind: "cloudtrail", command: `token ${token}` }, 6),
  ];
  const inWorker = createRedactor();
  const expected = await rowsOf(events.slice(0, 6), inWorker);
  const onWriter = createRedactor();
  const got = await writerSideRows(events.slice(0, 6), onWriter);
  assert.deepEqual(got, expected);
  assert.equal(onWriter.total(), inWorker.total());
  assert.ok(onWriter.total() >= 5, `${onWriter.total()} redacted`);
  assert.ok(!JSON.stringify(got).includes(token));
  // CloudTrail events are still redacted where they are parsed.
  const trail: StoreItem[] = [];
  async function* one(): AsyncIterable<ParsedItem> {
    yield { kind: "event", event: events[6]! };
  }
  for await (const batch of storeItems(one(), createRedactor(), null, true)) trail.push(...batch);
  assert.equal(trail[0]!.kind, "event-row");
  assert.ok(!JSON.stringify(trail).includes(token));
});

test("the writer's rebuilt event has the parsed event's fields in the same order, classes as stored", () => {
  const e = event({ classes: ["write", "destructive", "write"], attrs: { cwd: "/srv/app", argv: ["rm", "-rf", "dist"], n: 3, ok: true } });
  const back = eventFromRow(eventRow(e));
  assert.deepEqual(Object.keys(back), Object.keys(e));
  assert.deepEqual(Object.keys(back), [...EVENT_FIELDS]);
  assert.deepEqual(back, { ...e, classes: ["destructive", "write"] });
  assert.deepEqual(eventFromRow(eventRow(event({ classes: [] }))).classes, []);
});

test("no action class is redacted, alone or beside another: the writer may rebuild classes in stored order", () => {
  const redactor = createRedactor();
  for (const a of ActionClass.options) {
    for (const b of ActionClass.options) assert.deepEqual(redactor.redactDeep([a, b]), [a, b]);
  }
  assert.equal(redactor.total(), 0);
});
