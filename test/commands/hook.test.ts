import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseConfigText, type LoadedConfig } from "../../src/config.ts";
import type { ChainVerification } from "../../src/ingest/agent/hook-chain.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { createProgress } from "../../src/progress.ts";
import agentHookLogChainIntact from "../../src/rules/agent-hook-log-chain-intact.ts";
import { openStore, type Db } from "../../src/store/index.ts";
import { runRuleOn } from "../helpers/rule-tester.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

/**
 * `evidence hook` run as the agents run it: the real CLI in a child process, one payload on stdin
 * per call, real payload fixtures (Claude Code's and Cursor's documented shapes, without the
 * timestamp no payload of theirs carries). The logs it writes are then ingested by the existing
 * parsers and their chains verified; tampering with a line, deleting a line and deleting a day's
 * file are each caught.
 */
const BIN = path.join(REPO_ROOT, "bin", "evidence.js");
const FIXTURES = path.join(REPO_ROOT, "test", "fixtures", "evidence-hook");
const DAYS = ["2026-10-05", "2026-10-06", "2026-10-07"];

function workspace(t: TestContext): string {
  const ws = tempDir("evidence-hook-");
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  return ws;
}

function hook(args: string[], input: string | Buffer, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, "hook", ...args], { input, encoding: "utf8", env: { ...process.env, EVIDENCE_HOOK_HOST: "dev-laptop-7", EVIDENCE_HOOK_USER: "maria.garcia", ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Feeds every payload of a fixture to the hook, spread over DAYS, as the agent would one call at a time. */
function record(ws: string, agent: string): void {
  const payloads = readFileSync(path.join(FIXTURES, `${agent}.jsonl`), "utf8").trim().split("\n");
  payloads.forEach((p, i) => {
    const day = DAYS[Math.floor((i * DAYS.length) / payloads.length)]!;
    const r = hook(["--agent", agent, "--dir", path.join(ws, "hooks")], p, { EVIDENCE_HOOK_NOW: `${day}T09:${String(i).padStart(2, "0")}:00.000Z` });
    // Gemini CLI parses stdout as JSON on exit 0: its "no decision" is {} (its own logging-hook example).
    assert.deepEqual(r, { status: 0, stdout: agent === "gemini" ? "{}\n" : "", stderr: "" }, `payload ${i + 1} of ${agent}`);
  });
}

const SOURCES = `  - { name: claude-code, kind: claude-code-hooks, paths: ["hooks/claude-code/*.jsonl"] }
  - { name: cursor, kind: cursor-hooks, paths: ["hooks/cursor/*.jsonl"] }`;

async function ingest(db: Db, ws: string, sources = SOURCES) {
  const yaml = `organisation: { name: T }\nsources:\n${sources}\n`;
  const loaded: LoadedConfig = { config: parseConfigText(yaml, "t.yaml"), file: path.join(ws, "t.yaml"), root: ws, sha256: "0" };
  return ingestSources(db, loaded, { cacheDir: path.join(ws, ".cache"), now: new Date("2026-11-01T00:00:00Z"), progress: createProgress({ quiet: true }), workers: 0 });
}

const chain = (db: Db, source: string) => {
  const row = db.prepare("SELECT result FROM hook_chains WHERE source = ?").get(source) as { result: string } | undefined;
  return row ? (JSON.parse(row.result) as ChainVerification) : undefined;
};

function recorded(t: TestContext) {
  const ws = workspace(t);
  record(ws, "claude-code");
  record(ws, "cursor");
  const db = openStore(path.join(ws, "evidence.db"));
  t.after(() => db.close());
  return { ws, db, file: (agent: string, day: string) => path.join(ws, "hooks", agent, `${day}.jsonl`) };
}

test("the real CLI as a Claude Code and a Cursor hook writes chained daily files the existing parsers read in full", async (t) => {
  const { ws, db, file } = recorded(t);
  assert.deepEqual(readdirSync(path.join(ws, "hooks", "claude-code")).sort(), DAYS.map((d) => `${d}.jsonl`));
  const lines = readFileSync(file("claude-code", DAYS[0]!), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines[0]!.prev, null, "the first line ever written starts the chain");
  assert.equal(lines[0]!.timestamp, "2026-10-05T09:00:00.000Z");
  assert.equal(lines[0]!.host, "dev-laptop-7");
  assert.equal(lines[0]!.user, "maria.garcia");
  assert.match(String(lines[1]!.prev), /^[0-9a-f]{64}$/);
  const secondDay = JSON.parse(readFileSync(file("claude-code", DAYS[1]!), "utf8").split("\n")[0]!) as { prev: string };
  const lastOfFirst = readFileSync(file("claude-code", DAYS[0]!), "utf8").trim().split("\n").at(-1)!;
  const { createHash } = await import("node:crypto");
  assert.equal(secondDay.prev, createHash("sha256").update(lastOfFirst).digest("hex"), "a day's first line links to the day before's last");

  const summary = await ingest(db, ws);
  assert.equal(summary.failed, 0);
  assert.equal(summary.rejected, 0, "the added keys (timestamp, host, user, prev) are tolerated by claude-code-hooks and cursor-hooks");
  const actions = db.prepare("SELECT f.source, COUNT(*) AS n FROM events e JOIN source_files f ON f.id = e.file_id GROUP BY f.source ORDER BY f.source").all() as { source: string; n: number }[];
  assert.ok(actions.find((a) => a.source === "claude-code")!.n >= 3 && actions.find((a) => a.source === "cursor")!.n >= 3, JSON.stringify(actions));
  for (const source of ["claude-code", "cursor"]) {
    const c = chain(db, source)!;
    assert.deepEqual(c.problems, [], source);
    assert.equal(c.files, 3);
    assert.deepEqual(c.notes, ["the chain starts at 2026-10-05.jsonl line 1"]);
  }
  const run = runRuleOn(agentHookLogChainIntact, db);
  assert.equal(run.outcome, "pass");
  assert.match(run.results[0]!.message, /^10 lines in 3 daily files under hooks\/claude-code\/ form an unbroken hash chain\.$/);
});

test("a source taken out of the config takes its chain results with it", async (t) => {
  const { ws, db } = recorded(t);
  await ingest(db, ws);
  assert.deepEqual(db.prepare("SELECT source FROM hook_chains ORDER BY source").pluck().all(), ["claude-code", "cursor"]);
  await ingest(db, ws, SOURCES.split("\n")[0]!);
  assert.deepEqual(db.prepare("SELECT source FROM hook_chains ORDER BY source").pluck().all(), ["claude-code"]);
});

test("an edited line, a deleted line and a deleted day's file each break the chain, named by file and line, and fail the rule", async (t) => {
  const { ws, db, file } = recorded(t);
  // Edit: the destructive command made to look harmless.
  const day1 = file("claude-code", DAYS[1]!);
  writeFileSync(day1, readFileSync(day1, "utf8").replace("terraform destroy -auto-approve", "terraform plan"));
  // Delete a line: the second of the cursor's middle day.
  const cursorDay = file("cursor", DAYS[1]!);
  const cl = readFileSync(cursorDay, "utf8").split("\n");
  writeFileSync(cursorDay, [...cl.slice(0, 1), ...cl.slice(2)].join("\n"));
  await ingest(db, ws);
  const edited = chain(db, "claude-code")!;
  assert.equal(edited.problems.length, 1, JSON.stringify(edited.problems));
  assert.equal(edited.problems[0]!.kind, "broken-link");
  assert.equal(edited.problems[0]!.file, "hooks/claude-code/2026-10-06.jsonl");
  assert.match(edited.problems[0]!.message, /line \d does not link to line \d: line \d was edited, or lines between them were deleted/);
  const notes = db.prepare("SELECT notes FROM source_files WHERE path = ?").pluck().get("hooks/claude-code/2026-10-06.jsonl") as string;
  assert.deepEqual(JSON.parse(notes), [`hash chain: ${edited.problems[0]!.message}`], "the inventory's notes name the broken file");
  const deleted = chain(db, "cursor")!;
  assert.deepEqual(deleted.problems.map((p) => [p.kind, p.file, p.line]), [["broken-link", "hooks/cursor/2026-10-06.jsonl", 2]]);

  const run = runRuleOn(agentHookLogChainIntact, db);
  assert.equal(run.outcome, "fail");
  assert.deepEqual(run.results.map((r) => [r.subject, r.outcome]), [["claude-code:hooks/claude-code/", "fail"], ["cursor:hooks/cursor/", "fail"]]);
  assert.equal(run.results[1]!.evidence[0]!.file, "hooks/cursor/2026-10-06.jsonl");
  assert.equal(run.results[1]!.evidence[0]!.locator, "line 2");

  // A whole day's file deleted from the middle of the sequence.
  rmSync(file("cursor", DAYS[1]!));
  await ingest(db, ws);
  const gone = chain(db, "cursor")!;
  assert.deepEqual(gone.problems.map((p) => [p.kind, p.file, p.line]), [["missing-file", "hooks/cursor/2026-10-07.jsonl", 1]]);
  assert.match(gone.problems[0]!.message, /a day's file between 2026-10-05 and 2026-10-07 was deleted/);
});

test("concurrent hooks neither interleave lines nor fork the chain", async (t) => {
  const ws = workspace(t);
  const dir = path.join(ws, "hooks");
  const payload = readFileSync(path.join(FIXTURES, "claude-code.jsonl"), "utf8").split("\n")[2]!;
  const runs = Array.from({ length: 8 }, (_, i) =>
    new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [BIN, "hook", "--agent", "claude-code", "--dir", dir], { env: { ...process.env, EVIDENCE_HOOK_NOW: "2026-10-05T10:00:00.000Z" } });
      child.stdin.end(payload.replace("toolu_01A", `toolu_${i}`));
      child.on("close", (code) => resolve(code ?? -1));
    }),
  );
  assert.deepEqual(await Promise.all(runs), Array(8).fill(0));
  const content = readFileSync(path.join(dir, "claude-code", "2026-10-05.jsonl"));
  const lines = content.toString("utf8").trim().split("\n");
  assert.equal(lines.length, 8);
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { tool_use_id: string }).tool_use_id).sort(), Array.from({ length: 8 }, (_, i) => `toolu_${i}`));
  const { verifyChain } = await import("../../src/ingest/agent/hook-chain.ts");
  assert.deepEqual(verifyChain("hooks/claude-code/", [{ path: "hooks/claude-code/2026-10-05.jsonl", content }]).problems, []);
});

test("the lock holds under sustained contention: four writers, 600 appends, one unforked chain", async (t) => {
  // Start-up staggers real hook processes, so the test above rarely races; threads appending in a
  // loop through the hook's own appendPayload race on every call, and fork the chain without the lock.
  const ws = workspace(t);
  const { Worker } = await import("node:worker_threads");
  const { pathToFileURL } = await import("node:url");
  const code = `const { workerData } = require("node:worker_threads");
import(workerData.url).then(({ appendPayload }) => {
  for (let i = 0; i < 150; i++) appendPayload({ dir: workerData.dir, agent: "cursor", payload: Buffer.from(JSON.stringify({ n: workerData.id * 1000 + i })), now: new Date("2026-10-05T10:00:00Z"), host: "h", user: "u" });
});`;
  const url = pathToFileURL(path.join(REPO_ROOT, "bin", "evidence-hook.js")).href;
  await Promise.all(Array.from({ length: 4 }, (_, id) => new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { url, dir: ws, id } });
    w.on("error", reject);
    w.on("exit", resolve);
  })));
  const content = readFileSync(path.join(ws, "cursor", "2026-10-05.jsonl"));
  assert.equal(content.toString("utf8").trim().split("\n").length, 600);
  const { verifyChain } = await import("../../src/ingest/agent/hook-chain.ts");
  assert.deepEqual(verifyChain("cursor/", [{ path: "cursor/2026-10-05.jsonl", content }]).problems, []);
});

test("a logging failure never blocks the agent unless --fail-closed; a payload that is not JSON is kept and rejected at ingest, not dropped", async (t) => {
  const ws = workspace(t);
  const blocked = path.join(ws, "not-a-folder");
  writeFileSync(blocked, "");
  const open = hook(["--agent", "cursor", "--dir", blocked], "{}");
  assert.equal(open.status, 0);
  assert.equal(open.stdout, "");
  assert.match(open.stderr, /^evidence hook: /);
  const closed = hook(["--agent", "cursor", "--dir", blocked, "--fail-closed"], "{}");
  assert.equal(closed.status, 2, "exit 2 is the block answer of the agents' hook protocols");
  assert.equal(hook(["--agent", "nope", "--dir", ws], "{}").status, 0);

  const dir = path.join(ws, "hooks");
  assert.equal(hook(["--agent", "cursor", "--dir", dir], "not json {", { EVIDENCE_HOOK_NOW: "2026-10-05T10:00:00.000Z" }).status, 0);
  const line = JSON.parse(readFileSync(path.join(dir, "cursor", "2026-10-05.jsonl"), "utf8")) as Record<string, unknown>;
  assert.equal(line.raw, "not json {");
  assert.match(String(line.hook_error), /not a JSON object/);
  const db = openStore(path.join(ws, "evidence.db"));
  t.after(() => db.close());
  const summary = await ingest(db, ws);
  assert.equal(summary.rejected, 1);
});

test("the hook path starts without tsx, yargs or the CLI: it loads nothing but Node built-ins and the hook writer", (t) => {
  const ws = workspace(t);
  // Every module the hook process resolves, recorded by a module resolution hook (node:module
  // register), so the test states what is loaded rather than timing a loaded machine.
  const dir = mkdtempSync(path.join(tmpdir(), "evidence-hook-loads-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = path.join(dir, "resolved.txt");
  writeFileSync(path.join(dir, "hooks.mjs"), `import { appendFileSync } from "node:fs";\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, r.url + "\\n");\n  return r;\n}\n`);
  writeFileSync(path.join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(path.join(dir, "hooks.mjs")).href)});\n`);
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(path.join(dir, "register.mjs")).href, BIN, "hook", "--agent", "cursor", "--dir", ws], {
    input: "{}", encoding: "utf8", env: { ...process.env, EVIDENCE_HOOK_NOW: "2026-10-05T10:00:00.000Z" },
  });
  assert.equal(r.status, 0, r.stderr);
  const loaded = readFileSync(log, "utf8").trim().split("\n");
  const own = loaded.filter((u) => !u.startsWith("node:"));
  assert.ok(own.some((u) => u.endsWith("/bin/evidence-hook.js")), own.join("\n"));
  assert.deepEqual(own.filter((u) => !/\/bin\/evidence(-hook)?\.js$/.test(u)), [], "the hook path loads no tsx, yargs, CLI or dependency module");
});


/**
 * Codex and Gemini CLI: the real CLI as their hook, with payloads in each vendor's documented shape
 * (Codex: openai/codex codex-rs/hooks/schema/generated/*.input.schema.json; Gemini CLI:
 * docs/hooks/reference.md), one of every event kind the hook is installed for plus one of a kind the
 * parser does not know and one malformed record. The logs are ingested as `kind: agent-logs`, so
 * detection picks the parser.
 */
test("the real CLI as a Codex and a Gemini CLI hook: every event kind ingested, unknown kinds kept and counted, a malformed record rejected", async (t) => {
  const ws = workspace(t);
  record(ws, "codex");
  record(ws, "gemini");
  const db = openStore(path.join(ws, "evidence.db"));
  t.after(() => db.close());
  const summary = await ingest(db, ws, `  - { name: codex, kind: agent-logs, paths: ["hooks/codex/*.jsonl"] }
  - { name: gemini, kind: agent-logs, paths: ["hooks/gemini/*.jsonl"] }`);
  assert.equal(summary.failed, 0);
  const notes = (db.prepare("SELECT notes FROM source_files WHERE source = ? ORDER BY path").pluck().all("codex") as string[]).join(" ");
  assert.match(notes, /format codex-hooks \(detected from the file\)/);
  assert.match((db.prepare("SELECT notes FROM source_files WHERE source = ? ORDER BY path").pluck().all("gemini") as string[]).join(" "), /format gemini-hooks/);

  const rejects = db.prepare("SELECT f.source, r.locator, r.reason FROM rejects r JOIN source_files f ON f.id = r.file_id ORDER BY f.source").all() as { source: string; locator: string; reason: string }[];
  assert.deepEqual(rejects.map((r) => [r.source, r.reason]), [["codex", 'PreToolUse without "tool_name"'], ["gemini", 'AfterTool without "tool_name"']]);

  const rows = (source: string) =>
    db.prepare("SELECT e.action, e.command, e.target, e.outcome, e.approval, e.approval_evidence AS evidence, e.session_id AS session, e.time, e.attrs FROM events e JOIN source_files f ON f.id = e.file_id WHERE f.source = ? ORDER BY e.time, e.action").all(source) as {
      action: string; command: string | null; target: string | null; outcome: string; approval: string; evidence: string; session: string; time: string; attrs: string;
    }[];
  const codex = rows("codex");
  const calls = codex.filter((r) => !r.action.startsWith("session:"));
  assert.deepEqual(calls.map((r) => [r.action, r.outcome, r.approval]), [
    ["Bash", "succeeded", "human"],
    ["apply_patch", "succeeded", "unknown"],
    ["Bash", "failed", "policy"],
    ["mcp__github__create_issue", "unknown", "unknown"],
  ]);
  assert.equal(calls[0]!.command, "terraform destroy -auto-approve");
  assert.equal(calls[0]!.evidence, "PermissionRequest logged and the tool then ran");
  assert.equal(calls[0]!.session, "019a2b3c-codex-sess");
  assert.equal(calls[0]!.time, "2026-10-05T09:02:00.000Z", "the hook's timestamp: Codex payloads carry none");
  assert.equal(calls[2]!.command, "git push --force origin main");
  assert.equal(calls[2]!.evidence, "permission_mode=bypassPermissions: run without asking");
  assert.equal((JSON.parse(calls[0]!.attrs) as { callId: string }).callId, "call_A1");
  assert.equal((JSON.parse(calls[0]!.attrs) as { operator: string }).operator, "maria.garcia");
  const codexSessions = codex.filter((r) => r.action.startsWith("session:"));
  assert.deepEqual(codexSessions.map((r) => r.action), ["session:SessionStart", "session:UserPromptSubmit", "session:Stop", "session:PostToolBatch"]);
  assert.equal((JSON.parse(codexSessions[3]!.attrs) as { unknownEventType?: boolean }).unknownEventType, true, "an unknown kind is kept, marked");
  assert.match(notes, /1 record of unknown event types kept as session context: PostToolBatch \(1\)/);

  const gemini = rows("gemini");
  const gcalls = gemini.filter((r) => !r.action.startsWith("session:"));
  assert.deepEqual(gcalls.map((r) => [r.action, r.outcome]), [["run_shell_command", "succeeded"], ["write_file", "failed"], ["mcp__github__merge_pull_request", "unknown"]]);
  assert.equal(gcalls[0]!.command, "kubectl delete namespace staging");
  assert.equal(gcalls[1]!.target, "/etc/hosts");
  assert.match(gcalls[2]!.command!, /"pull_number":42/);
  assert.equal(gcalls[0]!.time, "2026-10-05T08:02:59.500Z", "Gemini CLI's own timestamp is the record's time");
  assert.ok(gcalls.every((r) => r.approval === "unknown" && /carry no approval decision/.test(r.evidence)));
  assert.equal((JSON.parse(gcalls[1]!.attrs) as { error: string }).error, "EACCES: permission denied, open '/etc/hosts'");
  assert.equal((JSON.parse(gcalls[2]!.attrs) as { mcpServer: string }).mcpServer, "github");
  assert.deepEqual(gemini.filter((r) => r.action.startsWith("session:")).map((r) => r.action), [
    "session:SessionStart", "session:BeforeAgent", "session:Notification", "session:AfterAgent", "session:PreCompress", "session:SessionEnd", "session:BeforeSubagentRun",
  ]);
  for (const source of ["codex", "gemini"]) assert.deepEqual(chain(db, source)!.problems, [], source);
});

test("Copilot CLI: --event names the event its camelCase payloads leave out, and ingest reads it", async (t) => {
  const ws = workspace(t);
  const dir = path.join(ws, "hooks");
  const pre = { timestamp: 1791190800000, cwd: "/home/sam/payments", toolName: "bash", toolArgs: JSON.stringify({ command: "rm -rf build" }) };
  for (const [event, payload] of [["preToolUse", pre], ["postToolUse", { ...pre, toolResult: { resultType: "denied" } }]] as const) {
    const r = hook(["--agent", "copilot-cli", "--event", event, "--dir", dir], JSON.stringify(payload), { EVIDENCE_HOOK_NOW: "2026-10-05T10:00:00.000Z" });
    assert.deepEqual(r, { status: 0, stdout: "", stderr: "" });
  }
  const lines = readFileSync(path.join(dir, "copilot-cli", "2026-10-05.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => l.hookEventName), ["preToolUse", "postToolUse"]);
  const db = openStore(path.join(ws, "evidence.db"));
  t.after(() => db.close());
  await ingest(db, ws, `  - { name: copilot, kind: agent-logs, paths: ["hooks/copilot-cli/*.jsonl"] }`);
  const events = db.prepare("SELECT action, command, outcome, approval FROM events").all();
  assert.deepEqual(JSON.parse(JSON.stringify(events)), [{ action: "bash", command: "rm -rf build", outcome: "denied", approval: "denied" }]);
});

/**
 * --guard: the real CLI answers Claude Code's and Cursor's permission protocols from the workspace's
 * AI tool inventory, with the audit's own classifier and boundary judgement, and logs the decision.
 */
function guardWorkspace(t: TestContext): { ws: string; config: string } {
  const ws = workspace(t);
  const config = path.join(ws, "evidence.config.yaml");
  writeFileSync(config, `organisation: { name: T }\nsources: []\nenvironments:\n  production: { paths: ["/srv/prod/**"] }\nregisters:\n  aiTools: ai-tools.yaml\n`);
  writeFileSync(path.join(ws, "ai-tools.yaml"), `tools:
  - product: claude-code
    owner: platform@t.example
    environments: [production, non-production]
    permissionBoundary: { permitted: [read, write, execute, network], prohibited: [irreversible, credential-access], confirmFirst: [destructive] }
  - product: cursor
    owner: platform@t.example
    environments: [non-production]
    permissionBoundary: { permitted: [read, write, execute], prohibited: [destructive] }
`);
  return { ws, config };
}

const claudePre = (command: string, cwd = "/srv/prod/api") =>
  JSON.stringify({ session_id: "s1", transcript_path: "/home/u/.claude/projects/x/s1.jsonl", cwd, hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command }, tool_use_id: "toolu_1" });

test("--guard denies what the boundary prohibits, asks for what it gates, stays silent within it, and logs each decision", (t) => {
  const { ws, config } = guardWorkspace(t);
  const dir = path.join(ws, "hooks");
  const run = (agent: string, payload: string) => hook(["--agent", agent, "--dir", dir, "--guard", "--config", config], payload, { EVIDENCE_HOOK_NOW: "2026-10-05T10:00:00.000Z" });
  const answer = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, Record<string, string>>;

  const deny = run("claude-code", claudePre("terraform destroy -auto-approve"));
  assert.equal(deny.status, 0, deny.stderr);
  assert.equal(answer(deny).hookSpecificOutput!.permissionDecision, "deny");
  assert.match(answer(deny).hookSpecificOutput!.permissionDecisionReason!, /^evidence guard: outside the action boundary of claude-code: its class is prohibited \(irreversible\)$/);

  const ask = run("claude-code", claudePre("kubectl delete deployment api"));
  assert.equal(answer(ask).hookSpecificOutput!.permissionDecision, "ask");
  assert.match(answer(ask).hookSpecificOutput!.permissionDecisionReason!, /a person must confirm: its confirm-first class \(destructive\)/);

  const within = run("claude-code", claudePre("ls -la"));
  assert.deepEqual(within, { status: 0, stdout: "", stderr: "" }, "no answer: Claude Code's own rules decide");

  const cursor = run("cursor", JSON.stringify({ conversation_id: "c1", workspace_roots: ["/srv/prod/api"], hook_event_name: "beforeShellExecution", command: "kubectl get pods", cwd: "/srv/prod/api" }));
  assert.equal(answer(cursor).permission as unknown as string, "deny");
  assert.match(answer(cursor).user_message as unknown as string, /it acted in production, outside the tool's environments \(non-production\)/);

  const logged = readFileSync(path.join(dir, "claude-code", "2026-10-05.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { guard: Record<string, unknown> }).guard);
  assert.deepEqual(logged.map((g) => [g.decision, g.environment, g.classes]), [["deny", "production", ["destructive", "irreversible"]], ["ask", "production", ["destructive"]], [null, "production", ["read"]]]);
  assert.equal(logged[0]!.boundary, "ai-tools.yaml row 1");
  assert.equal(logged[2]!.reason, "within the action boundary");
  const cursorLine = JSON.parse(readFileSync(path.join(dir, "cursor", "2026-10-05.jsonl"), "utf8")) as { guard: { decision: string } };
  assert.equal(cursorLine.guard.decision, "deny");
});

test("ingest reads the guard's logged decision as the call's decision record: denied calls are denied, asked ones await the person", async (t) => {
  const { ws, config } = guardWorkspace(t);
  const dir = path.join(ws, "hooks");
  const run = (agent: string, payload: string, at: string) => hook(["--agent", agent, "--dir", dir, "--guard", "--config", config], payload, { EVIDENCE_HOOK_NOW: at });
  run("claude-code", claudePre("terraform destroy -auto-approve"), "2026-10-05T10:00:00.000Z");
  run("claude-code", claudePre("kubectl delete deployment api").replace("toolu_1", "toolu_2"), "2026-10-05T10:01:00.000Z");
  // The person allowed it: Claude Code ran it and the PostToolUse is logged.
  const post = { ...(JSON.parse(claudePre("kubectl delete deployment api")) as Record<string, unknown>), hook_event_name: "PostToolUse", tool_use_id: "toolu_2", tool_response: { stdout: "deleted" } };
  run("claude-code", JSON.stringify(post), "2026-10-05T10:01:30.000Z");
  run("cursor", JSON.stringify({ conversation_id: "c1", workspace_roots: ["/srv/prod/api"], hook_event_name: "beforeShellExecution", command: "kubectl get pods", cwd: "/srv/prod/api" }), "2026-10-05T10:02:00.000Z");
  const db = openStore(path.join(ws, "evidence.db"));
  t.after(() => db.close());
  await ingest(db, ws, `  - { name: claude-code, kind: claude-code-hooks, paths: ["hooks/claude-code/*.jsonl"] }
  - { name: cursor, kind: cursor-hooks, paths: ["hooks/cursor/*.jsonl"] }`);
  const events = db.prepare("SELECT agent_product AS product, command, outcome, approval, approval_evidence AS evidence FROM events WHERE action NOT LIKE 'session:%' ORDER BY time").all() as Record<string, string>[];
  assert.deepEqual(events.map((e) => [e.product, e.command, e.outcome, e.approval]), [
    ["claude-code", "terraform destroy -auto-approve", "denied", "denied"],
    ["claude-code", "kubectl delete deployment api", "succeeded", "human"],
    ["cursor", "kubectl get pods", "unknown", "denied"],
  ]);
  assert.match(events[0]!.evidence!, /^evidence hook --guard denied it at line 1: outside the action boundary of claude-code/);
  assert.match(events[1]!.evidence!, /^evidence hook --guard sent it to the person at line 2 and the tool then ran$/);
  assert.equal(events[2]!.evidence, "the gating hook logged permission=deny");
});

test("--guard that cannot read its config logs why and lets the agent decide, unless --fail-closed; agents without a guard protocol are only logged", (t) => {
  const { ws } = guardWorkspace(t);
  const dir = path.join(ws, "hooks");
  const missing = path.join(ws, "nope.yaml");
  const open = hook(["--agent", "claude-code", "--dir", dir, "--guard", "--config", missing], claudePre("terraform destroy"), { EVIDENCE_HOOK_NOW: "2026-10-05T10:00:00.000Z" });
  assert.equal(open.status, 0);
  assert.equal(open.stdout, "");
  assert.match(open.stderr, /guard failed: .*nope\.yaml: config file not found/);
  const closed = hook(["--agent", "claude-code", "--dir", dir, "--guard", "--config", missing, "--fail-closed"], claudePre("terraform destroy"), { EVIDENCE_HOOK_NOW: "2026-10-05T10:00:00.000Z" });
  assert.equal(closed.status, 2);
  const lines = readFileSync(path.join(dir, "claude-code", "2026-10-05.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { guard: { decision: null; error: string } });
  assert.equal(lines.length, 2, "the payload is logged even when the guard fails");
  assert.match(lines[0]!.guard.error, /^guard failed: /);
  const { config } = guardWorkspace(t);
  const kiro = hook(["--agent", "kiro", "--dir", dir, "--guard", "--config", config], JSON.stringify({ hook_event_name: "preToolUse", cwd: "/srv/prod", tool_name: "execute_bash", tool_input: { command: "rm -rf /srv/prod" } }), { EVIDENCE_HOOK_NOW: "2026-10-05T10:00:00.000Z" });
  assert.deepEqual(kiro, { status: 0, stdout: "", stderr: "" });
  const kiroLine = JSON.parse(readFileSync(path.join(dir, "kiro", "2026-10-05.jsonl"), "utf8")) as { guard: { decision: null; reason: string } };
  assert.match(kiroLine.guard.reason, /^no decision: --guard answers the permission protocol of claude-code and cursor, not kiro$/);
});
