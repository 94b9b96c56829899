import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createCodexRolloutParser } from "../../src/ingest/agent/codex-rollout.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/codex-rollout");
const parse = (file: string) => parseFile(createCodexRolloutParser(testContext()), DIR, file);
const actions = <T extends { action: string }>(events: T[]) => events.filter((e) => !e.action.startsWith("session:"));

test("approval_policy never + danger-full-access: every call is a policy approval, with the mode as evidence", async () => {
  const { events, rejects } = await parse("bypass-session.jsonl");
  assert.deepEqual(rejects, []);
  const calls = actions(events);
  assert.deepEqual(calls.map((e) => e.action), ["shell", "shell_command", "exec_command", "apply_patch", "local_shell_call"]);
  for (const e of calls) {
    assert.equal(e.approval, "policy");
    assert.match(e.approvalEvidence!, /approval_policy=never, sandbox_policy=danger-full-access \(turn_context line 2\).*bypass-equivalent/);
    assert.equal(e.agentProduct, "codex");
    assert.equal(e.sessionId, "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    assert.equal(e.attrs.repository, "git@github.com:acme/api.git");
  }
});

test("the three shell shapes and local_shell_call become commands; outputs give the outcome", async () => {
  const { events } = await parse("bypass-session.jsonl");
  const by = new Map(actions(events).map((e) => [e.eventKey, e]));
  const argv = by.get("codex:tool:call_Ab12")!;
  assert.equal(argv.command, "bash -lc 'kubectl delete deploy api'");
  assert.ok(argv.classes.includes("destructive"), `classes ${argv.classes}`);
  assert.equal(argv.environment, "production");
  assert.equal(argv.outcome, "succeeded");
  assert.equal(argv.locator, "lines 4, 5");
  assert.equal(argv.time, "2026-10-14T10:20:03.550Z");
  assert.equal(by.get("codex:tool:call_Cd34")!.command, "git status --short");
  assert.equal(by.get("codex:tool:call_Cd34")!.outcome, "succeeded");
  const exec = by.get("codex:tool:call_Ef56")!;
  assert.equal(exec.command, "terraform destroy -auto-approve");
  assert.equal(exec.attrs.cwd, "/srv/prod/infra");
  assert.equal(exec.outcome, "failed");
  const local = by.get("codex:tool:call_Ij90")!;
  assert.equal(local.command, "rm -rf /srv/prod/api/tmp");
  assert.equal(local.outcome, "succeeded");
});

test("apply_patch names its first file and a patch that deletes a file is destructive", async () => {
  const { events } = await parse("bypass-session.jsonl");
  const patch = events.find((e) => e.eventKey === "codex:tool:call_Gh78")!;
  assert.equal(patch.target, "src/legacy.ts");
  assert.ok(patch.classes.includes("write") && patch.classes.includes("destructive"), `classes ${patch.classes}`);
  assert.equal(patch.outcome, "succeeded");
});

test("unknown future line, event_msg and response_item types are kept as context and counted", async () => {
  const { events, notes } = await parse("bypass-session.jsonl");
  const unknown = events.filter((e) => e.attrs.unknownEventType === true).map((e) => e.action);
  assert.deepEqual(unknown, ["session:teleport_snapshot", "session:event_msg.hologram_started", "session:response_item.quantum_call"]);
  assert.ok(notes.some((n) => /3 records of unknown event types.*event_msg\.hologram_started \(1\)/.test(n)), notes.join("\n"));
  // Known chatter (token_count, agent_message) is neither an action nor counted as unknown.
  assert.ok(!events.some((e) => /token_count|agent_message/.test(e.action)));
  assert.ok(events.some((e) => e.action === "session:session_meta" && e.attrs.branch === "main"));
});

test("on-request: escalation that ran is human-approved [inferred], sandboxed calls are policy, refusals denied, aborted turns interrupt", async () => {
  const { events } = await parse("on-request.jsonl");
  const by = new Map(actions(events).map((e) => [e.eventKey, e]));
  assert.equal(by.get("codex:tool:c1")!.approval, "policy");
  assert.match(by.get("codex:tool:c1")!.approvalEvidence!, /ran inside the sandbox/);
  assert.equal(by.get("codex:tool:c2")!.approval, "human");
  assert.equal(by.get("codex:tool:c2")!.attrs.escalated, true);
  assert.equal(by.get("codex:tool:c3")!.outcome, "denied");
  assert.equal(by.get("codex:tool:c3")!.approval, "denied");
  assert.equal(by.get("codex:tool:c4")!.outcome, "interrupted");
  // No e-mail in rollouts: the operator is the owner of the home directory, marked as inferred.
  assert.equal(by.get("codex:tool:c1")!.attrs.operator, "li.wei");
  assert.match(String(by.get("codex:tool:c1")!.attrs.operatorSource), /inferred/);
});

test("out-of-order lines: an output before its call, and a turn_context after it, still join and apply by time", async () => {
  const { events, rejects } = await parse("out-of-order.jsonl");
  assert.deepEqual(rejects, []);
  const by = new Map(actions(events).map((e) => [e.eventKey, e]));
  const x = by.get("codex:tool:call_X")!;
  assert.equal(x.locator, "lines 2, 4");
  assert.equal(x.time, "2026-10-16T08:00:03.000Z");
  assert.equal(x.outcome, "succeeded");
  assert.equal(x.approval, "policy");
  assert.equal(x.command, "bash -lc 'aws s3 rm s3://prod-logs --recursive'");
  // The later turn switched to untrusted: its call's approval is unknown (rollouts do not record answers).
  assert.equal(by.get("codex:tool:call_Y")!.approval, "unknown");
  assert.equal(by.get("codex:tool:call_Y")!.attrs.approvalPolicy, "untrusted");
  // An output whose call line never appears is still an action, flagged.
  assert.equal(by.get("codex:tool:call_Z")!.attrs.callRecordMissing, true);
});

test("older rollouts without the {timestamp,type,payload} envelope are read, times taken from the session line", async () => {
  const { events, rejects } = await parse("old-format.jsonl");
  assert.deepEqual(rejects, []);
  const [call] = actions(events);
  assert.equal(call!.command, "ls -la");
  assert.equal(call!.time, "2025-06-01T12:00:00.000Z");
  assert.equal(call!.sessionId, "legacy-1");
  assert.equal(call!.approval, "unknown");
  assert.match(call!.approvalEvidence!, /no turn_context/);
});

test("bad lines, unknown shapes and a truncated last line become rejects with their line", async () => {
  const { events, rejects } = await parse("bad-lines.jsonl");
  assert.deepEqual(rejects.map((r) => r.locator), ["line 2", "line 3", "line 4", "line 6"]);
  assert.match(rejects[0]!.reason, /not valid JSON/);
  assert.match(rejects[1]!.reason, /not a Codex rollout line/);
  assert.match(rejects[2]!.reason, /expected a JSON object/);
  assert.match(rejects[3]!.reason, /not valid JSON/);
  // The call whose output was cut off is kept, outcome unknown.
  assert.equal(actions(events)[0]!.outcome, "unknown");
});

test("unified exec: write_stdin polls fold into the exec they poll, which ends once with the exit code of the last poll", async () => {
  const { events, rejects } = await parse("unified-exec.jsonl");
  assert.deepEqual(rejects, []);
  const calls = actions(events);
  assert.deepEqual(calls.map((e) => e.action), ["exec_command", "exec_command", "exec_command", "browser_navigate"]);
  const [test1] = calls;
  assert.equal(test1!.command, "npm test");
  assert.equal(test1!.outcome, "failed");
  assert.equal(test1!.attrs.polls, 2);
  assert.deepEqual(test1!.attrs.stdinWrites, [JSON.stringify("y\n")]);
  assert.equal(test1!.locator, "lines 2, 3, 4, 5, 6, 7, 8, 9");
  assert.equal(calls.filter((e) => e.outcome === "failed").length, 1, "the failed process is counted once");
});

test("policy rejections in tool outputs are denials; an escalated call that ran is human-approved without a turn_context", async () => {
  const calls = actions((await parse("unified-exec.jsonl")).events);
  const escalated = calls.find((e) => e.attrs.callId === "e2")!;
  assert.deepEqual([escalated.outcome, escalated.approval], ["succeeded", "human"]);
  assert.match(escalated.approvalEvidence!, /require_escalated/);
  for (const id of ["e3", "b1"]) {
    const denied = calls.find((e) => e.attrs.callId === id)!;
    assert.deepEqual([denied.outcome, denied.approval], ["denied", "denied"], id);
  }
});
