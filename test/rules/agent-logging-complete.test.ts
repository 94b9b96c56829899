import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import type { EvidenceEvent } from "../../src/event.ts";
import { createRuleContext, runRule } from "../../src/evaluate.ts";
import { parsePeriod } from "../../src/period.ts";
import agentLoggingComplete from "../../src/rules/agent-logging-complete.ts";
import type { Db } from "../../src/store/index.ts";
import { withRegisters } from "../helpers/registers.ts";
import { runRuleOn, seededStore } from "../helpers/rule-tester.ts";

/**
 * Logging completeness per agent against a real store seeded through the ingest writer, with the
 * AI tool inventory loaded through the real register reader. October 2026 starts on a Thursday;
 * the weeks of 5, 12, 19 and 26 October are whole Monday-to-Friday weeks.
 */
const INVENTORY = `tools:
  - product: claude-code
    owner: team@acme.example
    environments: [non-production]
    permissionBoundary: { permitted: [read] }
  - product: kiro
    aliases: [kiro-operator]
    owner: sre@acme.example
    environments: [non-production]
    permissionBoundary: { permitted: [read] }
`;

let n = 0;
/** A session of `person` with claude-code on a day: its start record (carrying the person) and one tool call. */
function session(person: string, day: string): Partial<EvidenceEvent>[] {
  const id = `s${++n}`;
  return [
    { eventKey: `${id}-start`, action: "session:SessionStart", actor: person, actorKind: "human", classes: [], command: null, sessionId: id, time: `${day}T09:00:00.000Z` },
    { eventKey: `${id}-call`, sessionId: id, time: `${day}T09:05:00.000Z` },
  ];
}
const kiroCall = (time: string, key: string): Partial<EvidenceEvent> => ({
  eventKey: key, sourceKind: "cloudtrail", actorKind: "agent", agentProduct: "kiro", agentId: "kiro-operator", actor: "arn:aws:sts::111122223333:assumed-role/op/kiro-1",
  action: "cloudformation:DescribeStacks", classes: ["read"], command: null, sessionId: null, time,
});
const kiroLog = (time: string, key: string): Partial<EvidenceEvent> => ({ eventKey: key, agentProduct: "kiro", agentId: "kiro-operator", actor: "kiro", sessionId: "k", time });
const weekdays = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `2026-10-${String(from + i).padStart(2, "0")}`);

function run(t: { after: (fn: () => void) => void }, events: Partial<EvidenceEvent>[]) {
  const db: Db = seededStore({ events });
  t.after(() => {
    db.close();
    rmSync(path.dirname(db.name), { recursive: true, force: true });
  });
  withRegisters(db, { aiTools: INVENTORY });
  return runRuleOn(agentLoggingComplete, db);
}
const fails = (r: ReturnType<typeof run>) => r.results.filter((x) => x.outcome === "fail").map((x) => x.message);

test("agent-logging-complete: tools with records every working day of their active weeks pass", (t) => {
  const r = run(t, [...weekdays(5, 9).flatMap((d) => session("li@acme.example", d)), kiroLog("2026-10-05T12:00:00.000Z", "kl")]);
  assert.equal(r.outcome, "pass", JSON.stringify(r.results));
  assert.equal(r.items?.length, r.population?.size);
  assert.deepEqual(r.items?.map((i) => i.key), ["tool:claude-code", "tool:kiro", "person:claude-code:li@acme.example"]);
});

test("agent-logging-complete: an inventoried tool with no records in the period is a finding", (t) => {
  const r = run(t, weekdays(5, 9).flatMap((d) => session("li@acme.example", d)));
  assert.deepEqual(fails(r), ["kiro is in the AI tool inventory but left no agent-log records in 2026-10: either it was not used or its logs are not collected."]);
  assert.equal(r.results.find((x) => x.outcome === "fail")?.evidence[0]?.ref, "register:aiTools:2");
});

test("agent-logging-complete: a tool without records whose commits show it was used says so", (t) => {
  const db: Db = seededStore({ events: weekdays(5, 9).flatMap((d) => session("li@acme.example", d)), commits: [{ authorKind: "agent", agentProduct: "KIRO-operator" }] });
  t.after(() => {
    db.close();
    rmSync(path.dirname(db.name), { recursive: true, force: true });
  });
  withRegisters(db, { aiTools: INVENTORY });
  assert.deepEqual(fails(runRuleOn(agentLoggingComplete, db)), ["kiro is in the AI tool inventory but left no agent-log records in 2026-10, while 1 commit was attributed to it: its logs are not collected."]);
});

test("agent-logging-complete: working days without records inside an active week are a gap; weekends and quiet weeks are not", (t) => {
  // Active Mon 12, Tue 13 and Sat 17 October: Wed-Fri missing. Nothing in the week of the 19th: not an active week.
  const r = run(t, [...["2026-10-12", "2026-10-13", "2026-10-17"].flatMap((d) => session("li@acme.example", d)), kiroLog("2026-10-05T12:00:00.000Z", "kl")]);
  assert.deepEqual(fails(r), [
    "li@acme.example used claude-code in 1 week of 2026-10, but no claude-code record exists for working days inside an active week (week of 2026-10-12: 2026-10-14, 2026-10-15, 2026-10-16): at least 2 missing in a week is a gap (either claude-code was not used on those days or its records did not reach the store).",
  ]);
  const finding = r.results.find((x) => x.outcome === "fail")!;
  assert.match(finding.evidence[0]!.locator, /^line \d+$/);
  // The workpaper line of the exception cites the same record as its finding.
  assert.equal(r.items!.find((i) => i.key === "person:claude-code:li@acme.example")!.evidence?.ref, finding.evidence[0]!.ref);
});

test("agent-logging-complete: one missing working day stays under the threshold (data: logging-completeness.json)", (t) => {
  const r = run(t, [...weekdays(12, 15).flatMap((d) => session("li@acme.example", d)), kiroLog("2026-10-05T12:00:00.000Z", "kl")]);
  assert.equal(r.outcome, "pass", JSON.stringify(r.results));
  assert.match(r.items!.find((i) => i.key === "person:claude-code:li@acme.example")!.observed, /working days without records: 2026-10-16;/);
});

test("agent-logging-complete: AWS calls by an agent identity with no agent-log record of its tool within the window are a finding", (t) => {
  const r = run(t, [
    ...weekdays(5, 9).flatMap((d) => session("li@acme.example", d)),
    kiroLog("2026-10-14T09:00:00.000Z", "kl"),
    kiroCall("2026-10-14T09:08:00.000Z", "logged"), // 8 minutes after a kiro record: accounted for
    kiroCall("2026-10-14T09:10:01.000Z", "late"), // 10 min 1 s after: outside the window
    kiroCall("2026-10-20T03:00:00.000Z", "night"),
  ]);
  assert.deepEqual(fails(r), [
    "Agent identity kiro-operator (kiro) made 2 AWS calls between 2026-10-14T09:10:01.000Z and 2026-10-20T03:00:00.000Z with no agent-log record of its tool within 10 minutes before: the agent acted outside its logged tools.",
  ]);
  assert.deepEqual(r.items?.filter((i) => i.key.startsWith("cloudtrail:")).map((i) => `${i.key} ${i.result}`), ["cloudtrail:logged pass", "cloudtrail:late exception", "cloudtrail:night exception"]);
});

test("agent-logging-complete: days are the report time zone's calendar days", (t) => {
  const db: Db = seededStore({ events: [...["2026-10-12", "2026-10-13", "2026-10-14"].flatMap((d) => session("li@acme.example", d)), kiroLog("2026-10-05T12:00:00.000Z", "kl"),
    // 23:30 UTC on Thursday 15 October is Friday the 16th in Tokyo: Thursday stays missing, Friday is covered.
    { eventKey: "late", sessionId: `s${n}`, time: "2026-10-15T23:30:00.000Z" }] });
  t.after(() => {
    db.close();
    rmSync(path.dirname(db.name), { recursive: true, force: true });
  });
  withRegisters(db, { aiTools: INVENTORY });
  const person = (r: ReturnType<typeof runRuleOn>) => r.items!.find((i) => i.key.startsWith("person:"))!.observed;
  assert.match(person(runRuleOn(agentLoggingComplete, db)), /without records: 2026-10-16;/);
  assert.match(person(runRule(agentLoggingComplete, createRuleContext(db, parsePeriod("2026-10", "Asia/Tokyo")), [])), /without records: 2026-10-15;/);
});
