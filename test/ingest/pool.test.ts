import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { loadConfig } from "../../src/config.ts";
import { workerRunner } from "../../src/ingest/pool.ts";
import { SAMPLE } from "../helpers/workspace.ts";

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
