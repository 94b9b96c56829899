import { z } from "zod";

/**
 * `evidence`'s own agent log format: one JSON object per line, for in-house agents that want their
 * actions in the evidence without a bespoke parser. The JSON Schema in
 * docs/generic-agent-log.schema.json is generated from this (test/ingest/generic-agent-log.test.ts
 * checks that it is current); the README documents it.
 *
 * Unknown keys are allowed (and ignored) so that a newer writer never breaks an older reader;
 * `type` values this version does not know are kept as session context and counted.
 */
export const GENERIC_SCHEMA_ID = "evidence.agent-log/v1";

export const Outcome = z.enum(["succeeded", "failed", "denied", "interrupted", "unknown"]);

export const GenericApproval = z
  .object({
    kind: z
      .enum(["human", "policy", "denied", "unknown"])
      .describe("human: a person explicitly confirmed this call; policy: an allow rule, hook or permission mode let it run; denied: refused; unknown: not recorded."),
    by: z.string().min(1).optional().describe("Who decided: the person's e-mail or account (human, denied), or the rule or mode (policy)."),
    evidence: z.string().min(1).optional().describe("The decision record, as text: e.g. 'approved in the terminal prompt', 'allow rule Bash(npm test *)'."),
  })
  .describe("Who or what let the call run.");

export const GenericAgentRecord = z
  .object({
    schema: z.literal(GENERIC_SCHEMA_ID).optional().describe("Marks the format; lets `agent-logs` sources detect it."),
    type: z
      .string()
      .min(1)
      .default("tool_call")
      .describe("tool_call (default), or session context: session_start, session_end, prompt, mode_change. Other values are kept as context and counted."),
    time: z
      .union([z.iso.datetime({ offset: true }), z.number().positive()])
      .describe("When the call started: ISO-8601 with a zone (2026-10-14T09:12:03.120Z) or epoch milliseconds."),
    product: z.string().min(1).describe("The agent product, e.g. acme-deploy-bot. Config agents[].match.logProducts maps it to an agent identity."),
    productVersion: z.string().min(1).optional(),
    sessionId: z.string().min(1).optional().describe("The agent session or run the call belongs to."),
    id: z.string().min(1).optional().describe("Unique id of the call within the product; repeated records with the same id are stored once."),
    operator: z.string().min(1).optional().describe("The person who ran or started the agent: e-mail, account or OS user."),
    tool: z.string().min(1).optional().describe("The tool called (required for tool_call). Shell tools: shell, bash, exec_command…"),
    command: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe("For shell tools, the command line or argv array: classified by the shell command parser."),
    args: z.unknown().optional().describe("The tool's arguments, any JSON (for non-shell tools). Secrets are redacted before storage."),
    target: z.string().min(1).optional().describe("What the call acted on: a file, URL, resource name."),
    cwd: z.string().min(1).optional().describe("Working directory: matched against environments.production.paths."),
    repository: z.string().min(1).optional(),
    branch: z.string().min(1).optional(),
    outcome: Outcome.default("unknown"),
    approval: GenericApproval.optional(),
    mode: z.string().min(1).optional().describe("The permission or approval mode in force (e.g. auto, ask, bypass)."),
    attrs: z.record(z.string(), z.unknown()).optional().describe("Anything else worth keeping; stored with the event."),
  })
  .describe("One agent action or session record in evidence's generic agent log (JSON lines).");
export type GenericAgentRecord = z.infer<typeof GenericAgentRecord>;

export function genericAgentLogJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(GenericAgentRecord, { io: "input" }),
    $id: "urn:evidence:agent-log:v1",
    title: "evidence generic agent log record",
  };
}
