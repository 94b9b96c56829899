import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { createCodexHooksParser } from "../../src/ingest/agent/codex-hooks.ts";
import { parseFile, testContext, writeJsonl } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

/** Codex hook payloads (openai/codex codex-rs/hooks/schema/generated/*.input.schema.json) with the time a logging hook adds. */
const base = { session_id: "s1", transcript_path: null, cwd: "/srv/prod/payments", model: "gpt-5-codex", permission_mode: "default" };
const bash = (event: string, extra: Record<string, unknown>, time: string) => ({ ...base, hook_event_name: event, tool_name: "Bash", tool_input: { command: "terraform destroy -auto-approve" }, timestamp: time, ...extra });

async function parse(t: { after(fn: () => void): void }, lines: Record<string, unknown>[]) {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeJsonl(dir, "codex.jsonl", lines);
  return parseFile(createCodexHooksParser(testContext()), dir, "codex.jsonl");
}

test("a PermissionRequest logged before its PreToolUse folds into the same call, which is human-approved once it ran; the destroy is classified destructive", async (t) => {
  const { events, rejects } = await parse(t, [
    bash("PermissionRequest", { turn_id: "t1", tool_input: { command: "terraform destroy -auto-approve", description: "tear down" } }, "2026-10-05T09:00:00.000Z"),
    bash("PreToolUse", { tool_use_id: "call_1" }, "2026-10-05T09:00:01.000Z"),
    bash("PostToolUse", { tool_use_id: "call_1", turn_id: "t1", tool_response: "Destroy complete!" }, "2026-10-05T09:00:09.000Z"),
  ]);
  assert.deepEqual(rejects, []);
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e.eventKey, "codex:tool:call_1", "keyed by the call id, as the rollout's call_id");
  assert.equal(e.time, "2026-10-05T09:00:00.000Z");
  assert.equal(e.locator, "lines 1, 2, 3");
  assert.equal(e.approval, "human");
  assert.equal(e.outcome, "succeeded");
  assert.ok(e.classes.includes("destructive"), e.classes.join(","));
});

test("a PostToolUse logged alone is the action; a failing exit code fails it; a call never closed is kept with an unknown outcome", async (t) => {
  const { events } = await parse(t, [
    bash("PostToolUse", { tool_use_id: "call_2", permission_mode: "bypassPermissions", tool_response: { exit_code: 1, output: "Error: state locked" } }, "2026-10-05T09:00:00.000Z"),
    bash("PreToolUse", { tool_use_id: "call_3", tool_input: { command: "ls" } }, "2026-10-05T09:01:00.000Z"),
  ]);
  assert.deepEqual(events.map((e) => [e.attrs.callId, e.outcome, e.approval]), [["call_2", "failed", "policy"], ["call_3", "unknown", "unknown"]]);
  assert.equal(events[0]!.approvalEvidence, "permission_mode=bypassPermissions: run without asking");
});

test("a tool record without tool_use_id or tool_name is a counted reject naming the line", async (t) => {
  const { events, rejects } = await parse(t, [bash("PreToolUse", {}, "2026-10-05T09:00:00.000Z"), { ...base, hook_event_name: "PostToolUse", timestamp: "2026-10-05T09:00:01.000Z", tool_use_id: "x" }]);
  assert.equal(events.length, 0);
  assert.deepEqual(rejects.map((r) => [r.locator, r.reason]), [["line 1", 'PreToolUse without "tool_use_id"'], ["line 2", 'PostToolUse without "tool_name"']]);
});
