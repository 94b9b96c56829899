import { test } from "node:test";
import assert from "node:assert/strict";
import { CLASSIFIER_VERSION } from "../../src/classify/action.ts";
import { FILE_PARSERS } from "../../src/ingest/registry.ts";
import { testContext } from "../helpers/parse.ts";

// Parsers whose actions the shell/tool classifier classifies: a classifier change must re-read their files.
const CLASSIFIED = [
  "agent-logs", "claude-code-hooks", "claude-code-otel", "claude-code-transcript", "codex-hooks", "codex-otel", "codex-rollout", "copilot-cli-hooks",
  "cursor-hooks", "gemini-cli-telemetry", "gemini-hooks", "generic-agent-log", "kiro-hooks", "otlp-genai", "windsurf-hooks",
] as const;

test("every parser of classified agent actions carries the classifier version, so a classifier change re-reads stored files", () => {
  for (const kind of CLASSIFIED) {
    const parser = FILE_PARSERS[kind](testContext());
    assert.ok(parser.version.includes(`classifier.${CLASSIFIER_VERSION}`), `${kind}: version ${parser.version}`);
  }
});
