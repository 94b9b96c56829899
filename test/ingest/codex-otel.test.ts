import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createCodexOtelParser } from "../../src/ingest/agent/codex-otel.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/codex-otel");
const parse = () => parseFile(createCodexOtelParser(testContext()), DIR, "decisions.jsonl");

test("codex.tool_decision + codex.tool_result join by call_id into one action; source=user approval is human", async () => {
  const { events } = await parse();
  const a = events.find((e) => e.eventKey === "codex:tool:call_A")!;
  assert.equal(a.approval, "human");
  assert.equal(a.approvalEvidence, "codex.tool_decision decision=approved source=user");
  assert.equal(a.attrs.approvalRecorded, true);
  assert.equal(a.outcome, "succeeded");
  assert.equal(a.command, "bash -lc 'kubectl delete ns prod-payments'");
  assert.equal(a.environment, "production");
  assert.ok(a.classes.includes("destructive"));
  assert.equal(a.attrs.operator, "olga.ivanova@acme.example");
  assert.equal(a.sessionId, "conv-7");
  assert.equal(a.time, "2026-10-20T10:00:02.000Z");
  assert.equal(a.locator, "line 2, log record 1; line 2, log record 2");
});

test("config approvals are policy; denied and abort are denials; failures keep success=false", async () => {
  const { events } = await parse();
  const by = new Map(events.map((e) => [e.eventKey, e]));
  assert.equal(by.get("codex:tool:call_B")!.approval, "policy");
  assert.equal(by.get("codex:tool:call_B")!.outcome, "failed");
  assert.equal(by.get("codex:tool:call_C")!.approval, "denied");
  assert.equal(by.get("codex:tool:call_C")!.outcome, "denied");
  assert.equal(by.get("codex:tool:call_E")!.approval, "denied");
  assert.equal(by.get("codex:tool:call_E")!.outcome, "interrupted");
});

test("a result logged before its decision (out of order, across export lines) still joins", async () => {
  const { events } = await parse();
  const d = events.filter((e) => e.eventKey === "codex:tool:call_D");
  assert.equal(d.length, 1);
  assert.equal(d[0]!.approval, "human");
  assert.equal(d[0]!.outcome, "succeeded");
  assert.equal(d[0]!.time, "2026-10-20T10:00:07.000Z");
});

test("a result with no decision record falls back to the session's approval policy: unknown under on-request", async () => {
  const { events } = await parse();
  const f = events.find((e) => e.eventKey === "codex:tool:call_F")!;
  assert.equal(f.approval, "unknown");
  assert.equal(f.attrs.approvalRecorded, undefined);
  assert.deepEqual(f.classes, ["write"]);
});

test("unknown codex.* events are kept and counted; quiet ones skipped; bad records rejected", async () => {
  const { events, rejects, notes } = await parse();
  assert.ok(events.some((e) => e.action === "session:codex.warp_drive" && e.attrs.unknownEventType === true));
  assert.ok(events.some((e) => e.action === "session:codex.conversation_starts" && e.attrs.approvalPolicy === "on-request"));
  assert.ok(!events.some((e) => e.action.includes("api_request")));
  assert.ok(notes.some((n) => /codex\.warp_drive \(1\)/.test(n)));
  assert.deepEqual(rejects.map((r) => r.locator), ["line 6, log record 6", "line 7"]);
  assert.match(rejects[0]!.reason, /without "call_id"/);
  assert.match(rejects[1]!.reason, /not OTLP\/JSON/);
});
