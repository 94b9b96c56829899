import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { loadConfig } from "../../src/config.ts";
import { workerRunner } from "../../src/ingest/pool.ts";
import { SAMPLE, tempDir } from "../helpers/workspace.ts";

const TRAIL = "cloudtrail/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/14/111122223333_CloudTrail_eu-west-1_20261014T1005Z_aa419fa23471070b.json.gz";
const task = { source: "cloudtrail", kind: "cloudtrail" as const, root: SAMPLE, file: path.join(SAMPLE, TRAIL), reuseSha: null };

test("a worker parses a file into hashed, items and done messages; an unchanged file is not parsed", async () => {
  const runner = workerRunner(loadConfig(path.join(SAMPLE, "evidence.config.yaml")).config, 1);
  try {
    const types: string[] = [];
    let sha = "";
    for await (const m of runner.run(task)) {
      types.push(m.type);
      if (m.type === "hashed") sha = m.sha256;
    }
    assert.equal(types[0], "hashed");
    assert.equal(types.at(-1), "done");
    assert.ok(types.includes("items"));
    const again: string[] = [];
    for await (const m of runner.run({ ...task, reuseSha: sha })) again.push(m.type);
    assert.deepEqual(again, ["hashed", "unchanged"]);
  } finally {
    await runner.close();
  }
});

test("workers that cannot start fail the tasks given to them instead of leaving the writer waiting", async () => {
  const config = loadConfig(path.join(SAMPLE, "evidence.config.yaml")).config;
  // An invalid secret pattern: the config schema refuses it, so only a hand-made config reaches a worker with it.
  const broken = { ...config, redaction: { patterns: [{ id: "bad", description: "", regex: "(" }] } };
  const runner = workerRunner(broken, 2);
  try {
    const drain = async () => {
      for await (const _ of runner.run(task)) void _;
    };
    // Each worker reports why it stopped with the task it held; once none is left, tasks fail at once.
    await assert.rejects(drain, /regular expression|worker/i);
    await assert.rejects(drain, /regular expression|worker/i);
    await assert.rejects(drain, /every parsing worker has stopped/);
  } finally {
    await runner.close();
  }
});

test("files handed to workers ahead of a slow writer all arrive whole and in order (every ack reaches its worker)", { timeout: 60_000 }, async () => {
  const { writeHookLog } = await import("../../bench/agent-logs.ts");
  const { MAX_UNACKED, TASKS_PER_WORKER } = await import("../../src/ingest/pool.ts");
  const dir = tempDir();
  // 2,000 hook events make 1,000 actions: one batch per file, as a CloudTrail delivery file is.
  const file = path.join(dir, "hooks.jsonl");
  await writeHookLog(file, 2_000);
  const runner = workerRunner(loadConfig(path.join(SAMPLE, "evidence.config.yaml")).config, 2);
  try {
    // More files per worker than MAX_UNACKED: a worker whose acks went missing would stop for good.
    const files = 2 * (MAX_UNACKED + TASKS_PER_WORKER + 2);
    const runs = Array.from({ length: files }, () => runner.run({ source: "cursor", kind: "cursor-hooks", root: dir, file, reuseSha: null }));
    // The writer is behind its workers (the usual case: writing is the slow part), so it takes each
    // file's batch after the worker has finished that file.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const run of runs) {
      let items = 0;
      for await (const m of run) if (m.type === "items") items += m.items.length;
      assert.equal(items, 1_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await runner.close();
  }
});
