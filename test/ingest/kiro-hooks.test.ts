import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createHookParser } from "../../src/ingest/agent/hook-log.ts";
import { awsCommand, createKiroHooksParser, kiroHooksFormat } from "../../src/ingest/agent/kiro-hooks.ts";
import { parserInput } from "../../src/ingest/files.ts";
import { parseFile, testContext, writeJsonl } from "../helpers/parse.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/kiro-hooks");
const parse = () => parseFile(createKiroHooksParser(testContext()), DIR, "session.jsonl");
const actions = <T extends { action: string }>(events: T[]) => events.filter((e) => !e.action.startsWith("session:"));

test("use_aws is classified as the aws CLI command it stands for [I: kebab-case operation names]", async () => {
  const { events } = await parse();
  const aws = actions(events).find((e) => e.action === "use_aws")!;
  assert.equal(aws.command, "aws s3 rm --paths s3://prod-logs --recursive --region eu-west-1 --profile prod");
  assert.ok(aws.classes.includes("destructive"), `classes ${aws.classes}`);
  assert.equal(aws.environment, "production");
  assert.equal(aws.outcome, "succeeded");
  assert.equal(aws.attrs.awsProfile, "prod");
  assert.equal(aws.locator, "lines 3, 4");
  assert.equal(awsCommand({ service_name: "ec2", operation_name: "describe-instances", parameters: { InstanceIds: ["i-1"] } }), `aws ec2 describe-instances --instance-ids '["i-1"]'`);
});

test("execute_bash failures (exit_status), fs_write targets, a pre with no post, repeated identical calls stay separate", async () => {
  const { events } = await parse();
  const calls = actions(events);
  const term = calls.find((e) => e.command?.startsWith("aws ec2 terminate-instances"))!;
  assert.equal(term.outcome, "failed");
  const write = calls.find((e) => e.action === "fs_write")!;
  assert.equal(write.target, "/home/olga.ivanova/ops/notes.md");
  assert.deepEqual(write.classes, ["write"]);
  const read = calls.find((e) => e.action === "fs_read")!;
  assert.equal(read.target, "/etc/hosts");
  assert.equal(read.outcome, "unknown");
  assert.equal(calls.filter((e) => e.command === "ls").length, 2);
  for (const e of calls) {
    assert.equal(e.approval, "unknown");
    assert.equal(e.attrs.operator, "olga.ivanova");
  }
});

test("unknown hook events kept and counted; no timestamp or no tool_name are rejects", async () => {
  const { events, rejects, notes } = await parse();
  assert.ok(events.some((e) => e.action === "session:subagentDream" && e.attrs.unknownEventType === true));
  assert.ok(events.some((e) => e.action === "session:agentSpawn"));
  assert.ok(notes.some((n) => /subagentDream \(1\)/.test(n)));
  assert.deepEqual(rejects.map((r) => r.locator), ["line 16", "line 17"]);
  assert.match(rejects[0]!.reason, /no timestamp/);
  assert.match(rejects[1]!.reason, /without "tool_name"/);
});

test("a log of pre hooks only does not hold every call: beyond the open-call cap the oldest is emitted as it stands", async () => {
  const dir = tempDir();
  const lines = Array.from({ length: 25 }, (_, i) => ({ timestamp: `2026-10-24T07:00:${String(i).padStart(2, "0")}.000Z`, hook_event_name: "preToolUse", cwd: "/x", tool_name: "execute_bash", tool_input: { command: `echo ${i}` } }));
  writeJsonl(dir, "pre-only.jsonl", lines);
  const items: string[] = [];
  for await (const item of createHookParser("kiro-hooks", "1", kiroHooksFormat, { maxOpen: 10 })(testContext()).parse(parserInput(dir, path.join(dir, "pre-only.jsonl")))) {
    if (item.kind === "event") items.push(item.event.command!);
  }
  // Emitted in order, the first 15 as the cap is passed, the last 10 at the end of the file: none lost.
  assert.deepEqual(items, lines.map((l) => l.tool_input.command));
});

test("Kiro CLI v3 trigger names (SessionStart, PreToolUse, PostToolUse) are read as the v2 events [I: the v3 payload's spelling is not documented]", async (t) => {
  const { rmSync } = await import("node:fs");
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tool = { cwd: "/home/olga/ops", tool_name: "execute_bash", tool_input: { command: "rm -rf /srv/data" } };
  writeJsonl(dir, "v3.jsonl", [
    { hook_event_name: "SessionStart", cwd: "/home/olga/ops", timestamp: "2026-10-05T09:00:00.000Z" },
    { hook_event_name: "PreToolUse", ...tool, timestamp: "2026-10-05T09:00:01.000Z" },
    { hook_event_name: "PostToolUse", ...tool, tool_response: { exit_status: "0" }, timestamp: "2026-10-05T09:00:02.000Z" },
  ]);
  const { events } = await parseFile(createKiroHooksParser(testContext()), dir, "v3.jsonl");
  assert.deepEqual(events.map((e) => [e.action, e.outcome, e.locator]), [["session:agentSpawn", "unknown", "line 1"], ["execute_bash", "succeeded", "lines 2, 3"]]);
  assert.equal(events[0]!.attrs.unknownEventType, undefined, "a known event, not an unknown kind");
});
