import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createGeminiCliParser } from "../../src/ingest/agent/gemini-cli.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/gemini-cli");
const parse = (file: string) => parseFile(createGeminiCliParser(testContext()), DIR, file);
const actions = <T extends { action: string }>(events: T[]) => events.filter((e) => !e.action.startsWith("session:"));

test("OTLP: decision accept is human, auto_accept policy, reject denied; the mode switch to yolo makes undecided calls policy", async () => {
  const { events } = await parse("otlp.jsonl");
  const calls = actions(events);
  assert.deepEqual(calls.map((e) => [e.action, e.approval, e.outcome]), [
    ["run_shell_command", "human", "succeeded"],
    ["write_file", "policy", "succeeded"],
    ["run_shell_command", "denied", "denied"],
    ["read_file", "policy", "succeeded"],
  ]);
  const [kubectl] = calls;
  assert.equal(kubectl!.command, "kubectl delete deploy web");
  assert.ok(kubectl!.classes.includes("destructive"));
  assert.equal(kubectl!.environment, "production");
  assert.equal(kubectl!.attrs.operator, "li.wei@acme.example");
  assert.equal(kubectl!.attrs.approvalRecorded, true);
  assert.equal(kubectl!.attrs.productVersion, "0.9.0");
  assert.match(calls[3]!.approvalEvidence!, /approval mode yolo/);
  assert.equal(calls[3]!.target, "/srv/prod/api/README.md");
});

test("OTLP: unknown gemini_cli events are kept and counted, quiet ones skipped, a tool_call without function_name rejected", async () => {
  const { events, rejects, notes } = await parse("otlp.jsonl");
  assert.ok(events.some((e) => e.action === "session:gemini_cli.hover_board" && e.attrs.unknownEventType === true));
  assert.ok(events.some((e) => e.action === "session:gemini_cli.approval_mode_switch" && e.attrs.toMode === "yolo"));
  assert.ok(!events.some((e) => e.action.includes("api_request")));
  assert.ok(notes.some((n) => /gemini_cli\.hover_board \(1\)/.test(n)));
  assert.deepEqual(rejects.map((r) => r.locator), ["line 1, log record 9"]);
});

test("outfile (indented objects, shape inferred [I]): HrTime times, object args, cancelled calls, the truncated tail rejected", async () => {
  const { events, rejects } = await parse("outfile.json");
  const calls = actions(events);
  assert.deepEqual(calls.map((e) => [e.action, e.approval, e.outcome]), [
    ["run_shell_command", "human", "succeeded"],
    ["replace", "human", "succeeded"],
    ["run_shell_command", "human", "interrupted"],
  ]);
  assert.equal(calls[0]!.locator, "line 1");
  assert.equal(calls[1]!.time, "2026-10-22T08:00:20.500Z");
  assert.ok(events.some((e) => e.action === "session:gemini_cli.teleport" && e.attrs.unknownEventType === true));
  assert.equal(rejects.length, 2);
  assert.match(rejects[0]!.reason, /no gemini_cli/);
  assert.match(rejects[1]!.reason, /truncated/);
});

test("the same call read from the OTLP export and the outfile has the same key, so it is stored once", async () => {
  const otlp = actions((await parse("otlp.jsonl")).events);
  const outfile = actions((await parse("outfile.json")).events);
  assert.equal(otlp[0]!.eventKey, outfile[0]!.eventKey);
});
