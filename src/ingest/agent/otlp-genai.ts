import type { Outcome } from "../../event.ts";
import toolClasses from "../../classify/tool-classes.json" with { type: "json" };
import { isRecord, str } from "../parser.ts";
import { callEvent, firstStr, jsonField, sessionEvent } from "./calls.ts";
import { codexOtelMapping } from "./codex-otel.ts";
import { geminiOtlpMapping } from "./gemini-cli.ts";
import type { OtlpRecord } from "./otlp.ts";
import { createOtlpParser, type OtlpMapping } from "./otlp-parser.ts";

/**
 * Generic OTLP/JSON spans and logs that follow the OpenTelemetry GenAI semantic conventions
 * (open-telemetry/semantic-conventions `docs/gen-ai/gen-ai-spans.md`): a tool
 * call is a span `execute_tool {gen_ai.tool.name}` with `gen_ai.operation.name="execute_tool"`,
 * `gen_ai.tool.call.id`, `gen_ai.tool.call.arguments`/`.result` (opt-in), `error.type`; the agent
 * is `gen_ai.agent.name`/`gen_ai.agent.id`, the session `gen_ai.conversation.id`. MCP `tools/call`
 * spans are tool calls too.
 *
 * The conventions have no approval attribute [I], so approval is `unknown` unless the emitter adds
 * one of the vendor-style attributes read below. Records of Codex and Gemini CLI in the same file
 * go to their own mappings first (a collector file often mixes agents).
 */
const SHELL = new Set(toolClasses.shellTools);
const MODEL_OPERATIONS = new Set(["chat", "text_completion", "generate_content", "embeddings", "create_agent", "invoke_workflow", "retrieval"]);
const DEFAULT_PRODUCT = "otel-agent";

function operation(rec: OtlpRecord): string | null {
  return str(rec.attrs["gen_ai.operation.name"]) ?? (rec.name?.startsWith("execute_tool") ? "execute_tool" : null);
}

function isToolCall(rec: OtlpRecord): boolean {
  return operation(rec) === "execute_tool" || rec.attrs["mcp.method.name"] === "tools/call";
}

/** The agent product: the agent's name, else the emitting service. */
function productOf(rec: OtlpRecord): string {
  return firstStr(rec.attrs, "gen_ai.agent.name") ?? firstStr(rec.resource, "gen_ai.agent.name", "service.name") ?? DEFAULT_PRODUCT;
}

export const genaiMapping: OtlpMapping = {
  name: "gen_ai",
  claims: (rec) => isToolCall(rec) || Object.keys(rec.attrs).some((k) => k.startsWith("gen_ai.")),
  start(ctx) {
    return {
      *map(rec, at, unknown) {
        const a = rec.attrs;
        const sessionId = firstStr(a, "gen_ai.conversation.id", "session.id", "mcp.session.id");
        const operator = firstStr(a, "user.email", "enduser.id", "user.id") ?? firstStr(rec.resource, "user.email", "enduser.id");
        const product = productOf(rec);
        const version = firstStr(rec.resource, "service.version");
        if (!rec.time) {
          yield { kind: "reject", reject: { locator: at, reason: rec.timeIssue ?? `${rec.name ?? "record"} without a start time` } };
          return;
        }
        const op = operation(rec);
        if (!isToolCall(rec)) {
          if (op === "invoke_agent") {
            yield { kind: "event", event: sessionEvent({ product, productVersion: version, time: rec.time, sessionId, type: "invoke_agent", operator, locator: at, known: true, attrs: { agentId: str(a["gen_ai.agent.id"]), model: str(a["gen_ai.request.model"]) } }, ctx) };
          } else if (!op || !MODEL_OPERATIONS.has(op)) {
            unknown.add(`gen_ai ${op ?? rec.name ?? "(unnamed)"}`);
            yield { kind: "event", event: sessionEvent({ product, productVersion: version, time: rec.time, sessionId, type: op ?? rec.name ?? "unnamed", operator, locator: at, known: false }, ctx) };
          }
          return;
        }
        const tool = firstStr(a, "gen_ai.tool.name", "mcp.tool.name") ?? rec.name?.replace(/^execute_tool\s*/, "") ?? "unknown";
        const args = jsonField(a["gen_ai.tool.call.arguments"] ?? a["mcp.tool.arguments"]);
        const obj = isRecord(args) ? args : {};
        const failed = rec.status === "error" || str(a["error.type"]) !== null;
        // A log record has no status: without an error it is a finished call, as a span that ended is.
        const outcome: Outcome = failed ? "failed" : rec.signal === "span" && !rec.endTime ? "unknown" : "succeeded";
        const decision = firstStr(a, "gen_ai.tool.approval", "tool.approval", "approval");
        const key = firstStr(a, "gen_ai.tool.call.id", "jsonrpc.request.id") ?? `${rec.traceId ?? "-"}:${rec.spanId ?? at}`;
        yield {
          kind: "event",
          event: callEvent(
            {
              product, productVersion: version, key, time: rec.time, sessionId, operator, tool,
              shell: SHELL.has(tool.toLowerCase()) ? (Array.isArray(obj.command) ? obj.command.map(String) : str(obj.command) ?? str(obj.cmd)) : null,
              args, target: firstStr(obj, "file_path", "path", "url"), cwd: firstStr(obj, "cwd", "workdir") ?? firstStr(a, "process.working_directory"),
              repository: firstStr(a, "vcs.repository.url.full") ?? firstStr(rec.resource, "vcs.repository.url.full"),
              outcome,
              approval: decision === "human" || decision === "policy" || decision === "denied" ? decision : "unknown",
              approvalEvidence: decision ? `attribute approval=${decision}` : "the OTel GenAI conventions carry no approval decision",
              locator: at,
              attrs: { toolCallId: str(a["gen_ai.tool.call.id"]), toolType: str(a["gen_ai.tool.type"]), error: str(a["error.type"]) ?? rec.statusMessage ?? null, traceId: rec.traceId, spanId: rec.spanId, endTime: rec.endTime ?? null },
            },
            ctx,
          ),
        };
      },
      end: () => [],
    };
  },
};

/** Vendor mappings first: a collector file may hold Codex, Gemini CLI and other agents together. */
export const GENERIC_OTLP_MAPPINGS: readonly OtlpMapping[] = [codexOtelMapping, geminiOtlpMapping, genaiMapping];

export const createOtlpGenAiParser = createOtlpParser("otlp-genai", "1", GENERIC_OTLP_MAPPINGS);
