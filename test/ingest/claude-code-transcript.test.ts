import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClaudeCodeTranscriptParser, resultOf } from "../../src/ingest/agent/claude-code-transcript.ts";
import { parseFile, testContext } from "../helpers/parse.ts";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "claude-code");
const parse = () => parseFile(createClaudeCodeTranscriptParser(testContext()), FIXTURES, "transcript.jsonl");

test("tool_use and tool_result blocks become one action per id; a streamed duplicate line is skipped by uuid", async () => {
  const { events, notes } = await parse();
  const a = events.filter((e) => e.eventKey === "claude-code:tool:toolu_A");
  assert.equal(a.length, 1);
  assert.equal(a[0]!.outcome, "succeeded");
  assert.equal(a[0]!.command, "rm -rf /srv/prod/api/tmp");
  assert.equal(a[0]!.environment, "production");
  assert.equal(a[0]!.locator, "lines 3, 4");
  assert.equal(a[0]!.time, "2026-10-14T17:46:40.500Z");
  // The transcript does not say whether a prompt was answered: an honest unknown, not a guess.
  assert.equal(a[0]!.approval, "unknown");
  assert.equal(a[0]!.attrs.permissionMode, "default");
  assert.equal(a[0]!.attrs.gitBranch, "main");
  assert.equal(a[0]!.attrs.productVersion, "2.1.200");
  assert.ok(notes.some((n) => /1 duplicate line \(same uuid\)/.test(n)), notes.join("\n"));
});

test("rejection text and deny-rule text are recorded denials", async () => {
  const { events } = await parse();
  const b = events.find((e) => e.eventKey === "claude-code:tool:toolu_B")!;
  assert.deepEqual([b.approval, b.outcome, b.attrs.approvalRecorded], ["denied", "denied", true]);
  assert.match(b.approvalEvidence!, /refused or dismissed the permission prompt/);
  const f = events.find((e) => e.eventKey === "claude-code:tool:toolu_F")!;
  assert.deepEqual([f.approval, f.outcome], ["denied", "denied"]);
  assert.match(f.approvalEvidence!, /a permission rule/);
});

test("permissionMode changes are session events and make later calls policy-approved", async () => {
  const { events } = await parse();
  const modes = events.filter((e) => e.action === "session:permission-mode").map((e) => [e.attrs.permissionMode, e.attrs.fromMode ?? null]);
  assert.deepEqual(modes, [["default", null], ["bypassPermissions", "default"]]);
  const g = events.find((e) => e.eventKey === "claude-code:tool:toolu_G")!;
  assert.deepEqual([g.approval, g.outcome, g.attrs.permissionMode], ["policy", "failed", "bypassPermissions"]);
  assert.equal(g.attrs.error, "Exit code 1");
});

test("older lines without version or gitBranch still parse; interrupts, open calls and unknown line types are kept", async () => {
  const { events, rejects, notes } = await parse();
  const h = events.find((e) => e.eventKey === "claude-code:tool:toolu_H")!;
  assert.equal(h.outcome, "interrupted");
  const i = events.find((e) => e.eventKey === "claude-code:tool:toolu_I")!;
  assert.deepEqual([i.outcome, i.action, i.target], ["unknown", "Edit", "/srv/prod/api/src/health.ts"]);
  assert.ok(events.some((e) => e.action === "session:telemetry-digest" && e.attrs.unknownEventType === true));
  assert.ok(notes.some((n) => /telemetry-digest \(1\)/.test(n)));
  assert.deepEqual(rejects.map((r) => r.locator), ["line 18", "line 19"]);
});

test("resultOf reads the documented result shapes", () => {
  assert.equal(resultOf({ type: "tool_result", content: [{ type: "text", text: "ok" }] }, {}, 1).outcome, "succeeded");
  assert.equal(resultOf({ type: "tool_result", is_error: true, content: "The user doesn't want to take this action right now. STOP" }, null, 1).outcome, "denied");
  // The same words without is_error are ordinary output (e.g. a file that quotes them).
  assert.equal(resultOf({ type: "tool_result", content: "The user doesn't want to proceed with this tool use." }, null, 1).outcome, "succeeded");
});

const SUBAGENT_DIR = path.join(FIXTURES, "subagent-session");

test("a subagent transcript inherits the parent session's permission mode (policy, bypass)", async () => {
  const { events } = await parseFile(createClaudeCodeTranscriptParser(testContext()), SUBAGENT_DIR, "sess-9/subagents/agent-a1.jsonl");
  const call = events.find((e) => e.eventKey === "claude-code:tool:toolu_sub1")!;
  assert.equal(call.attrs.sidechain, true);
  assert.equal(call.approval, "policy");
  assert.equal(call.attrs.permissionMode, "bypassPermissions");
  assert.equal(call.attrs.permissionModeFrom, "sess-9.jsonl");
  assert.match(call.approvalEvidence!, /bypassPermissions in force \(inherited from the parent session, sess-9\.jsonl\)/);
});

test("a call cancelled because a sibling call failed is interrupted, not failed", async () => {
  const { events } = await parseFile(createClaudeCodeTranscriptParser(testContext()), SUBAGENT_DIR, "sess-9.jsonl");
  const failed = events.find((e) => e.eventKey === "claude-code:tool:toolu_p1")!;
  const sibling = events.find((e) => e.eventKey === "claude-code:tool:toolu_p2")!;
  assert.equal(failed.outcome, "failed");
  assert.equal(sibling.outcome, "interrupted");
  assert.match(String(sibling.attrs.notRun), /another call of the same batch failed/);
  assert.equal(sibling.attrs.error ?? null, null);
});
