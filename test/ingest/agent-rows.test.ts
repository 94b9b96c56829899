import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { writeHookLog } from "../../bench/agent-logs.ts";
import { loadConfig } from "../../src/config.ts";
import { createTaskEnv, type FileSourceKind } from "../../src/ingest/file-task.ts";
import { findSourceFiles, parserInput } from "../../src/ingest/files.ts";
import { ingestSources, type IngestOptions } from "../../src/ingest/index.ts";
import { workerRunner } from "../../src/ingest/pool.ts";
import { FILE_PARSERS } from "../../src/ingest/registry.ts";
import { EVENT_FIELDS } from "../../src/store/event-row.ts";
import { openStore } from "../../src/store/index.ts";
import { storeDigest, type StoreDigest } from "../helpers/store-digest.ts";
import { SAMPLE, tempDir } from "../helpers/workspace.ts";

/**
 * A parsing worker hands agent-log rows to the writer built but not redacted, and the writer
 * redacts them (src/ingest/file-task.ts, writerRows); parsing on the main thread (workers: 0)
 * still redacts in storeItems. Both must leave the same store, and nothing unredacted may reach it.
 */
const quiet = { info() {}, update() {}, done() {} } as unknown as IngestOptions["progress"];
const AGENT_SOURCES = ["claude-code", "claude-code-chained", "claude-code-telemetry", "codex", "cursor"];
const TOKEN = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";
const AWS_ID = "AKIAQ3EGUDXZ4EXAMPL7";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEK3";

/** A Cursor hook log in the bench's shape, plus calls whose command, output or attrs hold secrets. */
async function benchWorkspace(): Promise<string> {
  const dir = tempDir("evidence-agent-rows-");
  mkdirSync(path.join(dir, "logs"));
  const file = path.join(dir, "logs", "hooks.jsonl");
  await writeHookLog(file, 3_000);
  const common = `"conversation_id":"c-s","model":"claude-4.5-sonnet","cursor_version":"2.1.4","workspace_roots":["/srv/prod/api"],"user_email":"ops@acme.example"`;
  const lines = [
    { hook_event_name: "beforeShellExecution", command: `curl -H "Authorization: token ${TOKEN}" https://api.github.com/user`, cwd: "/srv/prod/api" },
    { hook_event_name: "afterShellExecution", command: `curl -H "Authorization: token ${TOKEN}" https://api.github.com/user`, output: `pushed with ${TOKEN}` },
    { hook_event_name: "beforeShellExecution", command: `AWS_ACCESS_KEY_ID=${AWS_ID} AWS_SECRET_ACCESS_KEY=${AWS_SECRET} aws s3 ls`, cwd: "/srv/prod/api" },
    { hook_event_name: "afterShellExecution", command: `AWS_ACCESS_KEY_ID=${AWS_ID} AWS_SECRET_ACCESS_KEY=${AWS_SECRET} aws s3 ls`, output: "ok" },
    { hook_event_name: "preToolUse", tool_name: "Write", tool_use_id: "tu_secret", tool_input: { file_path: "/srv/prod/api/.env", content: "DB_PASSWORD=hunter2-Zx81" } },
    { hook_event_name: "postToolUse", tool_name: "Write", tool_use_id: "tu_secret", tool_input: { file_path: "/srv/prod/api/.env", env: { DB_PASSWORD: "hunter2-Zx81" } }, tool_output: "{}" },
  ];
  appendFileSync(file, lines.map((l, i) => `{"timestamp":"2026-10-20T10:00:0${i}.000Z",${common},${JSON.stringify(l).slice(1)}\n`).join(""));
  writeFileSync(
    path.join(dir, "evidence.config.yaml"),
    [
      "organisation: { name: Bench }",
      "sources:",
      '  - { name: cursor, kind: cursor-hooks, paths: ["logs/*.jsonl"] }',
      "agents:",
      "  - { id: cursor, product: cursor, match: { logProducts: [cursor] } }",
      "environments:",
      '  production: { paths: ["/srv/prod/**"], resourcePatterns: ["prod-*"] }',
    ].join("\n") + "\n",
  );
  return dir;
}

async function ingestWith(workers: number, configFile: string, only?: string[]): Promise<{ digest: StoreDigest; stored: string; redacted: number }> {
  const work = tempDir("evidence-agent-rows-store-");
  const db = openStore(path.join(work, "evidence.db"));
  try {
    const summary = await ingestSources(db, loadConfig(configFile), {
      cacheDir: path.join(work, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: quiet, workers, poolMinBytes: 0, ...(only ? { only } : {}),
    });
    const stored = JSON.stringify(db.prepare("SELECT * FROM events ORDER BY id").all());
    return { digest: storeDigest(db), stored, redacted: summary.redacted };
  } finally {
    db.close();
    rmSync(work, { recursive: true, force: true });
  }
}

test("agent-log rows redacted on the writer leave the same store as rows redacted while parsing: the sample's agent logs", async () => {
  const config = path.join(SAMPLE, "evidence.config.yaml");
  const inline = await ingestWith(0, config, AGENT_SOURCES);
  const pooled = await ingestWith(1, config, AGENT_SOURCES);
  assert.ok(inline.digest.events!.rows > 100, `${inline.digest.events!.rows} events`);
  assert.deepEqual(pooled.digest, inline.digest);
  assert.equal(pooled.redacted, inline.redacted);
});

test("agent-log rows redacted on the writer leave the same store as rows redacted while parsing: the bench's hook log with secrets", async () => {
  const dir = await benchWorkspace();
  const config = path.join(dir, "evidence.config.yaml");
  const inline = await ingestWith(0, config);
  const pooled = await ingestWith(1, config);
  assert.equal(inline.digest.events!.rows, 1_503);
  assert.deepEqual(pooled.digest, inline.digest);
  assert.equal(pooled.redacted, inline.redacted);
  for (const secret of [TOKEN, AWS_SECRET, "hunter2-Zx81"]) assert.ok(!pooled.stored.includes(secret), `${secret} reached the store`);
  assert.match(pooled.stored, /\[REDACTED:/);
});

test("a parsing worker posts agent-log rows unredacted, for the writer to redact", async () => {
  const dir = await benchWorkspace();
  const runner = workerRunner(loadConfig(path.join(dir, "evidence.config.yaml")).config, 1);
  try {
    const kinds = new Map<string, number>();
    let withToken = 0;
    for await (const m of runner.run({ source: "cursor", kind: "cursor-hooks", root: dir, file: path.join(dir, "logs", "hooks.jsonl"), reuseSha: null })) {
      if (m.type === "done") assert.equal(m.redacted, 0, "the worker redacted nothing itself");
      if (m.type !== "items") continue;
      for (const item of m.items) {
        kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + 1);
        if (JSON.stringify(item).includes(TOKEN)) withToken++;
      }
    }
    assert.deepEqual([...kinds], [["unredacted-row", 1_503]]);
    assert.equal(withToken, 1);
  } finally {
    await runner.close();
  }
});

test("every agent parser builds its events with the fields in EVENT_FIELDS order, as the writer rebuilds them", async () => {
  const { config } = loadConfig(path.join(SAMPLE, "evidence.config.yaml"));
  const env = createTaskEnv(config, FILE_PARSERS);
  let events = 0;
  for (const source of config.sources.filter((s) => AGENT_SOURCES.includes(s.name))) {
    for (const file of await findSourceFiles(SAMPLE, source.paths)) {
      for await (const item of env.parser(source.kind as FileSourceKind).parse(parserInput(SAMPLE, file))) {
        if (item.kind !== "event") continue;
        events++;
        assert.deepEqual(Object.keys(item.event), [...EVENT_FIELDS], `${file} ${item.event.locator}`);
      }
    }
  }
  assert.ok(events > 100, `${events} events`);
});
