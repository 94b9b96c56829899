import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClaudeCodeOtelParser } from "../../src/ingest/agent/claude-code-otel.ts";
import { parseFile, testContext } from "../helpers/parse.ts";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "claude-code");
const parse = (file: string) => parseFile(createClaudeCodeOtelParser(testContext()), FIXTURES, file);

test("tool_decision and tool_result fold by tool_use_id; user_temporary is a recorded human approval", async () => {
  const { events } = await parse("otel-collector.jsonl");
  const a = events.find((e) => e.eventKey === "claude-code:tool:toolu_A")!;
  assert.equal(a.approval, "human");
  assert.equal(a.attrs.approvalRecorded, true);
  assert.match(a.approvalEvidence!, /tool_decision accept, source user_temporary/);
  assert.equal(a.outcome, "succeeded");
  assert.equal(a.command, "rm -rf /srv/prod/api/tmp");
  // OTel carries no working directory: the environment comes from the command alone.
  assert.equal(a.environment, "non-production");
  assert.ok(a.classes.includes("destructive"), `classes ${a.classes}`);
  assert.equal(a.time, "2026-10-14T17:46:41.000Z");
  assert.equal(a.attrs.operator, "dev@example.com");
  assert.equal(a.attrs.productVersion, "2.1.153");
  assert.equal(a.attrs.gitCommitId, "0123456789abcdef0123456789abcdef01234567");
  assert.equal(a.locator, "line 1 log record 2; line 2 log record 1");
});

test("a rejected decision is a denied action with no tool_result", async () => {
  const { events } = await parse("otel-collector.jsonl");
  const b = events.find((e) => e.eventKey === "claude-code:tool:toolu_B")!;
  assert.equal(b.approval, "denied");
  assert.equal(b.outcome, "denied");
  assert.equal(b.command, "git push --force origin main");
});

test("out-of-order and duplicated records of one call end as one action with the config decision as policy", async () => {
  const { events } = await parse("otel-collector.jsonl");
  const c = events.filter((e) => e.eventKey === "claude-code:tool:toolu_C");
  // The result and the first decision fold in the file; the duplicated decision is a second
  // observation of the same key, which the store joins (test/store/observations.test.ts).
  assert.ok(c.length >= 1 && c.length <= 2, `got ${c.length}`);
  const folded = c.find((e) => e.outcome !== "unknown")!;
  assert.equal(folded.approval, "policy");
  assert.equal(folded.outcome, "failed");
  assert.equal(folded.time, "2026-10-14T17:46:45.500Z");
  assert.equal(folded.target, "/home/dev/app/src/x.ts");
});

test("the mode from permission_mode_changed is kept for later calls and as a session event", async () => {
  const { events } = await parse("otel-collector.jsonl");
  const change = events.find((e) => e.action === "session:permission_mode_changed")!;
  assert.deepEqual([change.attrs.permissionMode, change.attrs.fromMode, change.attrs.trigger], ["bypassPermissions", "default", "shift_tab"]);
  const d = events.find((e) => e.eventKey === "claude-code:tool:toolu_D")!;
  assert.equal(d.attrs.permissionMode, "bypassPermissions");
  // User MCP tools are reported as "mcp_tool"; tool_parameters names the server and tool.
  assert.equal(d.action, "mcp__db__drop_table");
  assert.ok(d.classes.includes("destructive"));
  assert.equal(d.approval, "policy");
  assert.match(d.approvalEvidence!, /source hook/);
});

test("older records without tool_use_id or event.name still pair by session and tool", async () => {
  const { events } = await parse("otel-collector.jsonl");
  const writes = events.filter((e) => e.action === "Write");
  assert.equal(writes.length, 1);
  assert.match(writes[0]!.eventKey, /^claude-code:tool:noid:/);
  assert.equal(writes[0]!.outcome, "succeeded");
  assert.equal(writes[0]!.attrs.productVersion, "2.0.10");
});

test("unknown future events are kept and counted; telemetry-only and foreign records are counted; a truncated line is a reject", async () => {
  const { events, rejects, notes } = await parse("otel-collector.jsonl");
  const future = events.find((e) => e.action === "session:future_thing")!;
  assert.equal(future.attrs.unknownEventType, true);
  assert.ok(notes.some((n) => /unknown event types.*claude_code\.future_thing \(1\)/.test(n)), notes.join("\n"));
  assert.ok(notes.some((n) => /api_request \(telemetry only\): 1/.test(n) && /records of other services: 1/.test(n)), notes.join("\n"));
  assert.deepEqual(rejects.map((r) => r.locator), ["line 6"]);
  assert.ok(events.some((e) => e.action === "session:user_prompt" && e.actor === "dev@example.com" && e.actorKind === "human"));
});

test("a pretty-printed export with only the unprefixed event.name is read too", async () => {
  const { events, rejects } = await parse("otel-export.json");
  assert.equal(rejects.length, 0);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.eventKey, "claude-code:tool:toolu_E");
  assert.equal(events[0]!.outcome, "succeeded");
  assert.deepEqual(events[0]!.classes, ["read"]);
});
