import type { SourceConfig } from "../config.ts";
import type { EnrichContext } from "./enrich.ts";
import type { Parser } from "./parser.ts";
import { createAgentSettingsParser } from "./agent/agent-settings.ts";
import { createAgentLogsParser } from "./agent/auto.ts";
import { createClaudeCodeHooksParser } from "./agent/claude-code-hooks.ts";
import { createClaudeCodeOtelParser } from "./agent/claude-code-otel.ts";
import { createClaudeCodeTranscriptParser } from "./agent/claude-code-transcript.ts";
import { createCodexHooksParser } from "./agent/codex-hooks.ts";
import { createCodexOtelParser } from "./agent/codex-otel.ts";
import { createCodexRolloutParser } from "./agent/codex-rollout.ts";
import { createCopilotCliHooksParser } from "./agent/copilot-cli-hooks.ts";
import { createCursorHooksParser } from "./agent/cursor-hooks.ts";
import { createGeminiCliParser } from "./agent/gemini-cli.ts";
import { createGeminiHooksParser } from "./agent/gemini-hooks.ts";
import { createGenericAgentLogParser } from "./agent/generic-jsonl.ts";
import { createGitHubAuditLogParser } from "./agent/github-audit-log.ts";
import { createKiroHooksParser } from "./agent/kiro-hooks.ts";
import { createOtlpGenAiParser } from "./agent/otlp-genai.ts";
import { createWindsurfHooksParser } from "./agent/windsurf-hooks.ts";
import { createCloudTrailS3Parser } from "./cloudtrail/s3-delivery.ts";
import { createIamParser } from "./iam/parser.ts";
import { createGithubPullRequestsParser } from "./pull-requests/github.ts";
import { createGitlabMergeRequestsParser } from "./pull-requests/gitlab.ts";

/** Explicit registry: config source kind -> parser factory. Git is handled apart (a repository, not files). */
export const FILE_PARSERS: Record<Exclude<SourceConfig["kind"], "git">, (ctx: EnrichContext) => Parser> = {
  "agent-logs": (ctx) => createAgentLogsParser(ctx, FILE_PARSERS),
  "agent-settings": createAgentSettingsParser,
  "claude-code-hooks": createClaudeCodeHooksParser,
  "claude-code-otel": createClaudeCodeOtelParser,
  "claude-code-transcript": createClaudeCodeTranscriptParser,
  cloudtrail: createCloudTrailS3Parser,
  "codex-hooks": createCodexHooksParser,
  "codex-otel": createCodexOtelParser,
  "codex-rollout": createCodexRolloutParser,
  "copilot-cli-hooks": createCopilotCliHooksParser,
  "cursor-hooks": createCursorHooksParser,
  "gemini-cli-telemetry": createGeminiCliParser,
  "gemini-hooks": createGeminiHooksParser,
  "generic-agent-log": createGenericAgentLogParser,
  "github-audit-log": createGitHubAuditLogParser,
  "kiro-hooks": createKiroHooksParser,
  "otlp-genai": createOtlpGenAiParser,
  "windsurf-hooks": createWindsurfHooksParser,
  iam: createIamParser,
  "github-pull-requests": createGithubPullRequestsParser,
  "gitlab-merge-requests": createGitlabMergeRequestsParser,
};
