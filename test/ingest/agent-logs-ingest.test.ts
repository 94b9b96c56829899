import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../../src/config.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { openStore } from "../../src/store/index.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

const FIXTURES = path.join(REPO_ROOT, "test/fixtures");
const QUIET = { info() {}, update() {}, done() {} };

/** A workspace whose one agent-logs source holds a file of every part-B format, plus a truncated gzip. */
function workspace(): string {
  const dir = tempDir("evidence-agent-logs-");
  const files = [
    "codex-rollout/bypass-session.jsonl", "codex-otel/decisions.jsonl", "cursor-hooks/session.jsonl", "copilot-cli-hooks/snake-case.jsonl",
    "github-audit-log/export.csv", "gemini-cli/outfile.json", "kiro-hooks/session.jsonl", "windsurf-hooks/session.jsonl",
    "otlp-genai/mixed.jsonl", "generic-agent-log/run.jsonl",
  ];
  for (const f of files) {
    mkdirSync(path.join(dir, "logs", path.dirname(f)), { recursive: true });
    cpSync(path.join(FIXTURES, f), path.join(dir, "logs", f));
  }
  const gz = gzipSync(readFileSync(path.join(FIXTURES, "cursor-hooks/session.jsonl")));
  writeFileSync(path.join(dir, "logs", "cursor-hooks", "cut.jsonl.gz"), gz.subarray(0, Math.floor(gz.length * 0.6)));
  writeFileSync(path.join(dir, "logs", "mystery.jsonl"), '{"hello":"world"}\n');
  writeFileSync(
    path.join(dir, "evidence.config.yaml"),
    [
      "organisation: { name: Test Co }",
      "sources:",
      '  - { name: agents, kind: agent-logs, paths: ["logs/**/*.jsonl", "logs/**/*.json", "logs/**/*.csv", "logs/**/*.jsonl.gz"] }',
      "environments:",
      '  production: { paths: ["/srv/prod/**"], resourcePatterns: ["prod-*"] }',
    ].join("\n") + "\n",
  );
  return dir;
}

test("agent-logs ingests every format through the real path: detection per file, actions per product, rejects with file and line", async () => {
  const dir = workspace();
  const db = openStore(path.join(dir, ".evidence", "evidence.db"));
  try {
    const summary = await ingestSources(db, loadConfig(path.join(dir, "evidence.config.yaml")), { cacheDir: path.join(dir, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: QUIET });
    assert.equal(summary.failed, 0);
    const products = db.prepare("SELECT agent_product AS p, count(*) AS n FROM agent_actions GROUP BY 1 ORDER BY 1").all() as { p: string; n: number }[];
    assert.deepEqual(products.map((r) => r.p), ["acme-deploy-bot", "codex", "copilot-cli", "cursor", "deployer", "gemini-cli", "github-copilot", "kiro", "windsurf"]);
    const detected = summary.files.flatMap((f) => f.notes).filter((n) => /format .* \(detected/.test(n));
    assert.equal(detected.length, 11, detected.join("\n"));
    // Rejects are stored with their file and line; the unrecognised file is one reject; the cut gzip ends in one.
    const rejects = db.prepare("SELECT f.path, r.locator, r.reason FROM rejects r JOIN source_files f ON f.id = r.file_id ORDER BY 1, 2").all() as { path: string; locator: string; reason: string }[];
    assert.ok(rejects.some((r) => r.path === "logs/mystery.jsonl" && /not recognised/.test(r.reason)));
    assert.ok(rejects.some((r) => r.path === "logs/cursor-hooks/cut.jsonl.gz" && /^line \d+$/.test(r.locator)), JSON.stringify(rejects.filter((r) => r.path.endsWith(".gz"))));
    assert.ok(rejects.some((r) => r.path === "logs/generic-agent-log/run.jsonl" && r.locator === "line 6"));
    assert.equal(summary.rejected, rejects.length);
    // The Codex call seen in the rollout and the OTel export would share a key: one row per call.
    const dup = db.prepare("SELECT count(*) AS n FROM (SELECT event_key FROM events GROUP BY event_key HAVING count(*) > 1)").get() as { n: number };
    assert.equal(dup.n, 0);
  } finally {
    db.close();
  }
});
