/**
 * CloudTrail ingest benchmark: a generated S3-layout trail folder (deterministic, ~1.2 KB records,
 * 1,000 per delivery file) ingested through the real path (`ingestSources` into a fresh SQLite
 * store), against the baseline users know, `gunzip -c | jq -c '.Records[]'` over the same files.
 * Prints events/s, wall time, peak RSS of the ingest process and the ratio to jq.
 *
 * Run alone: node --import tsx bench/cloudtrail.ts [events]   (default 1,000,000)
 * The ingest runs in a child process so that its peak RSS is its own, not the generator's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTrailFixture } from "./cloudtrail-fixture.ts";

export interface CloudTrailBenchResult {
  stage: "cloudtrail";
  events: number;
  files: number;
  seconds: number;
  eventsPerSecond: number;
  /** CPU time of the ingest process (all threads): a figure that a busy machine distorts less than wall time. */
  cpuSeconds: number;
  peakRssMb: number;
  baseline: { tool: string; seconds: number; eventsPerSecond: number } | null;
  /** Our throughput ÷ the baseline's (above 1: faster than gunzip | jq). */
  ratio: number | null;
  /**
   * The parse floor: the same files only gunzipped and JSON.parsed, nothing else, on one worker
   * thread per core. No ingest written in Node can beat it on this machine, so it says how much of
   * the machine a throughput target leaves for classifying, summarising, redacting and storing.
   */
  floor: { threads: number; seconds: number; eventsPerSecond: number } | null;
}

const SELF = fileURLToPath(import.meta.url);

/** The measured part, in its own process: ingest the folder, print JSON with the time and peak RSS. */
async function child(dir: string): Promise<void> {
  const { loadConfig } = await import("../src/config.ts");
  const { openStore } = await import("../src/store/index.ts");
  const { ingestSources } = await import("../src/ingest/index.ts");
  const work = mkdtempSync(path.join(tmpdir(), "evidence-bench-store-"));
  const config = path.join(dir, "evidence.config.yaml");
  writeFileSync(config, 'organisation: { name: Bench }\nsources:\n  - { name: trail, kind: cloudtrail, paths: ["AWSLogs/**/*.json.gz"] }\nagents:\n  - { id: agent, product: kiro, match: { awsRoles: ["*:role/ai-agent-operator"] } }\nenvironments: { production: { awsAccounts: ["111122223333"] } }\n');
  const db = openStore(path.join(work, "evidence.db"));
  const quiet = { info() {}, update() {}, done() {} };
  const t = performance.now();
  const summary = await ingestSources(db, loadConfig(config), { cacheDir: path.join(work, "cache"), now: new Date(), progress: quiet });
  const seconds = (performance.now() - t) / 1000;
  db.close();
  rmSync(work, { recursive: true, force: true });
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds, accepted: summary.accepted, failed: summary.failed, maxRssKb: usage.maxRSS }) + "\n");
}

function jqBaseline(dir: string, files: string[], events: number): CloudTrailBenchResult["baseline"] {
  try {
    execFileSync("jq", ["--version"], { stdio: "ignore" });
  } catch {
    return null;
  }
  const list = path.join(dir, "files.txt");
  writeFileSync(list, files.join("\n") + "\n");
  const t = performance.now();
  execFileSync("bash", ["-c", `xargs gunzip -c < files.txt | jq -c '.Records[]' > /dev/null`], { cwd: dir, stdio: ["ignore", "ignore", "inherit"], maxBuffer: 1 << 20 });
  const seconds = (performance.now() - t) / 1000;
  return { tool: "gunzip -c | jq -c '.Records[]'", seconds, eventsPerSecond: events / seconds };
}

/** Worker threads that gunzip and JSON.parse their share of the files; prints their wall time. Plain JS, so no loader is timed. */
const FLOOR_SCRIPT = `
const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const { gunzipSync } = require("node:zlib");
if (isMainThread) {
  const [list, threads] = [readFileSync(process.argv[2], "utf8").split("\\n").filter(Boolean), Number(process.argv[3])];
  const t = performance.now();
  let records = 0, running = threads;
  for (let i = 0; i < threads; i++) {
    const w = new Worker(__filename, { workerData: list.filter((_, j) => j % threads === i) });
    w.on("error", (e) => { console.error(e); process.exit(1); });
    w.on("message", (n) => { records += n; if (--running === 0) console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000, records })); });
  }
} else {
  let n = 0;
  for (const f of workerData) n += JSON.parse(gunzipSync(readFileSync(f)).toString("utf8")).Records.length;
  parentPort.postMessage(n);
}`;

function parseFloor(dir: string, files: string[], events: number): CloudTrailBenchResult["floor"] {
  const list = path.join(dir, "floor-files.txt");
  writeFileSync(list, files.join("\n") + "\n");
  const threads = availableParallelism();
  const script = path.join(dir, "floor.cjs");
  writeFileSync(script, FLOOR_SCRIPT);
  const out = JSON.parse(execFileSync(process.execPath, [script, list, String(threads)], { cwd: dir, encoding: "utf8" }).trim()) as { seconds: number; records: number };
  if (out.records !== events) throw new Error(`parse floor read ${out.records} records, expected ${events}`);
  return { threads, seconds: out.seconds, eventsPerSecond: events / out.seconds };
}

export async function run(size = 1_000_000, options: { baseline?: boolean } = {}): Promise<CloudTrailBenchResult> {
  const { dir, files } = ensureTrailFixture(tmpdir(), size);
  const proc = spawnSync(process.execPath, ["--import", "tsx", SELF, "--child", dir], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (proc.status !== 0) throw new Error(`ingest child failed: ${proc.stderr}`);
  const measured = JSON.parse(proc.stdout.trim().split("\n").pop()!) as { seconds: number; cpuSeconds: number; accepted: number; failed: number; maxRssKb: number };
  if (measured.failed) throw new Error(`${measured.failed} files refused`);
  const baseline = options.baseline === false ? null : jqBaseline(dir, files, size);
  const floor = parseFloor(dir, files, size);
  const eventsPerSecond = measured.accepted / measured.seconds;
  return {
    stage: "cloudtrail", events: measured.accepted, files: files.length, seconds: measured.seconds, eventsPerSecond, cpuSeconds: measured.cpuSeconds,
    peakRssMb: measured.maxRssKb / 1024, baseline, ratio: baseline ? eventsPerSecond / baseline.eventsPerSecond : null, floor,
  };
}

function print(r: CloudTrailBenchResult): void {
  const f = (n: number) => Math.round(n).toLocaleString("en-US");
  console.log(
    `CloudTrail ingest: ${f(r.events)} events in ${f(r.files)} files, ${r.seconds.toFixed(1)} s wall (${f(r.eventsPerSecond)} events/s), ` +
      `${r.cpuSeconds.toFixed(1)} s CPU (${f(r.events / r.cpuSeconds)} events per CPU-second), peak RSS ${f(r.peakRssMb)} MB`,
  );
  if (r.baseline) console.log(`Baseline ${r.baseline.tool}: ${r.baseline.seconds.toFixed(1)} s, ${f(r.baseline.eventsPerSecond)} events/s; ratio ${r.ratio!.toFixed(2)}x`);
  else console.log("Baseline: jq not installed, skipped");
  if (r.floor) console.log(`Parse floor (gunzip + JSON.parse only, ${r.floor.threads} threads): ${r.floor.seconds.toFixed(1)} s, ${f(r.floor.eventsPerSecond)} events/s`);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === "--child") await child(process.argv[3]!);
  else print(await run(process.argv[2] ? Number(process.argv[2]) : undefined));
}
