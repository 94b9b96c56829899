/**
 * The parsing work on an agent log, measured apart from threads, disk and SQLite: the bench's hook
 * log is held in memory (in 64 KiB chunks, as a file stream hands it over) and run through the
 * parser alone (the baseline), then through the parser and storeItems (stored rows, redacted: the
 * work a parsing worker and the writer share for agent logs, here on one thread). Each is run
 * `rounds` times in this process and the warm rounds (all but the first) are reported, so a change
 * to the hot path can be judged on microseconds per event that move by a few percent between
 * runs, where the whole ingest on this 2-core machine moves by 20%.
 *
 * Run: node --import tsx bench/agent-pipeline.ts [events] [rounds]   (default 300,000 and 3)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { parseConfigText } from "../src/config.ts";
import { createTaskEnv, storeItems } from "../src/ingest/file-task.ts";
import type { ParserInput } from "../src/ingest/parser.ts";
import { FILE_PARSERS } from "../src/ingest/registry.ts";
import { writeHookLog } from "./agent-logs.ts";

export interface PipelineBenchResult {
  events: number;
  /** Parser only, microseconds per event, warm rounds. */
  parseUs: number[];
  /** Parser and storeItems (rows built and redacted), microseconds per event, warm rounds. */
  rowsUs: number[];
  /** Best rows round over best parse round. */
  ratio: number;
  /** The same rounds in CPU microseconds per event (process.cpuUsage): steadier than wall time on a loaded machine. */
  parseCpuUs: number[];
  rowsCpuUs: number[];
}

const CONFIG = {
  organisation: { name: "Bench" },
  sources: [{ name: "cursor", kind: "cursor-hooks", paths: ["hooks.jsonl"] }],
  agents: [{ id: "cursor", product: "cursor", match: { logProducts: ["cursor"] } }],
  environments: { production: { paths: ["/srv/prod/**"], resourcePatterns: ["prod-*"] } },
};

export async function run(size = 300_000, rounds = 3): Promise<PipelineBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "evidence-bench-pipeline-"));
  try {
    const file = path.join(dir, "hooks.jsonl");
    await writeHookLog(file, size);
    const bytes = readFileSync(file);
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 65536) chunks.push(bytes.subarray(at, at + 65536));
    const input: ParserInput = {
      file, relPath: "hooks.jsonl", openStream: () => Readable.from(chunks),
      readAll: () => Promise.reject(new Error("the hook parser streams its input")),
    };
    const config = parseConfigText(JSON.stringify(CONFIG), "bench.config.json");
    const cpu: number[][] = [];
    const time = async (work: () => Promise<number>): Promise<number[]> => {
      const out: number[] = [];
      const cpuOut: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const started = performance.now();
        const used = process.cpuUsage();
        const items = await work();
        if (items === 0) throw new Error("the pipeline produced nothing");
        const spent = process.cpuUsage(used);
        out.push(((performance.now() - started) * 1000) / size);
        cpuOut.push((spent.user + spent.system) / size);
      }
      cpu.push(cpuOut.slice(1));
      return out.slice(1);
    };
    const parseUs = await time(async () => {
      let n = 0;
      for await (const _ of createTaskEnv(config, FILE_PARSERS).parser("cursor-hooks").parse(input)) n++;
      return n;
    });
    const rowsUs = await time(async () => {
      const env = createTaskEnv(config, FILE_PARSERS);
      let n = 0;
      for await (const batch of storeItems(env.parser("cursor-hooks").parse(input), env.redactor, null)) n += batch.length;
      return n;
    });
    return { events: size, parseUs, rowsUs, ratio: Math.min(...rowsUs) / Math.min(...parseUs), parseCpuUs: cpu[0]!, rowsCpuUs: cpu[1]! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function report(r: PipelineBenchResult): string {
  const us = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
  return [
    `agent pipeline: ${r.events.toLocaleString("en-US")} hook events in memory, one thread, warm rounds`,
    `  parser only      ${us(r.parseUs)} us/event (baseline); CPU ${us(r.parseCpuUs)} us/event`,
    `  parser + rows    ${us(r.rowsUs)} us/event (rows built and redacted, as parsing on one thread does): ${r.ratio.toFixed(2)}x the baseline; CPU ${us(r.rowsCpuUs)} us/event`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(report(await run(Number(process.argv[2] ?? 300_000), Number(process.argv[3] ?? 3))));
}
