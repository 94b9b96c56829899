import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createWindsurfHooksParser } from "../../src/ingest/agent/windsurf-hooks.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/windsurf-hooks");
const parse = () => parseFile(createWindsurfHooksParser(testContext()), DIR, "session.jsonl");
const actions = <T extends { action: string }>(events: T[]) => events.filter((e) => !e.action.startsWith("session:"));

test("pre and post of one action join by trajectory and subject even when execution_id differs [I]", async () => {
  const { events } = await parse();
  const calls = actions(events);
  assert.deepEqual(calls.map((e) => [e.action, e.outcome, e.locator]), [
    ["run_command", "succeeded", "lines 2, 3"],
    ["write_code", "succeeded", "lines 4, 5"],
    ["mcp__github__delete_branch", "succeeded", "lines 6, 7"],
    ["read_code", "unknown", "line 8"],
  ]);
  const [drop] = calls;
  assert.equal(drop!.command, "psql -c 'DROP TABLE orders'");
  assert.equal(drop!.sessionId, "traj-42");
  assert.equal(drop!.environment, "production");
  assert.equal(drop!.approval, "unknown");
  assert.ok(calls[2]!.classes.includes("destructive"));
  assert.deepEqual(calls[1]!.classes, ["write"]);
  assert.deepEqual(calls[3]!.classes, ["read"]);
});

test("unknown actions are kept and counted; missing tool_info fields and a truncated line are rejects", async () => {
  const { events, rejects, notes } = await parse();
  assert.ok(events.some((e) => e.action === "session:pre_warp_jump" && e.attrs.unknownEventType === true));
  assert.ok(events.some((e) => e.action === "session:pre_user_prompt"));
  assert.ok(notes.some((n) => /pre_warp_jump \(1\)/.test(n)));
  assert.deepEqual(rejects.map((r) => r.locator), ["line 11", "line 12"]);
  assert.match(rejects[0]!.reason, /command_line/);
});
