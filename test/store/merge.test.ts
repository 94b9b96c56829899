import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeObservations, type Observation } from "../../src/store/merge.ts";
import { event } from "../helpers/rule-tester.ts";

const obs = (path: string, over: Parameters<typeof event>[0], fileId = 1): Observation => ({ path, fileId, event: event({ eventKey: "claude-code:tool:t", ...over }) });

test("a decision record outranks an inferred approval, whatever the ranks", () => {
  const inferred = obs("hooks.jsonl", { approval: "human", approvalEvidence: "prompt seen", attrs: {} }, 1);
  const record = obs("otel.jsonl", { approval: "policy", approvalEvidence: "tool_decision config", attrs: { approvalRecorded: true } }, 2);
  const { event: e, fileId } = mergeObservations([inferred, record]);
  assert.deepEqual([e.approval, e.approvalEvidence, fileId], ["policy", "tool_decision config", 2]);
});

test("within the same strength denied > human > policy > unknown; outcome, time, environment and classes combine", () => {
  const { event: e } = mergeObservations([
    obs("a.jsonl", { approval: "policy", outcome: "succeeded", time: "2026-10-10T10:00:05.000Z", environment: "unknown", classes: ["execute"], command: null }),
    obs("b.jsonl", { approval: "human", outcome: "unknown", time: "2026-10-10T10:00:01.000Z", environment: "production", classes: ["destructive", "execute"], command: "rm -rf x" }),
    obs("c.jsonl", { approval: "unknown", outcome: "failed", time: "2026-10-10T10:00:03.000Z", environment: "non-production", classes: ["write"] }),
  ]);
  assert.equal(e.approval, "human");
  assert.equal(e.outcome, "failed");
  assert.equal(e.time, "2026-10-10T10:00:01.000Z");
  assert.equal(e.environment, "production");
  assert.deepEqual(e.classes, ["destructive", "execute", "write"]);
  assert.equal(e.command, "rm -rf x");
  assert.equal(e.locator, "line 1; a.jsonl: line 1; c.jsonl: line 1");
  assert.equal((e.attrs.observedIn as unknown[]).length, 3);
});

test("a refusal recorded anywhere wins and the merged action is denied", () => {
  const { event: e } = mergeObservations([
    obs("hooks.jsonl", { approval: "policy", outcome: "unknown" }),
    obs("transcript.jsonl", { approval: "denied", outcome: "denied", attrs: { approvalRecorded: true } }),
  ]);
  assert.deepEqual([e.approval, e.outcome], ["denied", "denied"]);
});

test("the result does not depend on the order of the observations", () => {
  const list = [
    obs("x.jsonl", { approval: "policy", time: "2026-10-10T10:00:00.000Z" }, 7),
    obs("y.jsonl", { approval: "policy", time: "2026-10-10T10:00:00.000Z" }, 3),
  ];
  assert.deepEqual(mergeObservations(list), mergeObservations([...list].reverse()));
});
