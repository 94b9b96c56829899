import { test } from "node:test";
import assert from "node:assert/strict";
import { gaps } from "../../src/report/collect/package-data.ts";
import { parsePeriod } from "../../src/period.ts";
import { FileWriter } from "../../src/store/index.ts";
import type { SummaryRecord } from "../../src/ingest/summary/summarise.ts";
import { event, seededStore } from "../helpers/rule-tester.ts";

function count(day: string, firstTime: string, lastTime: string, over: Partial<SummaryRecord> = {}): SummaryRecord {
  return {
    sourceKind: "cloudtrail", day, dayStart: `${day}T00:00:00.000Z`, actor: "arn:aws:sts::111122223333:assumed-role/dev/alice", actorKind: "human",
    identityType: "AssumedRole", roleArn: "arn:aws:iam::111122223333:role/dev", action: "s3:GetObject", classes: "read", outcome: "succeeded",
    account: "111122223333", region: "eu-west-1", environment: "production", eventCategory: "Data", eventType: "AwsApiCall", n: 3,
    firstTime, lastTime, locators: "record 1-3", ...over,
  };
}

test("coverage gaps count days whose CloudTrail calls were all kept as counts", () => {
  // One stored row on 3 October; counts alone on 5 and 6 October (a day of read-only calls).
  const db = seededStore({ events: [event({ sourceKind: "cloudtrail", eventKey: "e1", time: "2026-10-03T09:00:00.000Z" })] });
  const writer = new FileWriter(db, {
    source: "trail", path: "AWSLogs/x.json.gz", kind: "cloudtrail", sha256: "1".repeat(64), size: 1, parser: "cloudtrail", parserVersion: "1",
    contextHash: "x", ingestedAt: "2026-11-01T00:00:00.000Z",
  });
  writer.summary(count("2026-10-05", "2026-10-05T01:00:00.000Z", "2026-10-05T02:00:00.000Z"));
  writer.summary(count("2026-10-06", "2026-10-06T23:00:00.000Z", "2026-10-06T23:30:00.000Z"));
  // Outside the period: not a day of October.
  writer.summary(count("2026-11-02", "2026-11-02T10:00:00.000Z", "2026-11-02T10:00:00.000Z"));
  writer.commit();
  const period = parsePeriod("2026-10");
  const result = gaps(db, period, { start: period.startIso, end: period.endIso });
  const trail = result.find((g) => g.source === "trail")!;
  assert.equal(trail.daysInPeriod, 31);
  assert.equal(trail.daysWithData, 2, "the two days of counts are days with data");
  assert.deepEqual(trail.missing, ["2026-10-01 to 2026-10-04", "2026-10-07 to 2026-10-31"]);
  const test_ = result.find((g) => g.source === "test")!;
  assert.equal(test_.daysWithData, 1);
});

test("a count spanning two UTC days (a report-zone day) marks both", () => {
  const db = seededStore({});
  const writer = new FileWriter(db, {
    source: "trail", path: "AWSLogs/y.json.gz", kind: "cloudtrail", sha256: "2".repeat(64), size: 1, parser: "cloudtrail", parserVersion: "1",
    contextHash: "x", ingestedAt: "2026-11-01T00:00:00.000Z",
  });
  // 10 October in Europe/Berlin (UTC+2) runs from 9 October 22:00 UTC.
  writer.summary(count("2026-10-10", "2026-10-09T22:30:00.000Z", "2026-10-10T08:00:00.000Z", { dayStart: "2026-10-09T22:00:00.000Z" }));
  writer.commit();
  const period = parsePeriod("2026-10");
  const trail = gaps(db, period, { start: period.startIso, end: period.endIso }).find((g) => g.source === "trail")!;
  assert.equal(trail.daysWithData, 2);
  assert.deepEqual(trail.missing, ["2026-10-01 to 2026-10-08", "2026-10-11 to 2026-10-31"]);
});

test("snapshot sources (IAM, agent settings, pull-request exports) are not reported as days without records", () => {
  const db = seededStore({});
  for (const [source, kind] of [["iam", "iam"], ["settings", "agent-settings"], ["prs", "github-pull-requests"]] as const) {
    new FileWriter(db, {
      source, path: `${source}.json`, kind, sha256: "3".repeat(64), size: 1, parser: kind, parserVersion: "1", contextHash: "x", ingestedAt: "2026-11-01T00:00:00.000Z",
    }).commit();
  }
  const period = parsePeriod("2026-10");
  const result = gaps(db, period, { start: period.startIso, end: period.endIso });
  for (const source of ["iam", "settings", "prs"]) {
    const g = result.find((r) => r.source === source)!;
    assert.deepEqual([g.daily, g.missing], [false, []], source);
  }
  // A log source with no records in the period is still a gap, the whole month of it.
  const log = result.find((r) => r.source === "test")!;
  assert.deepEqual([log.daily, log.daysWithData, log.missing], [true, 0, ["2026-10-01 to 2026-10-31"]]);
});

test("a source kind this version does not know is reported day by day: a gap is never hidden", () => {
  const db = seededStore({});
  new FileWriter(db, {
    source: "future", path: "future.jsonl", kind: "some-future-agent", sha256: "4".repeat(64), size: 1, parser: "future", parserVersion: "1", contextHash: "x",
    ingestedAt: "2026-11-01T00:00:00.000Z",
  }).commit();
  const period = parsePeriod("2026-10");
  const g = gaps(db, period, { start: period.startIso, end: period.endIso }).find((r) => r.source === "future")!;
  assert.deepEqual([g.daily, g.daysWithData, g.missing], [true, 0, ["2026-10-01 to 2026-10-31"]]);
});
