import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { createProgress } from "../../src/progress.ts";
import { openStore, type Db } from "../../src/store/index.ts";
import { tempDir } from "../helpers/workspace.ts";

/**
 * One Claude Code tool call reported by hooks, OTel and the transcript is one action, whatever the
 * ingest order, and re-reading or deleting one file replaces exactly its contribution.
 */
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "claude-code");
const SESSION = "5b0c1d2e-0000-4000-a000-000000000001";
const base = { session_id: SESSION, cwd: "/srv/prod/api", permission_mode: "default", transcript_path: `/home/dev/.claude/projects/-srv-prod-api/${SESSION}.jsonl` };
const rmA = { command: "rm -rf /srv/prod/api/tmp" };
const push = { command: "git push --force origin main" };

function hookLines(withPrompt: boolean): string {
  const lines = [
    { ...base, timestamp: "2026-10-14T17:46:40.900Z", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: rmA, tool_use_id: "toolu_A" },
    ...(withPrompt ? [{ ...base, timestamp: "2026-10-14T17:46:40.950Z", hook_event_name: "PermissionRequest", tool_name: "Bash", tool_input: rmA, permission_suggestions: [] }] : []),
    { ...base, timestamp: "2026-10-14T17:46:43.100Z", hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: rmA, tool_use_id: "toolu_A", tool_response: {} },
    // Rejected at the prompt: the hook log only sees PreToolUse.
    { ...base, timestamp: "2026-10-14T17:46:44.100Z", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: push, tool_use_id: "toolu_B" },
  ];
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
}

function workspace(order: string[]): string {
  const dir = tempDir("evidence-join-");
  mkdirSync(path.join(dir, "logs", "hooks"), { recursive: true });
  mkdirSync(path.join(dir, "logs", "otel"), { recursive: true });
  mkdirSync(path.join(dir, "logs", "transcripts"), { recursive: true });
  writeFileSync(path.join(dir, "logs", "hooks", "dev.jsonl"), hookLines(true));
  copyFileSync(path.join(FIXTURES, "otel-collector.jsonl"), path.join(dir, "logs", "otel", "export.jsonl"));
  copyFileSync(path.join(FIXTURES, "transcript.jsonl"), path.join(dir, "logs", "transcripts", `${SESSION}.jsonl`));
  const sources = order.map((o) => `  - { name: ${o}, kind: agent-logs, paths: ["logs/${o}/*"] }`).join("\n");
  writeFileSync(
    path.join(dir, "evidence.config.yaml"),
    `organisation: { name: Test }\nsources:\n${sources}\nagents:\n  - { id: claude, product: claude-code }\nenvironments:\n  production: { paths: ["/srv/prod/**"] }\n`,
  );
  return dir;
}

async function ingest(dir: string, db: Db) {
  return ingestSources(db, loadConfig(path.join(dir, "evidence.config.yaml")), {
    cacheDir: path.join(dir, ".cache"), now: new Date("2026-11-01T00:00:00Z"), progress: createProgress({ quiet: true }),
  });
}

interface Row { event_key: string; approval: string; outcome: string; time: string; classes: string; locator: string; attrs: string; path: string }
function actions(db: Db): Map<string, Row> {
  const rows = db
    .prepare("SELECT e.*, f.path FROM agent_actions e JOIN source_files f ON f.id = e.file_id WHERE e.agent_product = 'claude-code' ORDER BY e.event_key")
    .all() as Row[];
  return new Map(rows.map((r) => [r.event_key.replace("claude-code:tool:", ""), r]));
}
const observedIn = (r: Row) => (JSON.parse(r.attrs).observedIn as { file: string }[] | undefined)?.map((o) => o.file).sort() ?? [];

test("hooks, OTel and transcript records of one call end as one action with the decision record's approval", async () => {
  const dir = workspace(["hooks", "otel", "transcripts"]);
  const db = openStore(path.join(dir, ".evidence", "evidence.db"));
  const summary = await ingest(dir, db);
  assert.equal(summary.failed, 0);
  const rows = actions(db);
  const keys = db.prepare("SELECT count(*) AS n, count(DISTINCT event_key) AS d FROM events").get() as { n: number; d: number };
  assert.equal(keys.n, keys.d);

  const a = rows.get("toolu_A")!;
  assert.equal(a.approval, "human");
  assert.equal(a.outcome, "succeeded");
  assert.equal(a.path, "logs/otel/export.jsonl", "filed under the decision record");
  assert.deepEqual(observedIn(a), ["logs/hooks/dev.jsonl", "logs/otel/export.jsonl", `logs/transcripts/${SESSION}.jsonl`]);
  assert.equal(a.time, "2026-10-14T17:46:40.500Z", "earliest time (the transcript's tool_use)");
  assert.match(a.locator, /logs\/hooks\/dev\.jsonl: lines 1, 3/);
  assert.match(a.locator, /logs\/transcripts\/.*: lines 3, 4/);

  // Rejected: hooks saw only PreToolUse (policy, outcome unknown); OTel and transcript recorded the refusal.
  const b = rows.get("toolu_B")!;
  assert.deepEqual([b.approval, b.outcome], ["denied", "denied"]);
  assert.equal(observedIn(b).length, 3);

  // Out of order and duplicated inside the OTel file: still one action.
  const c = rows.get("toolu_C")!;
  assert.deepEqual([c.approval, c.outcome], ["policy", "failed"]);
});

test("the merged actions do not depend on ingest order", async () => {
  const snapshot = async (order: string[]) => {
    const dir = workspace(order);
    const db = openStore(path.join(dir, ".evidence", "evidence.db"));
    await ingest(dir, db);
    return [...actions(db)].map(([k, r]) => [k, r.approval, r.outcome, r.time, r.classes, r.path.split("/")[1], r.locator]);
  };
  assert.deepEqual(await snapshot(["transcripts", "otel", "hooks"]), await snapshot(["hooks", "otel", "transcripts"]));
});

test("deleting or changing one file recomputes the joined actions from the files that remain", async () => {
  const dir = workspace(["hooks", "otel", "transcripts"]);
  const db = openStore(path.join(dir, ".evidence", "evidence.db"));
  await ingest(dir, db);
  const otel = path.join(dir, "logs", "otel", "export.jsonl");

  rmSync(otel);
  await ingest(dir, db);
  let rows = actions(db);
  assert.equal(rows.get("toolu_A")!.approval, "human", "the hook log's answered prompt remains");
  assert.equal(rows.get("toolu_A")!.path, "logs/hooks/dev.jsonl");
  assert.deepEqual(observedIn(rows.get("toolu_A")!), ["logs/hooks/dev.jsonl", `logs/transcripts/${SESSION}.jsonl`]);
  assert.equal(rows.get("toolu_B")!.approval, "denied", "the transcript's rejection remains");
  assert.equal(rows.has("toolu_C"), false, "reported only by the deleted file");
  assert.equal((db.prepare("SELECT count(*) AS n FROM observations o WHERE NOT EXISTS (SELECT 1 FROM source_files f WHERE f.id = o.file_id)").get() as { n: number }).n, 0);

  // The hook log changes: without the prompt, the hooks infer policy and the transcript knows nothing.
  writeFileSync(path.join(dir, "logs", "hooks", "dev.jsonl"), hookLines(false));
  await ingest(dir, db);
  rows = actions(db);
  assert.equal(rows.get("toolu_A")!.approval, "policy");

  // The OTel export comes back: its decision record wins again.
  copyFileSync(path.join(FIXTURES, "otel-collector.jsonl"), otel);
  await ingest(dir, db);
  rows = actions(db);
  assert.equal(rows.get("toolu_A")!.approval, "human");
  assert.match(rows.get("toolu_A")!.locator, /^line 1 log record 2; line 2 log record 1/);
  assert.equal(rows.has("toolu_C"), true);
});
