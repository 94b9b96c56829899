import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createGeminiHooksParser } from "../../src/ingest/agent/gemini-hooks.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

/** Gemini CLI hook payloads (google-gemini/gemini-cli docs/hooks/reference.md), as a plain logging hook keeps them. */
const DIR = path.join(REPO_ROOT, "test/fixtures/gemini-hooks");

test("BeforeTool and AfterTool fold into one call by session, tool and input; the payload's own timestamp is the time; an error in tool_response fails the call", async () => {
  const { events, rejects, notes } = await parseFile(createGeminiHooksParser(testContext()), DIR, "session.jsonl");
  const calls = events.filter((e) => !e.action.startsWith("session:"));
  assert.deepEqual(calls.map((e) => [e.action, e.outcome, e.locator]), [
    ["run_shell_command", "succeeded", "lines 3, 5"],
    ["write_file", "failed", "lines 6, 7"],
    ["mcp__github__merge_pull_request", "unknown", "line 8"],
  ]);
  const del = calls[0]!;
  assert.equal(del.time, "2026-10-05T08:02:59.500Z");
  assert.equal(del.command, "kubectl delete namespace staging");
  assert.ok(del.classes.includes("destructive"), del.classes.join(","));
  assert.equal(calls[1]!.target, "/etc/hosts");
  assert.equal(calls[1]!.attrs.error, "EACCES: permission denied, open '/etc/hosts'");
  // The ToolPermission notification is kept as session context; it is not joined to a call [I: its details have no documented shape].
  const notification = events.find((e) => e.action === "session:Notification")!;
  assert.equal(notification.attrs.notificationType, "ToolPermission");
  assert.equal(events.find((e) => e.action === "session:SessionStart")!.attrs.source, "startup");
  const unknown = events.find((e) => e.action === "session:BeforeSubagentRun")!;
  assert.equal(unknown.attrs.unknownEventType, true);
  assert.ok(notes.some((n) => /1 record of unknown event types kept as session context: BeforeSubagentRun \(1\)/.test(n)), notes.join("\n"));
  assert.deepEqual(rejects.map((r) => [r.locator, r.reason]), [["line 13", 'AfterTool without "tool_name"']]);
});
