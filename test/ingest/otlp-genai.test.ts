import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createOtlpGenAiParser } from "../../src/ingest/agent/otlp-genai.ts";
import { anyValue } from "../../src/ingest/agent/otlp.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const DIR = path.join(REPO_ROOT, "test/fixtures/otlp-genai");
const parse = () => parseFile(createOtlpGenAiParser(testContext()), DIR, "mixed.jsonl");
const actions = <T extends { action: string }>(events: T[]) => events.filter((e) => !e.action.startsWith("session:"));

test("execute_tool spans become actions: tool name, call id, JSON-string arguments, agent name as product", async () => {
  const { events } = await parse();
  const helm = events.find((e) => e.eventKey === "deployer:tool:tc-1")!;
  assert.equal(helm.action, "bash");
  assert.equal(helm.agentProduct, "deployer");
  assert.equal(helm.command, "helm uninstall payments -n prod-payments");
  assert.equal(helm.environment, "production");
  assert.equal(helm.outcome, "succeeded");
  assert.equal(helm.sessionId, "conv-9");
  assert.equal(helm.attrs.operator, "sam.okafor@acme.example");
  assert.equal(helm.attrs.repository, "https://github.com/acme/infra");
  assert.equal(helm.attrs.productVersion, "3.1.0");
  assert.equal(helm.locator, "line 1, span 3");
  // The conventions have no approval attribute [I].
  assert.equal(helm.approval, "unknown");
});

test("error status fails a call, an unended span is unknown, MCP tools/call is a tool call, logs with eventName too", async () => {
  const { events } = await parse();
  const by = new Map(actions(events).map((e) => [e.action, e]));
  assert.equal(by.get("get_weather")!.outcome, "failed");
  assert.equal(by.get("get_weather")!.attrs.error, "timeout");
  assert.equal(by.get("read_file")!.outcome, "unknown");
  assert.ok(by.get("delete_record")!.classes.includes("execute"));
  assert.equal(by.get("delete_record")!.eventKey, "acme-deploy-bot:tool:7");
  const write = by.get("write_file")!;
  assert.equal(write.approval, "human");
  assert.equal(write.target, "/srv/prod/infra/main.tf");
});

test("a collector file mixing agents: the Codex record goes to the Codex mapping", async () => {
  const { events } = await parse();
  const codex = events.find((e) => e.eventKey === "codex:tool:call_mix")!;
  assert.equal(codex.agentProduct, "codex");
  assert.equal(codex.approval, "human");
});

test("invoke_agent is session context; chat is skipped; unknown operations kept; non-GenAI spans counted; truncated line rejected", async () => {
  const { events, notes, rejects } = await parse();
  assert.ok(events.some((e) => e.action === "session:invoke_agent" && e.agentProduct === "deployer"));
  assert.ok(!events.some((e) => e.action.includes("chat")));
  assert.ok(events.some((e) => e.action === "session:summon_familiar" && e.attrs.unknownEventType === true));
  assert.ok(notes.some((n) => /acme-deploy-bot: GET \/health \(1\)/.test(n)), notes.join("\n"));
  assert.deepEqual(rejects.map((r) => r.locator), ["line 4"]);
});

test("OTLP AnyValue: ints as strings, arrays and key/value lists become plain JSON", () => {
  assert.equal(anyValue({ intValue: "42" }), 42);
  assert.equal(anyValue({ intValue: "9007199254740993" }), "9007199254740993");
  assert.deepEqual(anyValue({ arrayValue: { values: [{ stringValue: "a" }, { boolValue: true }] } }), ["a", true]);
  assert.deepEqual(anyValue({ kvlistValue: { values: [{ key: "k", value: { doubleValue: 1.5 } }] } }), { k: 1.5 });
});
