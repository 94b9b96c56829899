import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createCursorHooksParser } from "../../src/ingest/agent/cursor-hooks.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/cursor-hooks");
const parse = (file: string) => parseFile(createCursorHooksParser(testContext()), DIR, file);
const actions = <T extends { action: string }>(events: T[]) => events.filter((e) => !e.action.startsWith("session:"));

test("preToolUse, beforeShellExecution, afterShellExecution and postToolUse of one command are one action", async () => {
  const { events, notes, rejects } = await parse("session.jsonl");
  assert.deepEqual(rejects, []);
  const shell = actions(events).filter((e) => e.command === "kubectl delete namespace staging");
  assert.equal(shell.length, 1);
  const [e] = shell;
  assert.equal(e!.eventKey, "cursor:tool:tu_1");
  assert.equal(e!.locator, "lines 3, 4, 5");
  assert.equal(e!.outcome, "succeeded");
  assert.equal(e!.environment, "production");
  assert.ok(e!.classes.includes("destructive"));
  assert.equal(e!.attrs.operator, "sam.okafor@acme.example");
  assert.equal(e!.attrs.productVersion, "2.1.4");
  assert.equal(e!.sessionId, "c-7f3a");
  assert.equal(e!.approval, "unknown");
  assert.match(e!.approvalEvidence!, /record neither the run mode nor the user's answer/);
  // The postToolUse that arrives after afterShellExecution already closed the call is folded into it.
  assert.ok(notes.some((n) => /^1 record folded/.test(n)), notes.join("\n"));
});

test("beforeMCPExecution's tool_input is a JSON string: parsed, and a delete verb is destructive", async () => {
  const { events } = await parse("session.jsonl");
  const mcp = actions(events).find((e) => e.action === "MCP:delete_issue")!;
  assert.equal(mcp.command, '{"issue":42,"repo":"acme/api"}');
  assert.ok(mcp.classes.includes("destructive"), `classes ${mcp.classes}`);
  assert.equal(mcp.attrs.mcpServer, "https://mcp.example/sse");
});

test("afterFileEdit adds to the Write it belongs to, which its postToolUse closes; long file content is cut in the command", async () => {
  const { events } = await parse("session.jsonl");
  const writes = actions(events).filter((e) => e.target === "/srv/prod/api/src/app.ts");
  assert.equal(writes.length, 1);
  assert.equal(writes[0]!.eventKey, "cursor:tool:tu_2");
  assert.equal(writes[0]!.locator, "lines 9, 10, 11");
  assert.equal(writes[0]!.outcome, "succeeded");
  assert.deepEqual(writes[0]!.classes, ["write"]);
  assert.match(writes[0]!.command!, /…\(500 chars\)/);
});

test("postToolUseFailure: permission_denied is a recorded denial, is_interrupt an interrupt", async () => {
  const { events } = await parse("session.jsonl");
  const by = new Map(events.map((e) => [e.eventKey, e]));
  const del = by.get("cursor:tool:tu_3")!;
  assert.equal(del.outcome, "denied");
  assert.equal(del.approval, "denied");
  assert.equal(del.attrs.approvalRecorded, true);
  assert.equal(del.attrs.error, "Blocked by admin policy");
  assert.equal(by.get("cursor:tool:tu_4")!.outcome, "interrupted");
});

test("sandbox=true is policy [inferred]; a logged permission=ask followed by the run is human; exit codes in output fail a call", async () => {
  const { events } = await parse("session.jsonl");
  const test_ = actions(events).find((e) => e.command === "npm test")!;
  assert.equal(test_.approval, "policy");
  assert.equal(test_.outcome, "failed");
  const push = actions(events).find((e) => e.command === "git push origin main")!;
  assert.equal(push.approval, "human");
  assert.equal(push.attrs.approvalRecorded, true);
});

test("unknown future hook events are kept and counted", async () => {
  const { events, notes } = await parse("session.jsonl");
  assert.ok(events.some((e) => e.action === "session:beforeTeleport" && e.attrs.unknownEventType === true));
  assert.ok(events.some((e) => e.action === "session:sessionStart" && !e.attrs.unknownEventType));
  assert.ok(notes.some((n) => /beforeTeleport \(1\)/.test(n)));
});

test("out of order: a post before its pre is one action; a command run twice stays two actions", async () => {
  const { events } = await parse("out-of-order.jsonl");
  const ls = actions(events).filter((e) => e.command === "ls");
  assert.equal(ls.length, 1);
  // The post was emitted when read (nothing was open); the late pre is folded into it, not re-emitted.
  assert.equal(ls[0]!.time, "2026-10-21T10:00:05.000Z");
  assert.equal(ls[0]!.outcome, "succeeded");
  const deploys = actions(events).filter((e) => e.command === "make deploy");
  assert.equal(deploys.length, 2);
  assert.deepEqual(deploys.map((e) => e.outcome), ["succeeded", "succeeded"]);
});

test("older payloads without generation_id, cursor_version, user_email or workspace_roots still parse", async () => {
  const { events, rejects } = await parse("old-version.jsonl");
  assert.deepEqual(rejects, []);
  const [rm, edit] = actions(events);
  assert.equal(rm!.command, "rm -rf build");
  assert.equal(rm!.time, "2026-10-21T09:00:00.000Z");
  assert.equal(rm!.attrs.operator, undefined);
  assert.equal(edit!.action, "Write");
  assert.equal(edit!.target, "/home/dev/app/README.md");
});

test("no timestamp, no event name, no command, bad JSON and a truncated line are rejects with their line", async () => {
  const { rejects } = await parse("bad.jsonl");
  assert.deepEqual(rejects.map((r) => r.locator), ["line 1", "line 2", "line 3", "line 4", "line 5"]);
  assert.match(rejects[0]!.reason, /no timestamp/);
  assert.match(rejects[1]!.reason, /no event name/);
  assert.match(rejects[2]!.reason, /without "command"/);
  assert.match(rejects[3]!.reason, /not valid JSON/);
  assert.match(rejects[4]!.reason, /not valid JSON/);
});

test("a key repeated in a raw line is flagged and the most dangerous reading classified", async () => {
  const { events, rejects } = await parse("duplicate-keys.jsonl");
  assert.deepEqual(rejects, []);
  const [dup, plain] = actions(events);
  // JSON.parse keeps the last `command`, the harmless `ls`.
  assert.equal(dup!.command, "kubectl delete namespace prod");
  assert.ok(dup!.classes.includes("destructive"), String(dup!.classes));
  assert.match(String(dup!.attrs.ambiguous), /"tool_input\.command" 2 times/);
  assert.equal(plain!.attrs.ambiguous, undefined);
});
