/**
 * The whole-month benchmark workspace (bench/index.ts): one CloudTrail trail, Cursor hook logs and a
 * git repository, all dated October 2026, built from the per-stage generators so every stage and the
 * month build read the same shapes. Inputs are generated once per size into the OS temp folder and
 * reused (generating takes longer than ingesting); the workspace links to them, so a fresh store
 * and package cost nothing to set up.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { writeHookLog } from "./agent-logs.ts";
import { ensureTrailFixture } from "./cloudtrail-fixture.ts";
import { buildRepository } from "./git.ts";

export interface WorkspaceSizes {
  cloudtrailEvents: number;
  /** Hook log lines (a pre and a post line per action). */
  agentEvents: number;
  commits: number;
}

const VERSION = "1";
const OCTOBER = Date.UTC(2026, 9, 1) / 1000;
const MONTH_S = 31 * 86_400;
/** Hook logs come one file per conversation group, as collectors write them per developer and day. */
const AGENT_FILES = 64;

/** Cached: the hook log split by conversation into AGENT_FILES files (a call's pre and post lines stay together). */
async function agentFixture(base: string, lines: number): Promise<string> {
  const dir = path.join(base, `evidence-bench-agent-logs-v${VERSION}-${lines}`);
  if (existsSync(path.join(dir, "done"))) return dir;
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  const whole = path.join(temp, "all.jsonl");
  await writeHookLog(whole, lines);
  const outs = Array.from({ length: AGENT_FILES }, (_, i) => createWriteStream(path.join(temp, `hooks-${String(i).padStart(2, "0")}.jsonl`)));
  for await (const line of createInterface({ input: createReadStream(whole), crlfDelay: Infinity })) {
    const conversation = /"conversation_id":"c-([0-9a-f]+)"/.exec(line)?.[1] ?? "0";
    const out = outs[parseInt(conversation, 16) % AGENT_FILES]!;
    if (!out.write(line + "\n")) await once(out, "drain");
  }
  await Promise.all(outs.map((o) => new Promise((resolve) => o.end(resolve))));
  rmSync(whole);
  writeFileSync(path.join(temp, "done"), "");
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  return dir;
}

function gitFixture(base: string, commits: number): string {
  const dir = path.join(base, `evidence-bench-git-v${VERSION}-${commits}`);
  if (existsSync(path.join(dir, "done"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  // Spread over October, so the month's change-management rules judge every production change.
  buildRepository(path.join(dir, "repo"), commits, OCTOBER, Math.max(1, Math.floor(MONTH_S / commits)));
  writeFileSync(path.join(dir, "done"), "");
  return dir;
}

/** Creates the workspace in `dir` (linked to the cached inputs) and returns its config path. */
export async function createMonthWorkspace(dir: string, base: string, sizes: WorkspaceSizes): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const trail = ensureTrailFixture(base, sizes.cloudtrailEvents).dir;
  const logs = await agentFixture(base, sizes.agentEvents);
  const git = gitFixture(base, sizes.commits);
  symlinkSync(trail, path.join(dir, "cloudtrail"));
  symlinkSync(logs, path.join(dir, "logs"));
  symlinkSync(path.join(git, "repo"), path.join(dir, "repo"));
  const config = path.join(dir, "evidence.config.yaml");
  writeFileSync(
    config,
    [
      "organisation: { name: Bench Org }",
      "sources:",
      '  - { name: trail, kind: cloudtrail, paths: ["cloudtrail/AWSLogs/**/*.json.gz"], allowOutsidePaths: true }',
      '  - { name: cursor, kind: cursor-hooks, paths: ["logs/*.jsonl"], allowOutsidePaths: true }',
      "  - { name: repo, kind: git, repository: repo, productionBranch: main, allowOutsidePaths: true }",
      "agents:",
      '  - { id: kiro-operator, product: kiro, match: { awsRoles: ["*:role/ai-agent-operator"] } }',
      "  - { id: cursor, product: cursor, match: { logProducts: [cursor], gitEmails: [cursoragent@cursor.com] } }",
      "  - { id: claude-code, product: claude-code, match: { gitEmails: [noreply@anthropic.com] } }",
      "environments:",
      '  production: { awsAccounts: ["111122223333"], branches: [main], paths: ["/srv/prod/**"], resourcePatterns: ["prod-*"] }',
    ].join("\n") + "\n",
  );
  return config;
}
