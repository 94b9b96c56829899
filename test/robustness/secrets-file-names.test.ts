import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { runCli, tempDir } from "../helpers/workspace.ts";

/**
 * A secret in an input file's name: the store keys the file by its redacted path, so the name never
 * reaches the store or a report, and a second ingest still recognises the file (unchanged, not
 * removed and read again), because redaction gives the same placeholder for the same secret.
 */
test("a file named by a secret is stored under its redacted path and found again on the next ingest", (t) => {
  const ws = tempDir("evidence-secret-names-");
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const token = `ghp_${"Zq7".repeat(12)}`;
  const line = { session_id: "s-1", cwd: "/srv/app", timestamp: "2026-10-14T09:00:00.000Z", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "npm test" }, tool_use_id: "toolu_1" };
  mkdirSync(path.join(ws, "logs"));
  writeFileSync(path.join(ws, "logs", `export-for ${token}.jsonl`), JSON.stringify(line) + "\n");
  writeFileSync(path.join(ws, "evidence.config.yaml"), `organisation: { name: Names Co }\nsources:\n  - { name: hooks, kind: claude-code-hooks, paths: ["logs/*.jsonl"] }\n`);
  const ingest = () => {
    const r = runCli(["ingest", "--config", path.join(ws, "evidence.config.yaml"), "--json"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token), "the summary shows the redacted name");
    return JSON.parse(r.stdout) as { files: { path: string; status: string }[] };
  };
  const first = ingest();
  assert.deepEqual(first.files.map((f) => f.status), ["ingested"]);
  assert.match(first.files[0]!.path, /^logs\/export-for \[REDACTED:github-token:[0-9a-f]{8}\]\.jsonl$/);
  const second = ingest();
  assert.deepEqual(second.files, [{ ...second.files[0], path: first.files[0]!.path, status: "unchanged" }]);
  const db = new Database(path.join(ws, ".evidence", "evidence.db"), { readonly: true });
  assert.deepEqual(db.prepare("SELECT path FROM source_files").pluck().all(), [first.files[0]!.path]);
  assert.equal(db.prepare("SELECT count(*) FROM events").pluck().get(), 1);
  db.close();
  assert.ok(!readFileSync(path.join(ws, ".evidence", "evidence.db")).includes(token));
});
