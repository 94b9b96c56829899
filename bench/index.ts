/**
 * `npm run bench -- --size small|month|large`: the one benchmark entry point.
 *
 * Generates deterministic inputs at the named size into the OS temp folder (cached per size: not
 * committed, reused by later runs), runs each stage in its own child process so that its peak RSS
 * is its own, and prints one table: input, wall time, throughput, peak RSS and the ratio to the
 * baseline measured in the same run (`gunzip | jq` for CloudTrail, the bare `git log` for git, a
 * plain line split + JSON.parse loop for agent logs). The table is also written as JSON
 * (bench/out/results-<size>.json, gitignored) so runs can be compared across commits.
 *
 * Stages: cloudtrail, agent-logs, git (bench/cloudtrail.ts, agent-logs.ts, git.ts: each exports
 * run(size) and runs alone too), render (bench/render.ts), build (the whole month through the real
 * CLI: ingest, evaluate, render the full package) and rebuild (the same build again, nothing changed).
 *
 * Options: --stages a,b (a subset), --out DIR, --scaling (the ingest stages at 1/4, 1/2 and all of
 * the size, plotted as docs/bench-scaling.svg). Benchmarks report; they assert nothing about time.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";

export const SIZES = {
  /** For the harness's own test: seconds. */
  tiny: { cloudtrail: 2_000, agentEvents: 2_000, commits: 200, renderRows: 500, findings: 50 },
  /** CI: under a minute. */
  small: { cloudtrail: 20_000, agentEvents: 20_000, commits: 2_000, renderRows: 10_000, findings: 500 },
  /** A 50-account organisation's month as the issue states it. */
  month: { cloudtrail: 2_000_000, agentEvents: 1_000_000, commits: 50_000, renderRows: 100_000, findings: 5_000 },
  /** The memory bound at five times the month. */
  large: { cloudtrail: 10_000_000, agentEvents: 2_000_000, commits: 100_000, renderRows: 200_000, findings: 5_000 },
} as const;
export type SizeName = keyof typeof SIZES;
export type Sizes = { cloudtrail: number; agentEvents: number; commits: number; renderRows: number; findings: number };

export const STAGES = ["cloudtrail", "agent-logs", "git", "render", "build", "rebuild"] as const;
export type Stage = (typeof STAGES)[number];

export interface StageResult {
  stage: Stage;
  /** Records in: events, hook lines, commits, population rows; for build, every input record. */
  input: number;
  unit: string;
  wallSeconds: number;
  /** input / wallSeconds (as rounded in the table). */
  throughput: number;
  peakRssMb: number;
  cpuSeconds: number | null;
  baseline: { tool: string; seconds: number } | null;
  /** wallSeconds / baseline seconds: under 1 is faster than the baseline. */
  ratio: number | null;
  /** 1-minute load average before and after the stage: other work on the machine shows here. */
  load: [number, number];
  notes: string[];
}

export interface BenchReport {
  size: string;
  sizes: Sizes;
  startedAt: string;
  commit: string | null;
  machine: { cpus: number; availableParallelism: number; cpuModel: string; memoryMb: number; node: string; platform: string };
  stages: StageResult[];
}

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), "..");
const MARK = "BENCH_RESULT ";
const r2 = (n: number) => Math.round(n * 100) / 100;

/** What a stage's child reports: its measurement, in the stage's own words. */
type Measured = Omit<StageResult, "stage" | "load" | "throughput" | "ratio"> & { childRssMb?: number };

async function measureStage(stage: Stage, sizes: Sizes, scratch: string): Promise<Measured> {
  if (stage === "cloudtrail") {
    const { run } = await import("./cloudtrail.ts");
    const r = await run(sizes.cloudtrail);
    return {
      input: r.events, unit: "events", wallSeconds: r.seconds, peakRssMb: r.peakRssMb, cpuSeconds: r.cpuSeconds,
      baseline: r.baseline ? { tool: r.baseline.tool, seconds: r.baseline.seconds } : null,
      notes: [
        `${r.files} delivery files`,
        ...(r.floor
          ? [
              `parse floor (gunzip + JSON.parse only, ${r.floor.threads} threads, nothing stored): ${r.floor.seconds.toFixed(2)} s, ${r.floor.cpuSeconds.toFixed(2)} s CPU = ${Math.round(r.floor.eventsPerSecond).toLocaleString("en-US")} events/s`,
              `ingest / parse floor: ${(r.eventsPerSecond / r.floor.eventsPerSecond).toFixed(2)}x by wall, ${(r.floor.cpuSeconds / r.cpuSeconds).toFixed(2)}x by CPU (target 0.45x)`,
            ]
          : []),
        `store floor (the ${r.storeFloor.rows} rows and ${r.storeFloor.counts} counts inserted again by the writer alone): ${r.storeFloor.seconds.toFixed(2)} s, ${r.storeFloor.cpuSeconds.toFixed(2)} s CPU (rows ${r.storeFloor.rowsCpuSeconds.toFixed(2)}, counts ${r.storeFloor.countsCpuSeconds.toFixed(2)})`,
        ...(r.threads ? [`CPU s per thread: writer ${r.threads.writer}, parsing workers ${r.threads.workers}, other ${r.threads.other}`] : []),
      ],
    };
  }
  if (stage === "agent-logs") {
    const { run } = await import("./agent-logs.ts");
    const r = await run(sizes.agentEvents);
    return {
      input: r.events, unit: "hook events", wallSeconds: r.seconds, peakRssMb: r.peakRssMb, cpuSeconds: r.cpuSeconds,
      baseline: { tool: "line split + JSON.parse", seconds: r.events / r.baselineEventsPerSecond },
      notes: [
        `${r.actions} actions (${Math.round(r.actions / r.seconds).toLocaleString("en-US")}/s), ${r.rejected} rejected`,
        `floor on ${r.floor.threads} threads (the same line split + JSON.parse, the file cut at line boundaries into one part per thread): ${r.floor.seconds.toFixed(2)} s, ${r.floor.cpuSeconds.toFixed(2)} s CPU`,
        `ingest / floor on ${r.floor.threads} threads: ${(r.floor.seconds / r.seconds).toFixed(2)}x by wall, ${(r.floor.cpuSeconds / r.cpuSeconds).toFixed(2)}x by CPU (target 0.5x)`,
        `store floor (the ${r.storeFloor.rows} stored rows inserted again by the writer alone): ${r.storeFloor.seconds.toFixed(2)} s = ${r.storeFloor.eventsPerSecond.toLocaleString("en-US")} events/s`,
        ...(r.threads ? [`CPU s per thread: writer ${r.threads.writer}, parsing workers ${r.threads.workers}, other ${r.threads.other}`] : []),
      ],
    };
  }
  if (stage === "git") {
    const { run } = await import("./git.ts");
    const r = await run(sizes.commits);
    const p = r.points[r.points.length - 1]!;
    const small = r.points[0]!;
    return {
      input: p.commits, unit: "commits", wallSeconds: p.ingestSeconds, peakRssMb: p.peakRssMb, cpuSeconds: p.ingestCpuSeconds,
      baseline: { tool: "git log (same arguments)", seconds: p.gitLogSeconds },
      notes: [`peak RSS ${Math.round(small.peakRssMb)} MB at ${small.commits} commits`],
    };
  }
  if (stage === "render") {
    const { run } = await import("./render.ts");
    const r = await run(sizes.renderRows, sizes.findings);
    return {
      input: sizes.renderRows, unit: "rows per population", wallSeconds: r.seconds, peakRssMb: r.peakRssMb, cpuSeconds: r.cpuSeconds, baseline: null,
      notes: [`${r.findings} findings, ${r.files} files; peak RSS includes seeding the store`],
    };
  }
  // build and rebuild: the real CLI, in this (child) process, on the month workspace.
  const config = path.join(scratch, "workspace", "evidence.config.yaml");
  const out = path.join(scratch, "package");
  const { main } = await import("../src/cli.ts");
  const t = performance.now();
  const code = await main(["build", "--config", config, "--period", "2026-10", "--out", out, "--quiet", "--json"]);
  const wallSeconds = (performance.now() - t) / 1000;
  if (code !== 0) throw new Error(`evidence build exited ${code}`);
  const usage = process.resourceUsage();
  return {
    input: sizes.cloudtrail + sizes.agentEvents + sizes.commits, unit: "input records", wallSeconds, peakRssMb: usage.maxRSS / 1024,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, baseline: null, notes: [],
  };
}

/** Runs one stage in a child process: its peak RSS (threads included) is the stage's alone. */
function runChild(stage: Stage, sizes: Sizes, scratch: string): Promise<Measured> {
  const child = spawn(process.execPath, ["--import", "tsx", SELF, "--child", stage, JSON.stringify(sizes), scratch], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith(MARK));
      if (code !== 0 || !line) reject(new Error(`bench stage ${stage} failed (exit ${code}):\n${out.slice(-2000)}`));
      else resolve(JSON.parse(line.slice(MARK.length)) as Measured);
    });
  });
}

export interface BenchOptions {
  size: SizeName;
  stages?: readonly Stage[];
  outDir?: string;
  /** Scale the named size (the scaling series runs 1/4, 1/2 and 1). */
  factor?: number;
  log?: (line: string) => void;
}

export function scaled(size: SizeName, factor = 1): Sizes {
  const s = SIZES[size];
  const k = (n: number) => Math.max(1, Math.round(n * factor));
  return { cloudtrail: k(s.cloudtrail), agentEvents: k(s.agentEvents), commits: k(s.commits), renderRows: k(s.renderRows), findings: s.findings };
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const sizes = scaled(options.size, options.factor);
  const stages = options.stages ?? STAGES;
  const log = options.log ?? (() => {});
  const scratch = mkdtempSync(path.join(tmpdir(), "evidence-bench-run-"));
  const report: BenchReport = {
    size: options.factor && options.factor !== 1 ? `${options.size}x${options.factor}` : options.size, sizes, startedAt: new Date().toISOString(), commit: gitCommit(),
    machine: { cpus: cpus().length, availableParallelism: availableParallelism(), cpuModel: cpus()[0]?.model ?? "?", memoryMb: Math.round(totalmem() / 2 ** 20), node: process.version, platform: process.platform },
    stages: [],
  };
  try {
    if (stages.includes("build") || stages.includes("rebuild")) {
      log(`preparing the month workspace (inputs cached in ${tmpdir()})`);
      const { createMonthWorkspace } = await import("./workspace.ts");
      await createMonthWorkspace(path.join(scratch, "workspace"), tmpdir(), { cloudtrailEvents: sizes.cloudtrail, agentEvents: sizes.agentEvents, commits: sizes.commits });
    }
    for (const stage of STAGES.filter((s) => stages.includes(s))) {
      log(`stage ${stage}…`);
      const before = loadavg()[0]!;
      const m = await runChild(stage, sizes, scratch);
      const result: StageResult = {
        stage, input: m.input, unit: m.unit, wallSeconds: r2(m.wallSeconds), throughput: Math.round(m.input / r2(m.wallSeconds)), peakRssMb: Math.round(m.peakRssMb),
        cpuSeconds: m.cpuSeconds === null ? null : r2(m.cpuSeconds), baseline: m.baseline && { tool: m.baseline.tool, seconds: r2(m.baseline.seconds) },
        ratio: m.baseline && r2(m.baseline.seconds) > 0 ? r2(r2(m.wallSeconds) / r2(m.baseline.seconds)) : null, load: [r2(before), r2(loadavg()[0]!)], notes: m.notes,
      };
      report.stages.push(result);
      log(formatTable({ ...report, stages: [result] }).split("\n").slice(2).join("\n"));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (options.outDir) {
    mkdirSync(options.outDir, { recursive: true });
    writeFileSync(path.join(options.outDir, `results-${report.size}.json`), JSON.stringify(report, null, 2) + "\n");
  }
  return report;
}

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

export function formatTable(report: BenchReport): string {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const rows = report.stages.map((s) => [
    s.stage, `${n(s.input)} ${s.unit}`, s.wallSeconds.toFixed(2), `${n(s.throughput)}/s`, `${n(s.peakRssMb)} MB`,
    s.baseline ? `${s.baseline.seconds.toFixed(2)} s ${s.baseline.tool}` : "-", s.ratio === null ? "-" : `${s.ratio.toFixed(2)}x`, `${s.load[0]} / ${s.load[1]}`,
  ]);
  const head = ["stage", "input", "wall s", "throughput", "peak RSS", "baseline", "ratio", "load 1m"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function parseArgs(argv: string[]): { size: SizeName; stages: Stage[]; out: string; scaling: boolean } {
  const get = (name: string) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    return argv[i]!.includes("=") ? argv[i]!.split("=")[1] : argv[i + 1];
  };
  const size = (get("size") ?? "small") as SizeName;
  if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(", ")}`);
  const stages = (get("stages")?.split(",") ?? [...STAGES]) as Stage[];
  const unknown = stages.filter((s) => !STAGES.includes(s));
  if (unknown.length) throw new Error(`unknown stage ${unknown.join(", ")}; stages: ${STAGES.join(", ")}`);
  return { size, stages, out: get("out") ?? path.join(ROOT, "bench", "out"), scaling: argv.includes("--scaling") };
}

if (process.argv[1] === SELF) {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    const m = await measureStage(argv[1] as Stage, JSON.parse(argv[2]!) as Sizes, argv[3]!);
    process.stdout.write(`\n${MARK}${JSON.stringify(m)}\n`);
  } else {
    const args = parseArgs(argv);
    const log = (line: string) => process.stderr.write(line + "\n");
    if (args.scaling) {
      const { runScaling } = await import("./plot.ts");
      await runScaling(runBench, args.size, args.out, path.join(ROOT, "docs", "bench-scaling.svg"), log);
    } else {
      log(`npm run bench -- --size ${args.size} on ${availableParallelism()} cores (load ${loadavg().map((l) => l.toFixed(2)).join(" ")})`);
      const report = await runBench({ size: args.size, stages: args.stages, outDir: args.out, log });
      console.log(formatTable(report));
      console.log(`\nWritten ${path.relative(process.cwd(), path.join(args.out, `results-${report.size}.json`))}`);
      const { formatMicro, runMicro } = await import("./micro.ts");
      console.log(`\nHot paths (bench/micro.ts):\n${formatMicro(runMicro())}`);
    }
  }
}
