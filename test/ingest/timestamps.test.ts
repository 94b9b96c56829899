import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createClaudeCodeHooksParser } from "../../src/ingest/agent/claude-code-hooks.ts";
import { createClaudeCodeOtelParser } from "../../src/ingest/agent/claude-code-otel.ts";
import { createClaudeCodeTranscriptParser } from "../../src/ingest/agent/claude-code-transcript.ts";
import { createCodexHooksParser } from "../../src/ingest/agent/codex-hooks.ts";
import { createCodexOtelParser } from "../../src/ingest/agent/codex-otel.ts";
import { createCodexRolloutParser } from "../../src/ingest/agent/codex-rollout.ts";
import { createCursorHooksParser } from "../../src/ingest/agent/cursor-hooks.ts";
import { createGeminiCliParser } from "../../src/ingest/agent/gemini-cli.ts";
import { createGeminiHooksParser } from "../../src/ingest/agent/gemini-hooks.ts";
import { createGenericAgentLogParser } from "../../src/ingest/agent/generic-jsonl.ts";
import { createGitHubAuditLogParser } from "../../src/ingest/agent/github-audit-log.ts";
import { createKiroHooksParser } from "../../src/ingest/agent/kiro-hooks.ts";
import { createOtlpGenAiParser } from "../../src/ingest/agent/otlp-genai.ts";
import { createWindsurfHooksParser } from "../../src/ingest/agent/windsurf-hooks.ts";
import { cloudTrailRecordToEvent } from "../../src/ingest/cloudtrail/record.ts";
import type { EnrichContext } from "../../src/ingest/enrich.ts";
import type { Parser } from "../../src/ingest/parser.ts";
import { parseFile, testContext, writeJsonl } from "../helpers/parse.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

const FIXTURES = path.join(REPO_ROOT, "test/fixtures");
/** 9999-12-31T23:59:59Z, a common "never", as each time shape: ISO (fraction kept), epoch ms, epoch ns. */
function toYear9999(text: string): string {
  return text
    .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/g, "9999-12-31T23:59:59")
    .replace(/\b1[78]\d{17}\b/g, "253402300799000000000")
    // Epoch milliseconds cannot reach year 9999 (past 1e13 they read as microseconds): ISO instead.
    .replace(/\b1[78]\d{11}\b/g, '"9999-12-31T23:59:59Z"')
    .replace(/\b1[78]\d{8}\b/g, "253402300799");
}
/** Reasons that call a present time "missing": the defect. */
const SAYS_MISSING = /no timestamp|without a (time|timestamp|start time)|without "@timestamp"|missing "eventTime"|not a usable time/;

const CASES: [string, (ctx: EnrichContext) => Parser, string][] = [
  ["claude-code transcript", createClaudeCodeTranscriptParser, "claude-code/transcript.jsonl"],
  ["claude-code otel", createClaudeCodeOtelParser, "claude-code/otel-collector.jsonl"],
  ["codex otel", createCodexOtelParser, "codex-otel/decisions.jsonl"],
  ["codex rollout", createCodexRolloutParser, "codex-rollout/on-request.jsonl"],
  ["cursor hooks (canonical fast path)", createCursorHooksParser, "cursor-hooks/session.jsonl"],
  ["codex hooks", createCodexHooksParser, "codex-hooks/session.jsonl"],
  ["gemini hooks", createGeminiHooksParser, "gemini-hooks/session.jsonl"],
  ["kiro hooks", createKiroHooksParser, "kiro-hooks/session.jsonl"],
  ["windsurf hooks", createWindsurfHooksParser, "windsurf-hooks/session.jsonl"],
  ["gemini cli outfile", createGeminiCliParser, "gemini-cli/outfile.json"],
  ["gemini cli otlp", createGeminiCliParser, "gemini-cli/otlp.jsonl"],
  ["generic agent log", createGenericAgentLogParser, "generic-agent-log/run.jsonl"],
  ["github audit log", createGitHubAuditLogParser, "github-audit-log/stream.jsonl"],
  ["otlp gen-ai", createOtlpGenAiParser, "otlp-genai/mixed.jsonl"],
];

for (const [name, create, fixture] of CASES) {
  test(`${name}: a year-9999 timestamp is rejected as out of range, not as missing`, async (t) => {
    const dir = tempDir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.basename(fixture);
    writeFileSync(path.join(dir, file), toYear9999(readFileSync(path.join(FIXTURES, fixture), "utf8")));
    const { events, rejects } = await parseFile(create(testContext()), dir, file);
    assert.equal(events.length, 0, `no event dated 9999 is accepted (${events.map((e) => e.time).join(", ")})`);
    const timed = rejects.filter((r) => /out of range/.test(r.reason));
    assert.ok(timed.length > 0, rejects.map((r) => r.reason).join("\n"));
    for (const r of rejects) {
      // A record with no time at all (a fixture may hold one on purpose) may still say so.
      if (/9999|253402300799/.test(r.excerpt ?? "")) assert.doesNotMatch(r.reason, SAYS_MISSING, r.reason);
    }
    for (const r of timed) {
      assert.match(r.reason, /is out of range \(.*9999-12-31T23:59:59|253402300799.*\): accepted times are after 1970-01-01T00:00:00Z and before 3000-01-01T00:00:00Z/, r.reason);
    }
  });
}

test("claude-code hooks: out of range, not a time, and truly missing each get their own reason", async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const base = { session_id: "s1", cwd: "/srv/app", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "ls" } };
  writeJsonl(dir, "hooks.jsonl", [{ ...base, timestamp: "9999-12-31T23:59:59Z" }, { ...base, timestamp: "yesterday-ish" }, { ...base, timestamp: "2026-13-45T00:00:00Z" }, base]);
  const { rejects } = await parseFile(createClaudeCodeHooksParser(testContext()), dir, "hooks.jsonl");
  assert.deepEqual(rejects.map((r) => r.reason.replace(/:.*$/, "")), ['"timestamp" is out of range ("9999-12-31T23', '"timestamp" is not a time ("yesterday-ish")', '"timestamp" is not a time ("2026-13-45T00', "no timestamp"]);
});

test("cloudtrail: eventTime 9999-12-31T23:59:59Z is out of range on the fast path too", () => {
  const rec = { eventTime: "9999-12-31T23:59:59Z", eventSource: "s3.amazonaws.com", eventName: "GetObject", userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/a" } };
  const result = cloudTrailRecordToEvent(rec, 0, testContext());
  assert.equal(typeof result, "string");
  assert.match(result as string, /^"eventTime" is out of range \("9999-12-31T23:59:59Z"\)/);
  assert.match(cloudTrailRecordToEvent({ ...rec, eventTime: undefined }, 0, testContext()) as string, /^missing "eventTime"/);
});
