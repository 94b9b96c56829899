import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { sampleOf } from "../../src/ingest/agent/auto.ts";
import { detectFormat } from "../../src/ingest/agent/detect.ts";
import { parserInput } from "../../src/ingest/files.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

const FIXTURES = path.join(REPO_ROOT, "test/fixtures");
const detect = async (file: string) => detectFormat(await sampleOf(parserInput(FIXTURES, path.join(FIXTURES, file))));

test("every part-B format is recognised from its file's first record", async () => {
  const expected: [string, string][] = [
    ["codex-rollout/bypass-session.jsonl", "codex-rollout"],
    ["codex-rollout/old-format.jsonl", "codex-rollout"],
    ["codex-otel/decisions.jsonl", "codex-otel"],
    ["cursor-hooks/session.jsonl", "cursor-hooks"],
    ["copilot-cli-hooks/camel-case.jsonl", "copilot-cli-hooks"],
    ["copilot-cli-hooks/snake-case.jsonl", "copilot-cli-hooks"],
    ["github-audit-log/export.json", "github-audit-log"],
    ["github-audit-log/stream.jsonl", "github-audit-log"],
    ["github-audit-log/export.csv", "github-audit-log"],
    ["gemini-cli/otlp.jsonl", "gemini-cli-telemetry"],
    ["gemini-cli/outfile.json", "gemini-cli-telemetry"],
    ["kiro-hooks/session.jsonl", "kiro-hooks"],
    ["windsurf-hooks/session.jsonl", "windsurf-hooks"],
    ["otlp-genai/mixed.jsonl", "otlp-genai"],
    ["generic-agent-log/run.jsonl", "generic-agent-log"],
    ["codex-hooks/session.jsonl", "codex-hooks"],
    ["gemini-hooks/session.jsonl", "gemini-hooks"],
  ];
  const got = await Promise.all(expected.map(async ([file]) => [file, await detect(file)]));
  assert.deepEqual(got, expected);
});

test("overlapping hook shapes go to the right product", () => {
  const d = (first: unknown) => detectFormat({ relPath: "h.jsonl", first });
  // Claude Code payloads always carry transcript_path; Copilot's snake_case ones never do.
  assert.equal(d({ hook_event_name: "PreToolUse", session_id: "s", transcript_path: "/t.jsonl", cwd: "/x" }), "claude-code-hooks");
  assert.equal(d({ hook_event_name: "PreToolUse", session_id: "s", timestamp: "2026-10-01T00:00:00Z", cwd: "/x", tool_name: "bash" }), "copilot-cli-hooks");
  assert.equal(d({ hook_event_name: "preToolUse", conversation_id: "c", generation_id: "g" }), "cursor-hooks");
  assert.equal(d({ hook_event_name: "preToolUse", cwd: "/x", tool_name: "fs_write" }), "kiro-hooks");
  assert.equal(d({ timestamp: 1792573200000, cwd: "/x", source: "new", initialPrompt: "hi" }), "copilot-cli-hooks");
  assert.equal(d({ action: "git.push", "@timestamp": 1 }), "github-audit-log");
  assert.equal(detectFormat({ relPath: "export.csv", first: undefined }), "github-audit-log");
});

test("Codex and Gemini CLI hook payloads are told apart from Claude Code's, whose field names they share", () => {
  const d = (first: unknown, relPath = "h.jsonl") => detectFormat({ relPath, first });
  const claude = { hook_event_name: "SessionStart", session_id: "s", transcript_path: "/home/u/.claude/projects/-srv/s.jsonl", cwd: "/srv", source: "startup", timestamp: "2026-10-01T00:00:00.000Z" };
  assert.equal(d(claude), "claude-code-hooks");
  // Codex: a rollout as transcript, or none; turn_id on turn-scoped events; model beside tool_use_id.
  assert.equal(d({ ...claude, transcript_path: "/home/u/.codex/sessions/2026/10/01/rollout-2026-10-01T00-00-00-abc.jsonl", model: "gpt-5-codex" }), "codex-hooks");
  assert.equal(d({ ...claude, transcript_path: null }), "codex-hooks");
  assert.equal(d({ ...claude, hook_event_name: "UserPromptSubmit", turn_id: "t1" }), "codex-hooks");
  assert.equal(d({ hook_event_name: "PreToolUse", session_id: "s", transcript_path: "/t.jsonl", cwd: "/x", model: "gpt-5", permission_mode: "default", tool_name: "Bash", tool_input: { command: "ls" }, tool_use_id: "c1" }), "codex-hooks");
  // Gemini CLI: its own event names, or a transcript under ~/.gemini.
  assert.equal(d({ hook_event_name: "BeforeTool", session_id: "s", transcript_path: "/t.json", cwd: "/x", timestamp: "2026-10-01T00:00:00.000Z" }), "gemini-hooks");
  assert.equal(d({ ...claude, transcript_path: "/home/u/.gemini/tmp/h/chats/session-1.json" }), "gemini-hooks");
  // A file evidence hook wrote: the agent folder decides, whatever the first payload looks like.
  const hookLine = { ...claude, host: "laptop", user: "u", prev: null };
  assert.equal(d(hookLine, "logs/hooks/codex/2026-10-01.jsonl"), "codex-hooks");
  assert.equal(d(hookLine, "logs/hooks/gemini/2026-10-01.jsonl"), "gemini-hooks");
  assert.equal(d(hookLine, "logs/hooks/claude-code/2026-10-01.jsonl"), "claude-code-hooks");
  assert.equal(d({ ...hookLine, hook_event_name: "PreToolUse" }, "logs/hooks/kiro/2026-10-01.jsonl"), "kiro-hooks");
  // Without the chain fields the folder name alone proves nothing: content decides.
  assert.equal(d(claude, "logs/hooks/codex/2026-10-01.jsonl"), "claude-code-hooks");
});
