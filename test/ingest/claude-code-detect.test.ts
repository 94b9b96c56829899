import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sampleOf } from "../../src/ingest/agent/auto.ts";
import { detectFormat } from "../../src/ingest/agent/detect.ts";
import { parserInput } from "../../src/ingest/files.ts";

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "claude-code");
const detect = async (file: string) => detectFormat(await sampleOf(parserInput(DIR, path.join(DIR, file))));

test("each Claude Code format is recognised from its first record", async () => {
  assert.equal(await detect("otel-collector.jsonl"), "claude-code-otel");
  assert.equal(await detect("otel-export.json"), "claude-code-otel", "a pretty-printed document");
  assert.equal(await detect("transcript.jsonl"), "claude-code-transcript", "first line is a summary without sessionId");
  assert.equal(await detect("settings/codex/config.toml"), "agent-settings");
});

test("hook payloads, and records no row knows", () => {
  assert.equal(detectFormat({ relPath: "h.jsonl", first: { session_id: "s", transcript_path: "/t.jsonl", hook_event_name: "PreToolUse" } }), "claude-code-hooks");
  assert.equal(detectFormat({ relPath: "x.jsonl", first: { hello: "world" } }), null);
  assert.equal(detectFormat({ relPath: "x.jsonl", first: undefined }), null);
  // Another product's OTLP export is not taken for Claude Code's.
  const other = { resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "codex" } }] }, scopeLogs: [] }] };
  assert.notEqual(detectFormat({ relPath: "o.jsonl", first: other }), "claude-code-otel");
});
