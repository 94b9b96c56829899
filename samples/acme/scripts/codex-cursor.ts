/**
 * October 2026 of OpenAI Codex rollouts and Cursor hook logs for the sample, so that the report
 * shows several agent products side by side:
 *  - Codex: developers' sessions under `approval_policy: on-request` in the workspace-write sandbox,
 *    and one on-call session on the shared box's production checkout started with
 *    `--dangerously-bypass-approvals-and-sandbox` (`approval_policy: never`, `danger-full-access`):
 *    the bypass-equivalent mode, in which it deletes a production pod and an S3 prefix unasked;
 *  - Cursor: a logging hook's output (payload + the hook's own timestamp and answer) for the web
 *    team: sandboxed test runs, edits, a staging namespace deletion a person confirmed, a force push
 *    the admin policy denied, and a release clean-up on the production host nobody confirmed.
 * Writes only logs/codex/ and logs/cursor/.
 */
import { rng, writeSampleFile } from "./lib.ts";

const r = rng(4242);
type Line = Record<string, unknown>;
const json = (lines: Line[]) => lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
const at = (day: number, h: number, m: number, s: number, ms = 0) => new Date(Date.UTC(2026, 9, day, h, m, s, ms)).toISOString();
const weekday = (day: number) => ![0, 6].includes(new Date(Date.UTC(2026, 9, day)).getUTCDay());

// ------------------------------------------------------------------ Codex rollouts
type CodexCall =
  | { shell: string[]; out: string; exit?: number; escalated?: boolean }
  | { cmd: string; out: string; exit?: number }
  | { patch: string; out: string };

function rollout(day: number, hour: number, user: string, cwd: string, policy: { approval: string; sandbox: string }, calls: CodexCall[], prompt: string): void {
  const id = r.uuid();
  let t = Date.UTC(2026, 9, day, hour, Math.floor(r.next() * 50), Math.floor(r.next() * 60));
  const ts = (step = 800 + Math.floor(r.next() * 6000)) => new Date((t += step)).toISOString();
  const start = ts(0);
  const lines: Line[] = [
    { timestamp: start, type: "session_meta", payload: { id, timestamp: start, cwd, originator: "codex_cli_rs", cli_version: "0.58.0", source: "cli", model_provider: "openai", git: { commit_hash: r.hex(40), branch: "main", repository_url: "git@github.com:acme/api.git" } } },
    { timestamp: ts(), type: "turn_context", payload: { cwd, approval_policy: policy.approval, sandbox_policy: { type: policy.sandbox }, model: "gpt-5-codex", effort: "medium", summary: "auto" } },
    { timestamp: ts(), type: "event_msg", payload: { type: "user_message", message: prompt, images: [] } },
  ];
  for (const call of calls) {
    const callId = `call_${r.hex(24)}`;
    if ("patch" in call) {
      lines.push({ timestamp: ts(), type: "response_item", payload: { type: "custom_tool_call", status: "completed", call_id: callId, name: "apply_patch", input: call.patch } });
      lines.push({ timestamp: ts(), type: "response_item", payload: { type: "custom_tool_call_output", call_id: callId, output: call.out } });
      continue;
    }
    const fn = "shell" in call
      ? { name: "shell", arguments: JSON.stringify({ command: call.shell, workdir: cwd, timeout_ms: 120000, ...(call.escalated ? { with_escalated_permissions: true, justification: "needs network access" } : {}) }) }
      : { name: "exec_command", arguments: JSON.stringify({ cmd: call.cmd, workdir: cwd, yield_time_ms: 1000 }) };
    lines.push({ timestamp: ts(), type: "response_item", payload: { type: "function_call", ...fn, call_id: callId } });
    const output = "shell" in call
      ? JSON.stringify({ output: call.out, metadata: { exit_code: call.exit ?? 0, duration_seconds: Math.round(r.next() * 40) / 10 } })
      : `Process exited with code ${call.exit ?? 0}\nOutput:\n${call.out}`;
    lines.push({ timestamp: ts(), type: "response_item", payload: { type: "function_call_output", call_id: callId, output } });
  }
  lines.push({ timestamp: ts(), type: "event_msg", payload: { type: "token_count", info: { total_token_usage: { input_tokens: 9000 + Math.floor(r.next() * 9000), output_tokens: 1200 } } } });
  lines.push({ timestamp: ts(), type: "event_msg", payload: { type: "agent_message", message: "Done." } });
  const hms = start.slice(11, 19).replace(/:/g, "-");
  writeSampleFile(`logs/codex/2026/10/${String(day).padStart(2, "0")}/rollout-2026-10-${String(day).padStart(2, "0")}T${hms}-${id}.jsonl`, json(lines));
}

const CODEX_DEVS = ["maria.garcia", "li.wei", "sam.okafor"];
const CODEX_BENIGN: CodexCall[] = [
  { shell: ["bash", "-lc", "rg -n 'retryBudget' src"], out: "src/retry.ts:3:export const retryBudget = 3;" },
  { shell: ["cat", "src/retry.ts"], out: "export const retries = 3;" },
  { shell: ["npm", "test", "--", "--run", "retry"], out: "1 passed" },
  { cmd: "git status --short && git diff --stat", out: " M src/retry.ts" },
  { patch: "*** Begin Patch\n*** Update File: src/retry.ts\n@@\n-export const retries = 3;\n+export const retries = 5;\n*** End Patch\n", out: "Success. Updated the following files:\nM src/retry.ts\n" },
  { shell: ["bash", "-lc", "npm install --save-dev vitest@3"], out: "added 12 packages", escalated: true },
];
for (const day of [2, 6, 9, 13, 16, 20, 23, 27, 29]) {
  if (!weekday(day)) continue;
  const user = r.pick(CODEX_DEVS);
  const calls = Array.from({ length: 3 + Math.floor(r.next() * 3) }, () => r.pick(CODEX_BENIGN));
  rollout(day, 9 + Math.floor(r.next() * 7), user, `/home/${user}/src/api`, { approval: "on-request", sandbox: "workspace-write" }, calls, "Make the retry budget configurable and test it");
}
// The bypass-equivalent session: the shared box's production checkout, no approvals, no sandbox.
rollout(21, 22, "ops.oncall", "/srv/prod/api", { approval: "never", sandbox: "danger-full-access" }, [
  { shell: ["bash", "-lc", "kubectl --context prod-eks get pods -n prod-payments"], out: "payments-worker-7d9f   0/1   CrashLoopBackOff" },
  { shell: ["bash", "-lc", "kubectl --context prod-eks delete pod payments-worker-7d9f -n prod-payments"], out: 'pod "payments-worker-7d9f" deleted' },
  { cmd: "aws s3 rm s3://prod-payments-exports/tmp/ --recursive --profile prod", out: "delete: s3://prod-payments-exports/tmp/2026-10-21.csv" },
  { shell: ["bash", "-lc", "kubectl --context prod-eks rollout status deploy/payments-worker -n prod-payments"], out: "successfully rolled out" },
], "payments worker is crash looping, fix it and clear the stuck export files");

// ------------------------------------------------------------------ Cursor hook logs
interface CursorCall {
  kind: "shell" | "read" | "write";
  subject: string;
  sandbox?: boolean;
  permission?: "allow" | "ask" | "deny";
  fail?: "permission_denied" | "error";
  output?: string;
}

/** `ended: false` leaves out the closing `stop` record: a session whose log is cut off after its last call. */
function cursorSession(lines: Line[], day: number, hour: number, user: string, root: string, calls: CursorCall[], ended = true): void {
  const conversation = `c-${r.hex(8)}`;
  let t = Date.UTC(2026, 9, day, hour, Math.floor(r.next() * 50), Math.floor(r.next() * 60));
  const ts = () => new Date((t += 300 + Math.floor(r.next() * 5000))).toISOString();
  const base = (generation: string) => ({ conversation_id: conversation, generation_id: generation, model: "claude-4.5-sonnet", cursor_version: "2.1.4", workspace_roots: [root], user_email: `${user}@acme.example` });
  lines.push({ timestamp: ts(), ...base("g-0"), hook_event_name: "sessionStart", is_background_agent: false });
  lines.push({ timestamp: ts(), ...base("g-1"), hook_event_name: "beforeSubmitPrompt", prompt: "Tidy up the checkout page and get the tests green" });
  for (const [i, c] of calls.entries()) {
    const b = base(`g-${1 + Math.floor(i / 3)}`);
    if (c.kind === "shell") {
      lines.push({ timestamp: ts(), ...b, hook_event_name: "beforeShellExecution", command: c.subject, cwd: root, sandbox: c.sandbox ?? false, ...(c.permission ? { permission: c.permission } : {}) });
      if (c.permission !== "deny") lines.push({ timestamp: ts(), ...b, hook_event_name: "afterShellExecution", command: c.subject, output: c.output ?? "", duration: 200 + Math.floor(r.next() * 9000) });
      continue;
    }
    const id = `tu_${r.hex(12)}`;
    const tool = c.kind === "read" ? "Read" : "Write";
    const input = c.kind === "read" ? { file_path: c.subject } : { file_path: c.subject, content: "export const checkout = () => render(<Checkout />);\n" };
    lines.push({ timestamp: ts(), ...b, hook_event_name: "preToolUse", tool_name: tool, tool_input: input, tool_use_id: id, cwd: root });
    if (c.fail) {
      lines.push({ timestamp: ts(), ...b, hook_event_name: "postToolUseFailure", tool_name: tool, tool_input: input, tool_use_id: id, error_message: c.fail === "permission_denied" ? "Blocked by team policy" : "ENOENT", failure_type: c.fail, is_interrupt: false });
      continue;
    }
    if (c.kind === "write") lines.push({ timestamp: ts(), ...b, hook_event_name: "afterFileEdit", file_path: c.subject, edits: [{ old_string: "", new_string: "…" }] });
    lines.push({ timestamp: ts(), ...b, hook_event_name: "postToolUse", tool_name: tool, tool_input: input, tool_use_id: id, tool_output: "{}", duration: 40 });
  }
  if (ended) lines.push({ timestamp: ts(), ...base("g-9"), hook_event_name: "stop", status: "completed" });
}

const CURSOR_DEVS = ["olga.ivanova", "sam.okafor"];
const cursorLines: Record<string, Line[]> = {};
for (let day = 1; day <= 31; day++) {
  if (!weekday(day) || r.next() < 0.45) continue;
  const user = r.pick(CURSOR_DEVS);
  const root = `/home/${user}/src/web`;
  const calls: CursorCall[] = Array.from({ length: 3 + Math.floor(r.next() * 4) }, () =>
    r.pick<CursorCall>([
      { kind: "read", subject: `${root}/src/checkout.tsx` },
      { kind: "write", subject: `${root}/src/checkout.tsx` },
      { kind: "shell", subject: "npm test -- checkout", sandbox: true, output: "Tests: 14 passed" },
      { kind: "shell", subject: "git status && git diff --stat", sandbox: true },
    ]),
  );
  cursorSession((cursorLines[user] ??= []), day, 9 + Math.floor(r.next() * 8), user, root, calls);
}
// A person confirms a staging clean-up; the admin policy blocks a force push.
cursorSession((cursorLines["olga.ivanova"] ??= []), 15, 14, "olga.ivanova", "/home/olga.ivanova/src/web", [
  { kind: "shell", subject: "kubectl --context staging delete namespace web-preview-481", permission: "ask", output: 'namespace "web-preview-481" deleted' },
  { kind: "write", subject: "/home/olga.ivanova/src/web/.github/workflows/deploy.yml", fail: "permission_denied" },
  { kind: "shell", subject: "git push --force origin main", permission: "deny" },
]);
// On the production web host: old releases removed with no confirmation on record, and the
// session's log stops after the rm -rf with no stop record: a cut-off session (agent-logging-complete).
cursorSession((cursorLines["sam.okafor"] ??= []), 28, 19, "sam.okafor", "/srv/prod/web", [
  { kind: "shell", subject: "ls /srv/prod/web/releases", output: "2026-08-30 2026-09-14 2026-10-27" },
  { kind: "shell", subject: "rm -rf /srv/prod/web/releases/2026-08-30 /srv/prod/web/releases/2026-09-14" },
], false);
for (const [user, lines] of Object.entries(cursorLines)) {
  lines.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
  writeSampleFile(`logs/cursor/2026-10/${user}.jsonl`, json(lines));
}
console.log(`wrote Codex rollouts and ${Object.keys(cursorLines).length} Cursor hook logs`);
