import { test } from "node:test";
import assert from "node:assert/strict";
import { createClaudeCodeHooksParser } from "../../src/ingest/agent/claude-code-hooks.ts";
import { parseFile, testContext, writeJsonl } from "../helpers/parse.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";
import path from "node:path";

const FIXTURES = path.join(REPO_ROOT, "test", "fixtures", "claude-code");

const base = { session_id: "s1", transcript_path: "/home/a/.claude/projects/-srv-prod-api/s1.jsonl", cwd: "/srv/prod/api" };
const rm = { command: "rm -rf /srv/prod/api/data" };

async function parse(records: unknown[], extra: string[] = []) {
  const dir = tempDir();
  writeJsonl(dir, "hooks.jsonl", records, extra);
  return parseFile(createClaudeCodeHooksParser(testContext()), dir, "hooks.jsonl");
}

test("PreToolUse, PermissionRequest and PostToolUse fold into one human-approved action", async () => {
  const { events, rejects } = await parse([
    { ...base, timestamp: "2026-10-14T09:00:00Z", permission_mode: "default", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: rm, tool_use_id: "toolu_1" },
    { ...base, timestamp: "2026-10-14T09:00:01Z", permission_mode: "default", hook_event_name: "PermissionRequest", tool_name: "Bash", tool_input: rm, permission_suggestions: [] },
    { ...base, timestamp: "2026-10-14T09:00:09Z", permission_mode: "default", hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: rm, tool_use_id: "toolu_1", tool_response: {} },
  ]);
  assert.equal(rejects.length, 0);
  assert.equal(events.length, 1);
  const [action] = events;
  assert.equal(action!.eventKey, "claude-code:tool:toolu_1");
  assert.equal(action!.approval, "human");
  assert.match(action!.approvalEvidence!, /permission prompt at line 2/);
  assert.equal(action!.outcome, "succeeded");
  assert.equal(action!.environment, "production");
  assert.equal(action!.command, rm.command);
  assert.ok(action!.classes.includes("destructive"), `classes: ${action!.classes}`);
  assert.equal(action!.time, "2026-10-14T09:00:00.000Z");
  assert.equal(action!.locator, "lines 1, 3");
});

test("bypassPermissions is a policy approval, not a human one; the mode carries over from earlier lines", async () => {
  const { events } = await parse([
    { ...base, timestamp: "2026-10-14T09:00:00Z", permission_mode: "bypassPermissions", hook_event_name: "SessionStart", source: "startup" },
    { ...base, timestamp: "2026-10-14T09:00:02Z", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: rm, tool_use_id: "toolu_2" },
    { ...base, timestamp: "2026-10-14T09:00:03Z", hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: rm, tool_use_id: "toolu_2" },
  ]);
  const action = events.find((e) => e.eventKey === "claude-code:tool:toolu_2")!;
  assert.equal(action.approval, "policy");
  assert.match(action.approvalEvidence!, /bypassPermissions/);
  const start = events.find((e) => e.action === "session:SessionStart")!;
  assert.equal(start.classes.length, 0);
});

test("failures, interrupts and classifier denials keep their outcome", async () => {
  const read = { file_path: "/srv/prod/api/.env" };
  const { events } = await parse([
    { ...base, timestamp: 1792000000000, hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "false" }, tool_use_id: "t1" },
    { ...base, timestamp: 1792000001000, hook_event_name: "PostToolUseFailure", tool_name: "Bash", tool_input: { command: "false" }, tool_use_id: "t1", error: "Exit code 1\nboom" },
    { ...base, timestamp: 1792000002000, hook_event_name: "PostToolUseFailure", tool_name: "Read", tool_input: read, tool_use_id: "t2", is_interrupt: true },
    { ...base, timestamp: 1792000003000, permission_mode: "auto", hook_event_name: "PermissionDenied", tool_name: "Bash", tool_input: rm, tool_use_id: "t3", reason: "Blocked by classifier" },
  ]);
  const by = new Map(events.map((e) => [e.eventKey, e]));
  assert.equal(by.get("claude-code:tool:t1")!.outcome, "failed");
  assert.equal(by.get("claude-code:tool:t1")!.attrs.error, "Exit code 1");
  assert.equal(by.get("claude-code:tool:t2")!.outcome, "interrupted");
  assert.deepEqual(by.get("claude-code:tool:t2")!.classes, ["read"]);
  assert.equal(by.get("claude-code:tool:t3")!.approval, "denied");
  assert.equal(by.get("claude-code:tool:t3")!.outcome, "denied");
});

test("a call that never finished is still an action, with unknown outcome", async () => {
  const { events } = await parse([{ ...base, timestamp: "2026-10-14T09:00:00Z", hook_event_name: "PreToolUse", tool_name: "Write", tool_input: { file_path: "/tmp/x", content: "y" }, tool_use_id: "open" }]);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.outcome, "unknown");
  assert.deepEqual(events[0]!.classes, ["write"]);
});

test("bad lines become rejects with their line number; the rest is kept", async () => {
  const ok = { ...base, timestamp: "2026-10-14T09:00:00Z", hook_event_name: "PreToolUse", tool_name: "Read", tool_input: {}, tool_use_id: "k" };
  const { events, rejects } = await parse(
    [ok, { ...base, hook_event_name: "PreToolUse", tool_name: "Read", tool_use_id: "no-time" }, { foo: 1 }, [1, 2]],
    ["{not json", '{"hook_event_name":"PreToolUse","timestamp":"2026-10-14T09:00:00Z"}'],
  );
  assert.equal(events.length, 1);
  assert.deepEqual(rejects.map((r) => r.locator), ["line 2", "line 3", "line 4", "line 5", "line 6"]);
  assert.match(rejects[0]!.reason, /no timestamp/);
  assert.match(rejects[1]!.reason, /hook_event_name/);
  assert.match(rejects[3]!.reason, /not valid JSON/);
  assert.match(rejects[4]!.reason, /tool_name/);
});

test("unknown future event types are kept and marked, not fatal", async () => {
  const { events, rejects } = await parse([{ ...base, timestamp: "2026-10-14T09:00:00Z", hook_event_name: "TeleportStart", foo: 1 }]);
  assert.equal(rejects.length, 0);
  assert.equal(events[0]!.action, "session:TeleportStart");
  assert.equal(events[0]!.attrs.unknownEventType, true);
});

test("ambiguous records: duplicate keys and a string tool_input are flagged and classified by their most dangerous reading", async () => {
  const { events, rejects } = await parseFile(createClaudeCodeHooksParser(testContext()), FIXTURES, "hooks-ambiguous.jsonl");
  assert.equal(rejects.length, 0);
  const by = new Map(events.map((e) => [e.eventKey.replace("claude-code:tool:", ""), e]));
  for (const id of ["dup1", "dup2"]) {
    const e = by.get(id)!;
    // JSON.parse keeps the last `command`; in dup1 that is the harmless `ls`.
    assert.equal(e.command, "terraform destroy -auto-approve", id);
    assert.ok(e.classes.includes("destructive"), `${id}: ${e.classes}`);
    assert.match(String(e.attrs.ambiguous), /duplicate keys in the record \("tool_input\.command" 2 times\)/);
  }
  for (const id of ["str1", "str2"]) {
    const e = by.get(id)!;
    assert.ok(e.command !== null && e.classes.includes("destructive"), `${id}: ${e.command} ${e.classes}`);
    assert.doesNotMatch(String(e.attrs.classifiedBy), /unknown tool/);
    assert.match(String(e.attrs.ambiguous), /tool_input is a string/);
  }
  const escaped = by.get("esc1")!;
  assert.equal(escaped.command, "rm -rf /srv/prod/data");
  assert.match(String(escaped.attrs.ambiguous), /duplicate keys/);
  const plain = by.get("ok1")!;
  assert.equal(plain.attrs.ambiguous, undefined, "a key name repeated inside a value is not a duplicate key");
  assert.ok(!plain.classes.includes("destructive"));
});

test("a PermissionRequest whose call never ran is an action with an unknown answer, not dropped", async () => {
  const { events } = await parse([
    { ...base, timestamp: "2026-10-14T09:00:00Z", permission_mode: "default", hook_event_name: "PermissionRequest", tool_name: "Bash", tool_input: rm },
  ]);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.command, rm.command);
  assert.equal(events[0]!.outcome, "unknown");
  assert.equal(events[0]!.approval, "unknown");
  assert.match(events[0]!.approvalEvidence!, /permission prompt at line 1; no PostToolUse logged/);
  assert.equal(events[0]!.locator, "line 1");
});

test("a record of a call already emitted is folded and counted, not a second action with the same key", async () => {
  const pre = { ...base, timestamp: "2026-10-14T09:00:00Z", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "ls" }, tool_use_id: "t1" };
  const { events, notes } = await parse([pre, { ...pre, hook_event_name: "PostToolUse" }, { ...pre, hook_event_name: "PostToolUse", timestamp: "2026-10-14T09:00:05Z" }]);
  assert.deepEqual(events.map((e) => e.eventKey), ["claude-code:tool:t1"]);
  assert.equal(events[0]!.locator, "lines 1, 2");
  assert.ok(notes.some((n) => /1 record folded/.test(n)), notes.join("\n"));
});

test("calls with different tool_use_ids never join by their input, whichever of their records is missing", async () => {
  const ls = { ...base, hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "ls" } };
  const { events, notes } = await parse([
    { ...ls, timestamp: "2026-10-14T09:00:00Z", tool_use_id: "a" },
    { ...ls, timestamp: "2026-10-14T09:00:01Z", hook_event_name: "PostToolUse", tool_use_id: "b" },
    { ...ls, timestamp: "2026-10-14T09:00:02Z", tool_use_id: "c" },
    { ...ls, timestamp: "2026-10-14T09:00:03Z", hook_event_name: "PostToolUse", tool_use_id: "c" },
  ]);
  const by = new Map(events.map((e) => [e.eventKey.replace("claude-code:tool:", ""), e.locator]));
  assert.deepEqual([...by].sort(), [["a", "line 1"], ["b", "line 2"], ["c", "lines 3, 4"]]);
  assert.deepEqual(notes, []);
});

test("a PostToolUse that reads two ways decides the call, though its PreToolUse read one harmless way", async () => {
  const dir = tempDir();
  const pre = JSON.stringify({ ...base, timestamp: "2026-10-14T09:00:00Z", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "ls" }, tool_use_id: "t1" });
  const post = pre.replace('"PreToolUse"', '"PostToolUse"').replace('{"command":"ls"}', '{"command":"ls","command":"terraform destroy"}');
  writeJsonl(dir, "hooks.jsonl", [], [pre, post]);
  const { events } = await parseFile(createClaudeCodeHooksParser(testContext()), dir, "hooks.jsonl");
  assert.equal(events.length, 1);
  assert.equal(events[0]!.command, "terraform destroy");
  assert.match(String(events[0]!.attrs.ambiguous), /^line 2: duplicate keys/);
});
