/**
 * Claude Code hook logs written by `evidence hook` itself: li.wei's laptop logs every tool call
 * through the real CLI (bin/evidence.js hook, one process per payload, as Claude Code runs it),
 * into logs/evidence-hook/claude-code/2026-10-DD.jsonl, each line chained to the one before.
 * Afterwards one line of 14 October is edited, as someone covering a force push would edit it:
 * the package reports the broken link (evidence inventory, CC7.2 agent-hook-log-chain-intact).
 * Deterministic: the hook's clock, host and user are set through its EVIDENCE_HOOK_* overrides.
 * Writes only logs/evidence-hook/.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./lib.ts";

const BIN = path.resolve(ROOT, "..", "..", "bin", "evidence.js");
const DIR = path.join(ROOT, "logs", "evidence-hook");
rmSync(DIR, { recursive: true, force: true });

type Call = { tool: "Bash"; command: string; out: string } | { tool: "Read"; file: string };
const SESSIONS: { day: number; hour: number; session: string; prompt: string; calls: Call[] }[] = [
  { day: 13, hour: 9, session: "0d6c5a1e-3b7f-4e2a-9c41-7f2e1b0a9d13", prompt: "fix the flaky date test in web", calls: [
    { tool: "Bash", command: "git status", out: "On branch fix/date-test" },
    { tool: "Read", file: "/home/li.wei/src/web/test/date.test.ts" },
    { tool: "Bash", command: "npm test -- date", out: "1 passing" },
  ] },
  { day: 14, hour: 10, session: "5e2f9b7c-1a4d-4c8e-b6f0-2d9a8e7c1b14", prompt: "rebase my branch on main and push it", calls: [
    { tool: "Bash", command: "git fetch origin", out: "" },
    { tool: "Bash", command: "git rebase origin/main", out: "Successfully rebased" },
    { tool: "Bash", command: "git push --force origin fix/date-test", out: "+ 3f2a1b0...9c8d7e6 fix/date-test -> fix/date-test (forced update)" },
  ] },
  { day: 16, hour: 14, session: "8a1b3c5d-7e9f-4a2b-8c4d-6e8f0a2b4c16", prompt: "run the linter", calls: [
    { tool: "Bash", command: "npm run lint", out: "0 problems" },
  ] },
];

let seq = 0;
function hook(day: number, hour: number, minute: number, payload: Record<string, unknown>): void {
  const now = new Date(Date.UTC(2026, 9, day, hour, minute, seq++ % 60)).toISOString();
  const r = spawnSync(process.execPath, [BIN, "hook", "--agent", "claude-code", "--dir", DIR, "--fail-closed"], {
    input: JSON.stringify(payload),
    env: { ...process.env, EVIDENCE_HOOK_NOW: now, EVIDENCE_HOOK_HOST: "lw-macbook-14", EVIDENCE_HOOK_USER: "li.wei" },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`evidence hook failed: ${r.stderr}`);
}

for (const s of SESSIONS) {
  const base = { session_id: s.session, transcript_path: `/home/li.wei/.claude/projects/-home-li-wei-src-web/${s.session}.jsonl`, cwd: "/home/li.wei/src/web" };
  let m = 0;
  hook(s.day, s.hour, m++, { ...base, hook_event_name: "SessionStart", source: "startup" });
  hook(s.day, s.hour, m++, { ...base, permission_mode: "default", hook_event_name: "UserPromptSubmit", prompt: s.prompt });
  s.calls.forEach((c, i) => {
    const id = `toolu_01${s.session.slice(0, 8)}${i}`;
    const input = c.tool === "Bash" ? { command: c.command } : { file_path: c.file };
    hook(s.day, s.hour, m++, { ...base, permission_mode: "default", hook_event_name: "PreToolUse", tool_name: c.tool, tool_input: input, tool_use_id: id });
    const response = c.tool === "Bash" ? { stdout: c.out, stderr: "", interrupted: false } : { type: "text", file: { filePath: c.file } };
    hook(s.day, s.hour, m++, { ...base, permission_mode: "default", hook_event_name: "PostToolUse", tool_name: c.tool, tool_input: input, tool_response: response, tool_use_id: id });
  });
}

// The tamper: the force push rewritten as an ordinary push in its PreToolUse line.
const edited = path.join(DIR, "claude-code", "2026-10-14.jsonl");
const lines = readFileSync(edited, "utf8").split("\n");
const at = lines.findIndex((l) => l.includes(`"PreToolUse"`) && l.includes("git push --force"));
lines[at] = lines[at]!.replace("git push --force origin", "git push origin");
writeFileSync(edited, lines.join("\n"));
console.log(`wrote ${seq} evidence hook lines; edited line ${at + 1} of ${path.relative(ROOT, edited)}`);
