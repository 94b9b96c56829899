import { isRecord } from "../parser.ts";

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

export const FORMATS: readonly FormatRow[] = [
  {
    parser: "agent-settings",
    describes: "agent settings: Claude settings.json / settings.local.json / managed-settings.json, Cursor cli-config.json / cli.json, Codex config.toml",
    test: ({ relPath }) => /^(settings(\.local)?|managed-settings|cli-config|cli)\.json$|^config\.toml$/.test(baseName(relPath)),
  },
  {
    parser: "claude-code-otel",
    describes: "Claude Code OpenTelemetry logs as OTLP/JSON (resourceLogs with claude_code.* events)",
    test: ({ first }) => isClaudeOtlp(first),
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
];

/** The parser for a file, or null when no row recognises it. */
export function detectFormat(sample: DetectSample, formats: readonly FormatRow[] = FORMATS): string | null {
  return formats.find((f) => f.test(sample))?.parser ?? null;
}
