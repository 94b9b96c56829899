import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createCopilotCliHooksParser } from "../../src/ingest/agent/copilot-cli-hooks.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/copilot-cli-hooks");
const parse = (file: string) => parseFile(createCopilotCliHooksParser(testContext()), DIR, file);
const actions = <T extends { action: string }>(events: T[]) => events.filter((e) => !e.action.startsWith("session:"));

test("camelCase payloads without an event name: the hook is inferred from the fields [inferred]; toolArgs JSON string parsed", async () => {
  const { events, rejects } = await parse("camel-case.jsonl");
  assert.deepEqual(rejects, []);
  const calls = actions(events);
  assert.deepEqual(calls.map((e) => [e.command, e.outcome]), [
    ["rm -rf dist", "succeeded"],
    ["git push --force origin main", "denied"],
    ['{"path":"/home/maria.garcia/src/api/a.ts","old_str":"a","new_str":"b"}', "failed"],
  ]);
  assert.equal(calls[0]!.locator, "lines 3, 4");
  assert.equal(calls[0]!.time, "2026-10-21T09:00:02.000Z");
  assert.equal(calls[0]!.approval, "unknown");
  assert.equal(calls[1]!.approval, "denied");
  assert.equal(calls[1]!.attrs.approvalRecorded, true);
  assert.equal(calls[2]!.target, "/home/maria.garcia/src/api/a.ts");
  assert.deepEqual(calls[2]!.classes, ["write"]);
  // No identity in the payload: the operator is inferred from the home directory.
  assert.equal(calls[0]!.attrs.operator, "maria.garcia");
  assert.deepEqual(events.filter((e) => e.action.startsWith("session:")).map((e) => e.action), [
    "session:sessionStart", "session:userPromptSubmitted", "session:teleportRequested", "session:sessionEnd",
  ]);
});

test("snake_case payloads: PascalCase events, post before pre folds, a permission request that ran is human, error fails", async () => {
  const { events } = await parse("snake-case.jsonl");
  const calls = actions(events);
  const pod = calls.filter((e) => e.command === "kubectl delete pod api-0");
  assert.equal(pod.length, 1);
  assert.equal(pod[0]!.sessionId, "cp-9");
  assert.equal(pod[0]!.environment, "production");
  const tf = calls.find((e) => e.command === "terraform apply -auto-approve")!;
  assert.equal(tf.approval, "human");
  assert.match(tf.approvalEvidence!, /permissionRequest logged and the tool then ran/);
  assert.equal(tf.outcome, "failed");
  assert.equal(tf.locator, "lines 4, 5, 6");
  // A pre with no post (the log ends) is still an action.
  assert.equal(calls.find((e) => e.action === "view")!.outcome, "unknown");
});

test("records with no recognisable event, no timestamp, and a truncated last line are rejects", async () => {
  const { rejects, events } = await parse("snake-case.jsonl");
  assert.deepEqual(rejects.map((r) => r.locator), ["line 8", "line 9", "line 10"]);
  assert.match(rejects[0]!.reason, /no event name/);
  assert.match(rejects[1]!.reason, /no timestamp/);
  assert.ok(events.some((e) => e.action === "session:sessionStart"));
});
