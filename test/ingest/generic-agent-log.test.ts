import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createGenericAgentLogParser } from "../../src/ingest/agent/generic-jsonl.ts";
import { genericAgentLogJsonSchema } from "../../src/ingest/agent/generic-schema.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/generic-agent-log");
const SCHEMA_FILE = path.join(REPO_ROOT, "docs/generic-agent-log.schema.json");
const parse = () => parseFile(createGenericAgentLogParser(testContext()), DIR, "run.jsonl");
const actions = <T extends { action: string }>(events: T[]) => events.filter((e) => !e.action.startsWith("session:"));

test("the committed JSON Schema equals the one generated from the zod schema (UPDATE_SCHEMA=1 rewrites it)", () => {
  const generated = JSON.stringify(genericAgentLogJsonSchema(), null, 2) + "\n";
  if (process.env.UPDATE_SCHEMA === "1") writeFileSync(SCHEMA_FILE, generated);
  assert.equal(readFileSync(SCHEMA_FILE, "utf8"), generated, "docs/generic-agent-log.schema.json is stale: run UPDATE_SCHEMA=1 node --import tsx --test test/ingest/generic-agent-log.test.ts");
});

test("tool calls keep the writer's outcome and approval (a recorded decision); the shell command is classified", async () => {
  const { events } = await parse();
  const [tf, http, kubectl] = actions(events);
  assert.equal(tf!.eventKey, "acme-deploy-bot:tool:run-77/1");
  assert.equal(tf!.command, "terraform destroy -auto-approve");
  assert.ok(tf!.classes.includes("destructive"));
  assert.equal(tf!.environment, "production");
  assert.equal(tf!.approval, "policy");
  assert.equal(tf!.approvalEvidence, "deploy-bot runs terraform unattended in auto mode; by auto mode");
  assert.equal(tf!.attrs.approvalRecorded, true);
  assert.equal(tf!.attrs.operator, "maria.garcia@acme.example");
  assert.equal(tf!.attrs.ticket, "OPS-12");
  assert.equal(tf!.attrs.branch, "main");
  assert.equal(http!.time, "2026-10-22T08:00:00.000Z");
  assert.equal(http!.outcome, "denied");
  assert.equal(http!.approval, "denied");
  assert.equal(http!.attrs.approvedBy, "li.wei@acme.example");
  assert.equal(http!.command, '{"url":"https://api.example.com/v1/drop","method":"DELETE"}');
  // Unknown keys from a newer writer are ignored; missing outcome/approval default to unknown.
  assert.equal(kubectl!.outcome, "unknown");
  assert.equal(kubectl!.approval, "unknown");
  assert.equal(kubectl!.attrs.approvalRecorded, undefined);
});

test("context records and unknown future types are kept; unknown types counted", async () => {
  const { events, notes } = await parse();
  const start = events.find((e) => e.action === "session:session_start")!;
  assert.equal(start.attrs.mode, "auto");
  assert.equal(start.actor, "maria.garcia@acme.example");
  assert.ok(events.some((e) => e.action === "session:quantum_entangle" && e.attrs.unknownEventType === true));
  assert.ok(notes.some((n) => /quantum_entangle \(1\)/.test(n)));
});

test("records that break the schema are rejects naming the field", async () => {
  const { rejects } = await parse();
  assert.deepEqual(rejects.map((r) => r.locator), ["line 6", "line 7", "line 8", "line 9", "line 10"]);
  assert.match(rejects[0]!.reason, /^time: /);
  assert.match(rejects[1]!.reason, /^outcome: /);
  assert.match(rejects[2]!.reason, /^tool: required/);
  assert.match(rejects[3]!.reason, /^product: /);
  assert.match(rejects[4]!.reason, /not valid JSON/);
});
