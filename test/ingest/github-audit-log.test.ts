import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { classifyAuditAction, createGitHubAuditLogParser } from "../../src/ingest/agent/github-audit-log.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/github-audit-log");
const parse = (file: string) => parseFile(createGitHubAuditLogParser(testContext()), DIR, file);
const actions = <T extends { action: string }>(events: T[]) => events.filter((e) => !e.action.startsWith("session:"));

test("JSON array export: agent events become actions with the human initiator; people's events are skipped and counted", async () => {
  const { events, rejects, notes } = await parse("export.json");
  assert.deepEqual(rejects, []);
  const calls = actions(events);
  assert.deepEqual(calls.map((e) => e.action), ["pull_request.create", "git.push", "protected_branch.policy_override", "repo.destroy", "issue_comment.create"]);
  const [pr] = calls;
  assert.equal(pr!.eventKey, "github-copilot:tool:doc-1");
  assert.equal(pr!.time, "2026-10-21T09:00:00.000Z");
  assert.equal(pr!.agentProduct, "github-copilot");
  assert.equal(pr!.sessionId, "as-1");
  assert.equal(pr!.attrs.operator, "octocat");
  assert.equal(pr!.target, "acme/payments");
  assert.equal(pr!.locator, "line 2 [0]");
  assert.equal(pr!.approval, "policy");
  assert.match(pr!.approvalEvidence!, /acting for octocat \(agent_session_id as-1\)/);
  // Another vendor's agent keeps its own product name.
  assert.equal(calls[4]!.agentProduct, "thirdpartyagent");
  assert.ok(notes.some((n) => /1 audit event by people or apps/.test(n)), notes.join("\n"));
  const seat = events.find((e) => e.action === "session:copilot.cfb_seat_assignment_created")!;
  assert.equal(seat.actor, "admin-jo");
});

test("audit actions are classified from data: destroy is destructive and irreversible, policy overrides change privilege", () => {
  assert.deepEqual(classifyAuditAction("repo.destroy").classes.sort(), ["destructive", "irreversible"]);
  assert.deepEqual(classifyAuditAction("protected_branch.policy_override").classes, ["privilege-change"]);
  assert.deepEqual(classifyAuditAction("git.push").classes, ["write"]);
  assert.deepEqual(classifyAuditAction("workflows.prepared_workflow_job").classes, ["execute"]);
  assert.deepEqual(classifyAuditAction("something.new").classes, ["execute"]);
});

test("CSV export: string booleans, epoch-ms strings, and an unterminated last row becomes a reject with its line", async () => {
  const { events, rejects } = await parse("export.csv");
  const calls = actions(events);
  assert.equal(calls.length, 4);
  assert.equal(calls[3]!.action, "repo.destroy");
  assert.equal(calls[3]!.time, "2026-10-21T09:00:03.000Z");
  assert.equal(calls[3]!.locator, "line 5");
  assert.equal(rejects.length, 1);
  assert.match(rejects[0]!.reason, /CSV ends early|malformed CSV row/);
  assert.match(rejects[0]!.locator, /^line \d+$/);
});

test("JSON lines stream: a record without a time and a truncated line are rejects", async () => {
  const { events, rejects } = await parse("stream.jsonl");
  assert.equal(actions(events).length, 2);
  assert.deepEqual(rejects.map((r) => r.locator), ["line 3", "line 4"]);
  assert.match(rejects[0]!.reason, /without "@timestamp"/);
  assert.match(rejects[1]!.reason, /not valid JSON/);
});
