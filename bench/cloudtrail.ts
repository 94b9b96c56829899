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
import { ThreadSampler, type ThreadSplit } from "./threads.ts";

/** V8 flags for the ingest child, to measure one (BENCH_NODE_FLAGS="--single-threaded-gc"); none by default, as the CLI runs. */
const nodeFlags = (): string[] => (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean);

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
  floor: { threads: number; seconds: number; cpuSeconds: number; eventsPerSecond: number } | null;
  /** CPU seconds of the ingest per thread (null without /proc): the writer, the parsing workers, the rest. */
  threads: ThreadSplit | null;
  /**
   * The writer's floor: the rows and counts the ingest stored, inserted again into a fresh store by
   * the same FileWriter, file by file in batch transactions as the ingest commits them, with nothing
   * else on the thread. No parser can make the ingest cheaper than this on one SQLite writer.
   */
  storeFloor: { rows: number; counts: number; seconds: number; cpuSeconds: number; rowsCpuSeconds: number; countsCpuSeconds: number };
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
  const threads = new ThreadSampler();
  const cpuBefore = process.cpuUsage();
  const t = performance.now();
  const summary = await ingestSources(db, loadConfig(config), { cacheDir: path.join(work, "cache"), now: new Date(), progress: quiet });
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const split = threads.stop();
  const maxRssKb = process.resourceUsage().maxRSS;
  const floor = await storeFloor(db, path.join(work, "floor.db"));
  db.close();
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, accepted: summary.accepted, failed: summary.failed, maxRssKb, threads: split, storeFloor: floor }) + "\n",
  );
}

/** See CloudTrailBenchResult.storeFloor. Each file's rows are read back before its inserts; only the inserts and commits are timed. */
async function storeFloor(from: import("../src/store/index.ts").Db, file: string): Promise<CloudTrailBenchResult["storeFloor"]> {
  const { openStore, FileWriter } = await import("../src/store/index.ts");
  const { EVENT_COLUMNS } = await import("../src/store/event-row.ts");
  const db = openStore(file);
  const files = from
    .prepare("SELECT id, source, path, kind, sha256, size, parser, parser_version AS parserVersion, context_hash AS contextHash, ingested_at AS ingestedAt FROM source_files ORDER BY id")
    .all() as { id: number; source: string; path: string; kind: string; sha256: string; size: number; parser: string; parserVersion: string; contextHash: string; ingestedAt: string }[];
  const rowsOf = from.prepare(`SELECT ${EVENT_COLUMNS.join(", ")} FROM events WHERE file_id = ? ORDER BY id`).raw();
  const countsOf = from.prepare(
    `SELECT source_kind AS sourceKind, day, day_start AS dayStart, actor, actor_kind AS actorKind, identity_type AS identityType, role_arn AS roleArn, action,
       classes, outcome, account, region, environment, event_category AS eventCategory, event_type AS eventType, n, first_time AS firstTime, last_time AS lastTime, locators
     FROM event_summaries WHERE file_id = ? ORDER BY id`,
  );
  let ms = 0;
  let cpuUs = 0;
  let rowsUs = 0;
  let countsUs = 0;
  let rows = 0;
  let counts = 0;
  const BATCH = 50;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const eventRows = rowsOf.all(f.id) as unknown[][];
    const countRows = countsOf.all(f.id) as import("../src/event.ts").SummaryRecord[];
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    if (i % BATCH === 0) db.exec("BEGIN IMMEDIATE");
    const { id: _id, ...header } = f;
    const writer = new FileWriter(db, header);
    const r0 = process.cpuUsage();
    for (const row of eventRows) writer.eventRow(row as never);
    const r1 = process.cpuUsage(r0);
    rowsUs += r1.user + r1.system;
    const k0 = process.cpuUsage();
    for (const c of countRows) writer.summary(c);
    const k1 = process.cpuUsage(k0);
    countsUs += k1.user + k1.system;
    writer.commit();
    if (i % BATCH === BATCH - 1 || i === files.length - 1) db.exec("COMMIT");
    ms += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
    rows += eventRows.length;
    counts += countRows.length;
  }
  db.close();
  return { rows, counts, seconds: ms / 1000, cpuSeconds: cpuUs / 1e6, rowsCpuSeconds: rowsUs / 1e6, countsCpuSeconds: countsUs / 1e6 };
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
  const c = process.cpuUsage();
  let records = 0, running = threads;
  for (let i = 0; i < threads; i++) {
    const w = new Worker(__filename, { workerData: list.filter((_, j) => j % threads === i) });
    w.on("error", (e) => { console.error(e); process.exit(1); });
    w.on("message", (n) => { records += n; if (--running === 0) { const u = process.cpuUsage(c); console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000, cpuSeconds: (u.user + u.system) / 1e6, records })); } });
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
  const out = JSON.parse(execFileSync(process.execPath, [script, list, String(threads)], { cwd: dir, encoding: "utf8" }).trim()) as { seconds: number; cpuSeconds: number; records: number };
  if (out.records !== events) throw new Error(`parse floor read ${out.records} records, expected ${events}`);
  return { threads, seconds: out.seconds, cpuSeconds: out.cpuSeconds, eventsPerSecond: events / out.seconds };
}

export async function run(size = 1_000_000, options: { baseline?: boolean } = {}): Promise<CloudTrailBenchResult> {
  const { dir, files } = ensureTrailFixture(tmpdir(), size);
  const proc = spawnSync(process.execPath, [...nodeFlags(), "--import", "tsx", SELF, "--child", dir], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (proc.status !== 0) throw new Error(`ingest child failed: ${proc.stderr}`);
  const measured = JSON.parse(proc.stdout.trim().split("\n").pop()!) as {
    seconds: number; cpuSeconds: number; accepted: number; failed: number; maxRssKb: number; threads: ThreadSplit | null; storeFloor: CloudTrailBenchResult["storeFloor"];
  };
  if (measured.failed) throw new Error(`${measured.failed} files refused`);
  const baseline = options.baseline === false ? null : jqBaseline(dir, files, size);
  const floor = parseFloor(dir, files, size);
  const eventsPerSecond = measured.accepted / measured.seconds;
  return {
    stage: "cloudtrail", events: measured.accepted, files: files.length, seconds: measured.seconds, eventsPerSecond, cpuSeconds: measured.cpuSeconds,
    peakRssMb: measured.maxRssKb / 1024, baseline, ratio: baseline ? eventsPerSecond / baseline.eventsPerSecond : null, floor,
    threads: measured.threads, storeFloor: measured.storeFloor,
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
  if (r.floor) {
    console.log(`Parse floor (gunzip + JSON.parse only, ${r.floor.threads} threads): ${r.floor.seconds.toFixed(1)} s, ${r.floor.cpuSeconds.toFixed(1)} s CPU, ${f(r.floor.eventsPerSecond)} events/s`);
    console.log(`Ingest / floor: ${(r.eventsPerSecond / r.floor.eventsPerSecond).toFixed(2)}x by wall, ${(r.floor.cpuSeconds / r.cpuSeconds).toFixed(2)}x by CPU (target: 0.45x)`);
  }
  if (r.threads) console.log(`CPU s per thread: writer ${r.threads.writer}, parsing workers ${r.threads.workers}, other ${r.threads.other}`);
  const sf = r.storeFloor;
  console.log(`Store floor: ${f(sf.rows)} rows + ${f(sf.counts)} counts inserted again by the writer alone in ${sf.seconds.toFixed(1)} s, ${sf.cpuSeconds.toFixed(1)} s CPU (rows ${sf.rowsCpuSeconds.toFixed(1)}, counts ${sf.countsCpuSeconds.toFixed(1)}, the rest opening and committing files)`);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === "--child") await child(process.argv[3]!);
  else print(await run(process.argv[2] ? Number(process.argv[2]) : undefined));
}
