/**
 * The CloudTrail parsing worker's work, measured apart from threads and SQLite: each delivery file
 * of the bench's trail goes through runFileTask (hash, gunzip, JSON.parse, events or counts,
 * redaction, the stored rows a worker posts to the writer) on this one thread, `rounds` times; the
 * warm rounds (all but the first) are reported in CPU and wall microseconds per call. On this
 * shared 2-core machine a whole ingest moves by 20% from run to run; this moves by a few percent,
 * so it is the one to judge a change to the worker's hot path with (alternating runs, old and new).
 *
 * Run: node --import tsx bench/cloudtrail-pipeline.ts [events] [rounds]   (default 200,000 and 3)
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../src/config.ts";
import { createTaskEnv, runFileTask } from "../src/ingest/file-task.ts";
import { FILE_PARSERS } from "../src/ingest/registry.ts";
import { ensureTrailFixture } from "./cloudtrail-fixture.ts";

export interface CloudTrailPipelineResult {
  events: number;
  files: number;
  /** CPU microseconds per call, warm rounds. */
  cpuUs: number[];
  /** Wall microseconds per call, warm rounds. */
  wallUs: number[];
  /** Items handed to the writer per round (rows, counts, notes): the same for the same code and data. */
  items: number;
}

export async function run(size = 200_000, rounds = 3): Promise<CloudTrailPipelineResult> {
  const { dir, files } = ensureTrailFixture(tmpdir(), size);
  const config = path.join(dir, "evidence.pipeline.config.yaml");
  // The ingest bench's config (bench/cloudtrail.ts), so both measure the same work.
  writeFileSync(config, 'organisation: { name: Bench }\nsources:\n  - { name: trail, kind: cloudtrail, paths: ["AWSLogs/**/*.json.gz"] }\nagents:\n  - { id: agent, product: kiro, match: { awsRoles: ["*:role/ai-agent-operator"] } }\nenvironments: { production: { awsAccounts: ["111122223333"] } }\n');
  const env = createTaskEnv(loadConfig(config).config, FILE_PARSERS);
  const cpuUs: number[] = [];
  const wallUs: number[] = [];
  let items = 0;
  for (let round = 0; round < rounds; round++) {
    items = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const rel of files) {
      for await (const m of runFileTask({ source: "trail", kind: "cloudtrail", root: dir, file: path.join(dir, rel), reuseSha: null }, env)) {
        if (m.type === "items") items += m.items.length;
      }
    }
    const used = process.cpuUsage(cpu);
    if (round === 0) continue;
    cpuUs.push((used.user + used.system) / size);
    wallUs.push(((performance.now() - started) * 1000) / size);
  }
  return { events: size, files: files.length, cpuUs, wallUs, items };
}

export function report(r: CloudTrailPipelineResult): string {
  const us = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
  return `CloudTrail worker pipeline: ${r.events.toLocaleString("en-US")} calls in ${r.files} files, one thread, warm rounds: CPU ${us(r.cpuUs)} us/call, wall ${us(r.wallUs)} us/call; ${r.items} items to the writer`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(report(await run(Number(process.argv[2] ?? 200_000), Number(process.argv[3] ?? 3))));
}
