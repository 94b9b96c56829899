import { isRecord } from "../parser.ts";
import { isGeminiOutfileRecord } from "./gemini-cli.ts";
import { GENERIC_SCHEMA_ID } from "./generic-schema.ts";
import { isOtlpDocument, otlpRecords } from "./otlp.ts";

/**
 * Which parser reads an agent log, decided per file from its name and its first JSON record, for
 * sources of `kind: agent-logs`. A source that names a concrete kind skips detection (the override).
 * Rows are tried in order and the first match wins, so put the more specific test first. `parser`
 * is a config source kind registered in src/ingest/index.ts.
 */
export interface DetectSample {
  /** Path relative to the workspace, `/`-separated. */
  relPath: string;
  /** The first JSON record of the file (a line, or a pretty-printed document); undefined when none parses. */
  first: unknown;
}

export interface FormatRow {
  parser: string;
  /** One line for the docs and the "format not recognised" message. */
  describes: string;
  test(sample: DetectSample): boolean;
}

const baseName = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const field = (v: unknown, key: string): unknown => (isRecord(v) ? v[key] : undefined);
const CLAUDE_TRANSCRIPT_TYPES = new Set(["user", "assistant", "system", "summary", "file-history-snapshot", "queue-operation", "attachment"]);

/** Claude Code's OTel log records name the event in the body (`claude_code.*`) or in `event.name`. */
function isClaudeOtlp(first: unknown): boolean {
  const logs = field(first, "resourceLogs");
  if (!Array.isArray(logs)) return false;
  const text = JSON.stringify(logs.slice(0, 4));
  return /"claude_code\.|"service\.name","value":\{"stringValue":"claude-code/.test(text);
}

/** The parser of each agent folder `evidence hook` writes (`<dir>/<agent>/YYYY-MM-DD.jsonl`, bin/evidence-hook.js). */
const HOOK_FOLDERS: Readonly<Record<string, string>> = {
  "claude-code": "claude-code-hooks", codex: "codex-hooks", "copilot-cli": "copilot-cli-hooks", cursor: "cursor-hooks",
  gemini: "gemini-hooks", kiro: "kiro-hooks", windsurf: "windsurf-hooks",
};
const HOOK_DAY_FILE = /(?:^|\/)([a-z-]+)\/\d{4}-\d{2}-\d{2}\.jsonl$/;

/**
 * A file `evidence hook` wrote: a day file in an agent's folder whose first line carries the chain
 * (`prev`) and the `host` the hook adds. The folder names the agent, which the payload alone does
 * not always (a Codex or Gemini CLI SessionStart reads like Claude Code's).
 */
function evidenceHookParser({ relPath, first }: DetectSample): string | null {
  const m = HOOK_DAY_FILE.exec(relPath);
  if (!m || !isRecord(first) || !("prev" in first) || typeof first.host !== "string") return null;
  return HOOK_FOLDERS[m[1]!] ?? null;
}

/** Events only Gemini CLI's hooks have (geminicli.com/docs/hooks/reference). */
const GEMINI_HOOK_EVENTS = new Set(["BeforeTool", "AfterTool", "BeforeAgent", "AfterAgent", "BeforeModel", "AfterModel", "BeforeToolSelection", "PreCompress"]);

/**
 * Codex hook payloads share Claude Code's field names; they differ in `turn_id` (a Codex extension),
 * a `transcript_path` that is null or a Codex rollout, and a `model` on tool events.
 */
function isCodexHook(first: unknown): boolean {
  if (!isRecord(first) || typeof first.hook_event_name !== "string" || !("session_id" in first)) return false;
  const transcript = first.transcript_path;
  return "turn_id" in first || transcript === null || (typeof transcript === "string" && /[\\/]\.codex[\\/]|rollout-[^/\\]*\.jsonl$/.test(transcript)) || ("model" in first && "tool_use_id" in first);
}

/** Gemini CLI hook payloads: its own event names, or a transcript under ~/.gemini with the payload's own timestamp. */
function isGeminiHook(first: unknown): boolean {
  if (!isRecord(first) || typeof first.hook_event_name !== "string") return false;
  if (GEMINI_HOOK_EVENTS.has(first.hook_event_name)) return true;
  return typeof first.timestamp === "string" && typeof first.transcript_path === "string" && /[\\/]\.gemini[\\/]/.test(first.transcript_path);
}

const CODEX_LINE_TYPES = new Set(["session_meta", "turn_context", "response_item", "event_msg", "compacted"]);

/** Service and event names of the first records of an OTLP document. */
function otlpNames(first: unknown): string[] {
  if (!isOtlpDocument(first)) return [];
  const names: string[] = [];
  for (const r of otlpRecords(first)) {
    names.push(String(r.resource["service.name"] ?? ""), r.name ?? "");
    if (names.length >= 40) break;
  }
  return names;
}

export const FORMATS: readonly FormatRow[] = [
  {
    parser: "agent-settings",
    describes: "agent settings: Claude settings.json / settings.local.json / managed-settings.json, Cursor cli-config.json / cli.json, Codex config.toml",
    test: ({ relPath }) => /^(settings(\.local)?|managed-settings|cli-config|cli)\.json$|^config\.toml$/.test(baseName(relPath)),
  },
  {
    parser: "evidence-hook",
    describes: "logs written by evidence hook (<dir>/<agent>/YYYY-MM-DD.jsonl, first line with prev and host): the folder names the agent's hook parser",
    test: (sample) => evidenceHookParser(sample) !== null,
  },
  {
    parser: "gemini-hooks",
    describes: "Gemini CLI hook payloads (BeforeTool / AfterTool / BeforeAgent …, session_id, transcript_path, timestamp)",
    test: ({ first }) => isGeminiHook(first),
  },
  {
    parser: "codex-hooks",
    describes: "Codex hook payloads (Claude-like hook_event_name, session_id, tool_use_id, with turn_id, model or a Codex rollout as transcript_path)",
    test: ({ first }) => isCodexHook(first),
  },
  {
    parser: "claude-code-otel",
    describes: "Claude Code OpenTelemetry logs as OTLP/JSON (resourceLogs with claude_code.* events)",
    test: ({ first }) => isClaudeOtlp(first),
  },
  {
    // Before claude-code-hooks: Copilot's snake_case payloads also carry hook_event_name and session_id,
    // but never the transcript_path every Claude Code payload has.
    parser: "copilot-cli-hooks",
    describes: "GitHub Copilot CLI hook payloads (camelCase toolName/toolArgs/toolResult, or snake_case with PascalCase hook_event_name)",
    test: ({ first }) =>
      isRecord(first) &&
      (["toolName", "toolArgs", "toolResult", "initialPrompt"].some((k) => k in first) ||
        // An unnamed camelCase sessionStart/sessionEnd/prompt payload: epoch-ms timestamp and cwd only.
        (typeof first.timestamp === "number" && "cwd" in first && !("hook_event_name" in first) && ["source", "reason", "prompt"].some((k) => k in first)) ||
        (/^[A-Z][A-Za-z]+$/.test(String(first.hook_event_name ?? "")) && "session_id" in first && !("transcript_path" in first))),
  },
  {
    parser: "claude-code-hooks",
    describes: "Claude Code hook payloads, one JSON object per line (hook_event_name, session_id)",
    test: ({ first }) => typeof field(first, "hook_event_name") === "string" && "session_id" in (first as object),
  },
  {
    parser: "claude-code-transcript",
    describes: "Claude Code session transcripts (~/.claude/projects/**.jsonl: type, uuid, sessionId, message)",
    test: ({ first }) => {
      const type = field(first, "type");
      // Summary and file-history-snapshot lines (often first) carry leafUuid / messageId instead of sessionId.
      return typeof type === "string" && CLAUDE_TRANSCRIPT_TYPES.has(type) && ["sessionId", "uuid", "leafUuid", "messageId"].some((k) => k in (first as object));
    },
  },
  {
    parser: "generic-agent-log",
    describes: `evidence's generic agent log, one JSON object per line with "schema": "${GENERIC_SCHEMA_ID}"`,
    test: ({ first }) => field(first, "schema") === GENERIC_SCHEMA_ID,
  },
  {
    parser: "codex-rollout",
    describes: "OpenAI Codex rollout JSONL (~/.codex/sessions/**/rollout-*.jsonl: timestamp, type, payload)",
    test: ({ first }) => (CODEX_LINE_TYPES.has(String(field(first, "type"))) && isRecord(field(first, "payload"))) || (typeof field(first, "id") === "string" && isRecord(first) && "instructions" in first),
  },
  {
    parser: "codex-otel",
    describes: "OpenAI Codex OpenTelemetry logs as OTLP/JSON (codex.* events)",
    test: ({ first }) => otlpNames(first).some((n) => /^codex/i.test(n)),
  },
  {
    parser: "gemini-cli-telemetry",
    describes: "Gemini CLI telemetry: OTLP/JSON or the local telemetry.outfile (gemini_cli.* events)",
    test: ({ first }) => otlpNames(first).some((n) => n === "gemini-cli" || n.startsWith("gemini_cli.")) || isGeminiOutfileRecord(first),
  },
  {
    parser: "otlp-genai",
    describes: "OTLP/JSON spans or logs following the OpenTelemetry GenAI conventions (execute_tool, gen_ai.tool.name)",
    test: ({ first }) => isOtlpDocument(first),
  },
  {
    parser: "windsurf-hooks",
    describes: "Windsurf Cascade hook payloads (agent_action_name, trajectory_id, tool_info)",
    test: ({ first }) => typeof field(first, "agent_action_name") === "string",
  },
  {
    parser: "cursor-hooks",
    describes: "Cursor hook payloads (hook_event_name with conversation_id / generation_id / workspace_roots)",
    test: ({ first }) => typeof field(first, "hook_event_name") === "string" && isRecord(first) && ["conversation_id", "generation_id", "cursor_version", "workspace_roots"].some((k) => k in first),
  },
  {
    // Kiro names its events in camelCase (agentSpawn, preToolUse) and sends no session fields.
    parser: "kiro-hooks",
    describes: "Kiro CLI hook payloads (camelCase hook_event_name, cwd, tool_name such as execute_bash / use_aws / fs_write)",
    test: ({ first }) => /^[a-z][A-Za-z]+$/.test(String(field(first, "hook_event_name") ?? "")),
  },
  {
    parser: "github-audit-log",
    describes: "GitHub audit log export, JSON (array or lines with action and @timestamp/created_at) or CSV (*.csv)",
    test: ({ relPath, first }) =>
      (typeof field(first, "action") === "string" && isRecord(first) && ["@timestamp", "created_at", "_document_id"].some((k) => k in first)) ||
      (!isRecord(first) && /\.csv(\.gz)?$/i.test(relPath)),
  },
];

/** The parser for a file, or null when no row recognises it. */
export function detectFormat(sample: DetectSample, formats: readonly FormatRow[] = FORMATS): string | null {
  const row = formats.find((f) => f.test(sample));
  return row?.parser === "evidence-hook" ? evidenceHookParser(sample) : row?.parser ?? null;
}
