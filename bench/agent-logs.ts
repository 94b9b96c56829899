/**
 * Agent-log ingest benchmark: a deterministic hook log of `size` events (Cursor hook
 * payloads, one per line: shell and tool calls as pre/post pairs) is written to a scratch folder,
 * then ingested through the real path (config, parser, redaction, SQLite store) into a temp store.
 * Prints events per second, the baseline (a bare line-split + JSON.parse loop over the same file)
 * and the ratio, and peak RSS. Target: >= 100,000 events/s on a 2-core machine.
 *
 * Run alone: node --import tsx bench/agent-logs.ts [size]   (default 1,000,000)
 */
import { execFileSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../src/config.ts";
import { ingestSources } from "../src/ingest/index.ts";
import { FileWriter, openStore, type Db } from "../src/store/index.ts";
import { EVENT_COLUMNS } from "../src/store/event-row.ts";
import { rng } from "../samples/acme/scripts/lib.ts";
import { ThreadSampler, type ThreadSplit } from "./threads.ts";

export interface AgentLogBenchResult {
  events: number;
  bytes: number;
  actions: number;
  rejected: number;
  seconds: number;
  /** CPU time of the ingest (user + system): on a shared, loaded machine the steadier figure. */
  cpuSeconds: number;
  eventsPerSecond: number;
  eventsPerCpuSecond: number;
  baselineEventsPerSecond: number;
  /** Ingest time over baseline time: how many times slower than parsing alone. */
  ratio: number;
  /** The floor on every core: the file split at line boundaries into one part per core, each split and JSON.parsed by its own worker thread. */
  floor: { threads: number; seconds: number; cpuSeconds: number };
  /** The writer's floor (storeFloor): the stored rows inserted again, nothing else. */
  storeFloor: { rows: number; seconds: number; eventsPerSecond: number };
  peakRssMb: number;
  /** CPU seconds of the ingest per thread (Linux only, else null), as sampled every 50 ms: see threadCpu. */
  threads: ThreadSplit | null;
}

const USERS = ["maria.garcia", "li.wei", "olga.ivanova", "sam.okafor", "ops.oncall"];
const COMMANDS = [
  "npm test -- --run", "git status && git diff --stat", "ls -la src", "cat package.json | jq .version", "rg -n TODO src",
  "npm run build", "git log --oneline -20", "kubectl get pods -n staging", "docker compose up -d db", "pytest -q tests/unit",
  "rm -rf dist node_modules/.cache", "terraform plan -out plan.bin", "aws s3 ls s3://acme-artifacts/", "git push origin feature/x",
  "kubectl --context prod-eks delete pod api-7d9f -n prod-api", "curl -sS https://api.example.com/health",
];
const FILES = ["src/app.ts", "src/routes.ts", "src/db/schema.sql", "README.md", "test/app.test.ts", "infra/main.tf"];

/** Writes the log; every call is a pre and a post line, so `size` lines make size/2 actions. */
export async function writeHookLog(file: string, size: number): Promise<number> {
  const { next: rand, pick } = rng(20261001);
  const out = createWriteStream(file);
  let t = Date.UTC(2026, 9, 1);
  let buf = "";
  let bytes = 0;
  for (let i = 0; i < size; i += 2) {
    const user = pick(USERS);
    const root = rand() < 0.1 ? "/srv/prod/api" : `/home/${user}/src/api`;
    const common = `"conversation_id":"c-${(i >> 6).toString(16)}","generation_id":"g-${(i >> 2).toString(16)}","model":"claude-4.5-sonnet","cursor_version":"2.1.4","workspace_roots":["${root}"],"user_email":"${user}@acme.example"`;
    const start = new Date((t += 500 + Math.floor(rand() * 4000))).toISOString();
    const end = new Date((t += 100 + Math.floor(rand() * 3000))).toISOString();
    let pair: string;
    if (rand() < 0.6) {
      // A third of the commands are one-offs (a pod, a commit, a file), as in real logs, so the
      // classifier's memo does not flatter the figure.
      const hex = Math.floor(rand() * 0xffffff).toString(16);
      const command = JSON.stringify(
        rand() < 0.33 ? pick([`kubectl logs api-${hex} -n staging --tail 200`, `git show ${hex}${hex} --stat`, `cat src/gen/m${hex}.ts | head -40`]) : pick(COMMANDS),
      );
      pair =
        `{"timestamp":"${start}",${common},"hook_event_name":"beforeShellExecution","command":${command},"cwd":"${root}","sandbox":${rand() < 0.5}}\n` +
        `{"timestamp":"${end}",${common},"hook_event_name":"afterShellExecution","command":${command},"output":"ok","duration":${Math.floor(rand() * 9000)}}\n`;
    } else {
      const id = `tu_${i.toString(36)}`;
      const tool = rand() < 0.5 ? "Read" : "Write";
      const input = JSON.stringify({ file_path: `${root}/${pick(FILES)}` });
      pair =
        `{"timestamp":"${start}",${common},"hook_event_name":"preToolUse","tool_name":"${tool}","tool_input":${input},"tool_use_id":"${id}","cwd":"${root}"}\n` +
        `{"timestamp":"${end}",${common},"hook_event_name":"postToolUse","tool_name":"${tool}","tool_input":${input},"tool_use_id":"${id}","tool_output":"{}","duration":40}\n`;
    }
    buf += pair;
    if (buf.length > 1 << 20) {
      bytes += Buffer.byteLength(buf);
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  }
  bytes += Buffer.byteLength(buf);
  out.end(buf);
  await once(out, "finish");
  return bytes;
}

/** The floor: split the file into lines and JSON.parse each, nothing else. */
async function baseline(file: string): Promise<{ lines: number; seconds: number }> {
  const started = performance.now();
  let rest = "";
  let lines = 0;
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let at = 0;
    let nl = text.indexOf("\n");
    while (nl !== -1) {
      JSON.parse(text.slice(at, nl));
      lines++;
      at = nl + 1;
      nl = text.indexOf("\n", at);
    }
    rest = text.slice(at);
  }
  return { lines, seconds: (performance.now() - started) / 1000 };
}

/** Worker threads that line-split and JSON.parse their byte range of the file; prints wall and CPU time. Plain JS, so no loader is timed. */
const FLOOR_SCRIPT = `
const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");
const { closeSync, fstatSync, openSync, readSync } = require("node:fs");
if (isMainThread) {
  const [file, threads] = [process.argv[2], Number(process.argv[3])];
  const fd = openSync(file, "r");
  const size = fstatSync(fd).size;
  const cuts = [0];
  const probe = Buffer.alloc(1 << 16);
  for (let i = 1; i < threads; i++) {
    let at = Math.floor((size * i) / threads);
    for (;;) {
      const n = readSync(fd, probe, 0, probe.length, at);
      const nl = probe.subarray(0, n).indexOf(10);
      if (n === 0) { at = size; break; }
      if (nl !== -1) { at += nl + 1; break; }
      at += n;
    }
    cuts.push(at);
  }
  cuts.push(size);
  closeSync(fd);
  const t = performance.now();
  const c = process.cpuUsage();
  let lines = 0, running = threads;
  for (let i = 0; i < threads; i++) {
    const w = new Worker(__filename, { workerData: { file, start: cuts[i], end: cuts[i + 1] } });
    w.on("error", (e) => { console.error(e); process.exit(1); });
    w.on("message", (n) => { lines += n; if (--running === 0) { const u = process.cpuUsage(c); console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000, cpuSeconds: (u.user + u.system) / 1e6, lines })); } });
  }
} else {
  const { file, start, end } = workerData;
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(1 << 20);
  let pos = start, rest = "", n = 0;
  while (pos < end) {
    const got = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (got === 0) break;
    pos += got;
    const text = rest + buf.toString("utf8", 0, got);
    let at = 0, nl = text.indexOf("\\n");
    while (nl !== -1) { JSON.parse(text.slice(at, nl)); n++; at = nl + 1; nl = text.indexOf("\\n", at); }
    rest = text.slice(at);
  }
  closeSync(fd);
  parentPort.postMessage(n);
}`;

function floorOnAllCores(file: string, dir: string, lines: number): AgentLogBenchResult["floor"] {
  const threads = availableParallelism();
  const script = path.join(dir, "floor.cjs");
  writeFileSync(script, FLOOR_SCRIPT);
  const out = JSON.parse(execFileSync(process.execPath, [script, file, String(threads)], { encoding: "utf8" }).trim()) as { seconds: number; cpuSeconds: number; lines: number };
  if (out.lines !== lines) throw new Error(`the floor read ${out.lines} lines, expected ${lines}`);
  return { threads, seconds: out.seconds, cpuSeconds: out.cpuSeconds };
}

/**
 * The writer's floor: the rows the ingest stored, already built, inserted into a fresh store by the
 * same FileWriter as one file (as the ingest writes this log), with nothing else on the thread: no
 * parsing, no messages. Rows are read back a page at a time; only the inserts and the commit are
 * timed. Whatever the parsing costs, the ingest cannot be faster than this on one SQLite writer.
 */
function storeFloor(from: Db, dir: string, events: number): AgentLogBenchResult["storeFloor"] {
  const db = openStore(path.join(dir, "floor", "evidence.db"));
  const page = from.prepare(`SELECT id, ${EVENT_COLUMNS.join(", ")} FROM events WHERE id > ? ORDER BY id LIMIT 10000`).raw();
  let ms = 0;
  let rows = 0;
  let last = 0;
  let started = performance.now();
  db.exec("BEGIN IMMEDIATE");
  const writer = new FileWriter(db, {
    source: "floor", path: "logs/hooks.jsonl", kind: "cursor-hooks", sha256: "0".repeat(64), size: 0, parser: "floor", parserVersion: "1",
    contextHash: "-", ingestedAt: "2026-11-01T00:00:00.000Z",
  });
  ms += performance.now() - started;
  for (;;) {
    const batch = page.all(last) as unknown[][];
    if (!batch.length) break;
    last = batch[batch.length - 1]![0] as number;
    const values = batch.map((r) => r.slice(1));
    started = performance.now();
    for (const row of values) writer.eventRow(row);
    ms += performance.now() - started;
    rows += values.length;
  }
  started = performance.now();
  writer.commit();
  db.exec("COMMIT");
  ms += performance.now() - started;
  db.close();
  return { rows, seconds: ms / 1000, eventsPerSecond: Math.round(events / (ms / 1000)) };
}

export async function run(size = 1_000_000): Promise<AgentLogBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "evidence-bench-agent-"));
  try {
    const logs = path.join(dir, "logs");
    mkdirSync(logs);
    const file = path.join(logs, "hooks.jsonl");
    const bytes = await writeHookLog(file, size);
    writeFileSync(
      path.join(dir, "evidence.config.yaml"),
      [
        "organisation: { name: Bench }",
        "sources:",
        "  - { name: cursor, kind: cursor-hooks, paths: [\"logs/*.jsonl\"] }",
        "agents:",
        "  - { id: cursor, product: cursor, match: { logProducts: [cursor] } }",
        "environments:",
        "  production: { paths: [\"/srv/prod/**\"], resourcePatterns: [\"prod-*\"] }",
      ].join("\n") + "\n",
    );
    const base = await baseline(file);
    const floor2 = floorOnAllCores(file, dir, base.lines);
    const db = openStore(path.join(dir, "store", "evidence.db"));
    let peakRss = process.memoryUsage().rss;
    const threads = new ThreadSampler();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const summary = await ingestSources(db, loadConfig(path.join(dir, "evidence.config.yaml")), {
      cacheDir: path.join(dir, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: { info() {}, update() {}, done() {} },
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    const split = threads.stop();
    // maxRSS is the process high-water mark in KiB (it includes the log generation before).
    peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
    const actions = (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
    const floor = storeFloor(db, dir, base.lines);
    db.close();
    const result: AgentLogBenchResult = {
      events: base.lines, bytes, actions, rejected: summary.rejected, seconds, cpuSeconds,
      eventsPerSecond: Math.round(base.lines / seconds),
      eventsPerCpuSecond: Math.round(base.lines / cpuSeconds),
      baselineEventsPerSecond: Math.round(base.lines / base.seconds),
      ratio: Math.round((seconds / base.seconds) * 10) / 10,
      peakRssMb: Math.round(peakRss / 1048576),
      storeFloor: floor,
      floor: floor2,
      threads: split,
    };
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function report(r: AgentLogBenchResult): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    `agent-logs: ${n(r.events)} hook events (${(r.bytes / 1048576).toFixed(0)} MB) -> ${n(r.actions)} actions, ${n(r.rejected)} rejected, in ${r.seconds.toFixed(2)} s`,
    `  ingest    ${n(r.eventsPerSecond)} events/s wall clock (target >= 100,000: ${r.eventsPerSecond >= 100_000 ? "met" : "NOT met"}); ${n(r.eventsPerCpuSecond)} events per CPU second`,
    `  baseline  ${n(r.baselineEventsPerSecond)} events/s (line split + JSON.parse only); ingest takes ${r.ratio}x the baseline time`,
    `  floor     ${r.floor.seconds.toFixed(2)} s, ${r.floor.cpuSeconds.toFixed(2)} s CPU (the same, on ${r.floor.threads} threads); ingest / floor ${(r.floor.seconds / r.seconds).toFixed(2)}x by wall, ${(r.floor.cpuSeconds / r.cpuSeconds).toFixed(2)}x by CPU (target 0.5x)`,
    `  store floor  ${r.storeFloor.seconds.toFixed(2)} s to insert the ${n(r.storeFloor.rows)} stored rows alone: at most ${n(r.storeFloor.eventsPerSecond)} events/s on one SQLite writer`,
    `  peak RSS  ${n(r.peakRssMb)} MB`,
    ...(r.threads ? [`  threads   CPU s: writer ${r.threads.writer}, parsing workers ${r.threads.workers}, other ${r.threads.other} (in ${r.seconds.toFixed(2)} s wall)`] : []),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const size = Number(process.argv[2] ?? 1_000_000);
  console.log(report(await run(size)));
}
