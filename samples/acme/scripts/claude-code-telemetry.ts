/**
 * Claude Code OpenTelemetry logs (OTLP/JSON, as the collector's file exporter writes them) and a
 * session transcript for the sample, plus the agents' settings files. They describe the same tool
 * calls as the hook logs generate.ts writes (same `tool_use_id`s, read back from those files), so
 * the report shows each call once, joined, with its decision record:
 *  - the incident: the on-call session on the production checkout ran in bypassPermissions, so the
 *    OTel decisions say `source: config` (policy) for the stack deletion; the transcript agrees, and
 *    the session's settings.local.json shows why (defaultMode bypassPermissions, bypass not disabled);
 *  - the staging `terraform destroy` a person confirmed: `source: user_temporary` (human);
 *  - the agent's commit of infra/stack.yaml, linked to the session by `git_commit_id`.
 * Writes only logs/claude-code-otel/, logs/claude-code-transcripts/ and settings/.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, rng, writeSampleFile } from "./lib.ts";

const r = rng(3003);
type Hook = Record<string, unknown> & { hook_event_name: string; timestamp: string; session_id: string; tool_use_id?: string; tool_name?: string; tool_input?: Record<string, unknown> };
const readHooks = (file: string): Hook[] =>
  readFileSync(path.join(ROOT, file), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Hook);

interface Call { id: string; session: string; tool: string; input: Record<string, unknown>; pre: string; post: string | null; ok: boolean }
function calls(hooks: Hook[], session: string): Call[] {
  const out: Call[] = [];
  for (const h of hooks) {
    if (h.session_id !== session || !h.tool_use_id) continue;
    if (h.hook_event_name === "PreToolUse") out.push({ id: h.tool_use_id, session, tool: h.tool_name!, input: h.tool_input!, pre: h.timestamp, post: null, ok: true });
    const c = out.find((x) => x.id === h.tool_use_id);
    if (c && h.hook_event_name.startsWith("PostToolUse")) {
      c.post = h.timestamp;
      c.ok = h.hook_event_name === "PostToolUse";
    }
  }
  return out;
}
const shift = (t: string, ms: number) => new Date(Date.parse(t) + ms).toISOString();
const nanos = (t: string) => `${BigInt(Date.parse(t)) * 1_000_000n}`;

// ------------------------------------------------------------------ the calls, from the hook logs
const ops = readHooks("logs/claude-code/2026-10/ops-oncall.jsonl");
const opsSession = ops[0]!.session_id;
const li = readHooks("logs/claude-code/2026-10/li.wei.jsonl");
const destroy = li.find((h) => h.hook_event_name === "PreToolUse" && String(h.tool_input?.command ?? "").includes("terraform"))!;
const incidentCalls = calls(ops, opsSession);
const stagingCalls = calls(li, destroy.session_id).filter((c) => c.id === destroy.tool_use_id);

// The agent's commit in the bundle, found by its subject, so git_commit_id names a real SHA.
function commitSha(subject: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "acme-bundle-"));
  try {
    execFileSync("git", ["clone", "--quiet", path.join(ROOT, "git", "api.bundle"), dir], { stdio: "ignore" });
    return execFileSync("git", ["-C", dir, "log", "origin/main", "--format=%H", "-1", `--grep=${subject}`]).toString().trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const agentCommit = commitSha("Recreate prod-api stack");

// ------------------------------------------------------------------ OTel (OTLP/JSON lines)
type Attr = { key: string; value: Record<string, unknown> };
const kv = (key: string, v: string | number | boolean): Attr => ({
  key, value: typeof v === "boolean" ? { boolValue: v } : typeof v === "number" ? { intValue: String(v) } : { stringValue: v },
});
const seq = new Map<string, number>();
function logRecord(time: string, name: string, session: string, email: string, attrs: [string, string | number | boolean][]) {
  const n = (seq.get(session) ?? 0) + 1;
  seq.set(session, n);
  return {
    timeUnixNano: nanos(time), observedTimeUnixNano: nanos(shift(time, 3)), severityNumber: 9, body: { stringValue: `claude_code.${name}` },
    attributes: [
      kv("event.name", name), kv("event.timestamp", time), kv("event.sequence", n), kv("session.id", session), kv("user.id", r.hex(16)),
      kv("user.email", email), kv("organization.id", "3f1c6a52-acme-org"), ...attrs.map(([k, v]) => kv(k, v)),
    ],
  };
}
const params = (c: Call, extra: Record<string, unknown> = {}) =>
  JSON.stringify(c.tool === "Bash" ? { bash_command: String(c.input.command).split(" ")[0], full_command: c.input.command, ...extra } : { ...c.input, ...extra });

function toolRecords(c: Call, email: string, source: string, gitCommitId?: string) {
  const decision = logRecord(shift(c.pre, -180), "tool_decision", c.session, email, [
    ["tool_name", c.tool], ["tool_use_id", c.id], ["decision", "accept"], ["source", source], ["tool_source", "builtin"], ["tool_parameters", params(c)],
  ]);
  const end = c.post ?? shift(c.pre, 2000);
  const result = logRecord(shift(end, 40), "tool_result", c.session, email, [
    ["tool_name", c.tool], ["tool_use_id", c.id], ["success", c.ok ? "true" : "false"], ["duration_ms", Date.parse(end) - Date.parse(c.pre)],
    ["decision_type", "accept"], ["decision_source", source], ["tool_parameters", params(c, gitCommitId ? { git_commit_id: gitCommitId } : {})],
  ]);
  return [decision, result];
}

const OPS = "ops.oncall@acme.example";
const commitCall: Call = {
  id: `toolu_01${r.hex(22)}`, session: opsSession, tool: "Bash", input: { command: "git commit -am 'Recreate prod-api stack with new health check'" },
  pre: "2026-10-14T09:44:58.000Z", post: "2026-10-14T09:45:00.500Z", ok: true,
};
const batches = [
  // The incident session: already in bypassPermissions (started with --dangerously-skip-permissions), so every decision is config.
  [logRecord(shift(ops[1]!.timestamp, -50), "user_prompt", opsSession, OPS, [["prompt_length", 47], ["prompt", "<REDACTED>"]])],
  ...incidentCalls.map((c) => toolRecords(c, OPS, "config")),
  [...toolRecords(commitCall, OPS, "config", agentCommit), logRecord("2026-10-14T09:45:30.000Z", "api_request", opsSession, OPS, [["model", "claude-sonnet-5"], ["cost_usd", "0.0412"]])],
  // After the incident the operator leaves bypass mode.
  [logRecord("2026-10-14T09:50:00.000Z", "permission_mode_changed", opsSession, OPS, [["from_mode", "bypassPermissions"], ["to_mode", "default"], ["trigger", "shift_tab"]])],
  // Staging: the person answered the prompt for terraform destroy.
  ...stagingCalls.map((c) => toolRecords(c, "li.wei@acme.example", "user_temporary")),
];
const resource = { attributes: [kv("service.name", "claude-code"), kv("service.version", "2.1.212"), kv("os.type", "linux")] };
const otlp = batches.map((logRecords) => JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ scope: { name: "com.anthropic.claude_code.events", version: "2.1.212" }, logRecords }] }] }));
writeSampleFile("logs/claude-code-otel/2026-10/collector-export.jsonl", otlp.join("\n") + "\n");

// ------------------------------------------------------------------ transcript of the incident session
const base = { isSidechain: false, userType: "external", cwd: "/srv/prod/api", sessionId: opsSession, version: "2.1.212", gitBranch: "main" };
let parent: string | null = null;
const lines: Record<string, unknown>[] = [{ type: "summary", summary: "Recreate prod-api stack to fix health check", leafUuid: r.uuid() }];
const push = (rec: Record<string, unknown>) => {
  const uuid = r.uuid();
  lines.push({ parentUuid: parent, ...base, ...rec, uuid });
  parent = uuid;
};
push({ type: "user", timestamp: ops[1]!.timestamp, permissionMode: "bypassPermissions", message: { role: "user", content: "Fix the failing health check in the api service" } });
for (const c of [...incidentCalls, commitCall]) {
  push({ type: "assistant", timestamp: shift(c.pre, -300), requestId: `req_011${r.hex(20)}`, message: { role: "assistant", content: [{ type: "tool_use", id: c.id, name: c.tool, input: c.input }] } });
  push({
    type: "user", timestamp: c.post ?? shift(c.pre, 2000),
    message: { role: "user", content: [{ type: "tool_result", tool_use_id: c.id, content: c.ok ? "" : "Exit code 255", is_error: !c.ok }] },
    toolUseResult: { stdout: "", stderr: "", interrupted: false, isImage: false },
  });
}
writeSampleFile(`logs/claude-code-transcripts/-srv-prod-api/${opsSession}.jsonl`, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");

// ------------------------------------------------------------------ settings files (configuration evidence)
rmSync(path.join(ROOT, "settings"), { recursive: true, force: true });
const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
// The api repository's committed .claude/settings.json: sensible deny rules, but bypass is not disabled.
writeSampleFile("settings/claude/api-repo/settings.json", json({
  permissions: {
    allow: ["Bash(npm test:*)", "Bash(npm run lint)", "Bash(git status)", "Bash(git diff:*)", "Read(./src/**)"],
    ask: ["Bash(git push *)", "Bash(aws * --profile prod*)"],
    deny: ["Bash(rm -rf *)", "Bash(terraform destroy:*)", "Bash(git push --force*)", "Read(./.env)", "Read(./secrets/**)"],
    defaultMode: "default",
  },
}));
// The on-call laptop's .claude/settings.local.json: where the incident's bypass mode came from.
writeSampleFile("settings/claude/ops-oncall/settings.local.json", json({
  permissions: { allow: ["Bash(aws cloudformation:*)", "Bash(aws ecs:*)"], defaultMode: "bypassPermissions" },
}));
writeSampleFile("settings/cursor/cli-config.json", json({
  version: 1,
  permissions: { allow: ["Shell(ls)", "Shell(npm)", "Read(src/**)", "Write(src/**)"], deny: ["Shell(rm)", "Shell(terraform)", "Read(.env*)"] },
}));
writeSampleFile("settings/codex/config.toml", [
  "# ~/.codex/config.toml on the platform team's shared dev box",
  'model = "gpt-5-codex"',
  'approval_policy = "on-request"',
  'sandbox_mode = "workspace-write"',
  "",
  "[profiles.ci]",
  'approval_policy = "never"',
  'sandbox_mode = "read-only"',
  "",
].join("\n"));

console.log(`wrote Claude Code OTel (${batches.length} export batches), 1 transcript, 4 agent settings files`);
