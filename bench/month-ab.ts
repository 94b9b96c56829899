/**
 * `node --import tsx bench/month-ab.ts --old DIR [--new DIR] [--runs 3] [--mode full|build-only]`:
 * the month build of two checkouts of evidence, alternating old and new, on the same generated
 * month workspace (bench/workspace.ts, the inputs cached in the OS temp folder as `npm run bench`
 * caches them). A checkout of an older commit is made with `git worktree add --detach DIR COMMIT`
 * and given node_modules; each side runs its own `bin/evidence.js build`.
 *
 * `full` (the bench's build stage): every run starts from no store and no package, so it ingests,
 * evaluates and renders the whole month. `build-only`: each side ingests once into its own store
 * (a store's schema is its commit's), then every run starts from a copy of that store and no
 * package: the files are known, so the run evaluates and renders only. `--store FILE` gives both
 * sides one store ingested beforehand (when both commits share its schema).
 *
 * Each run is measured by GNU time (`/usr/bin/time -v`): wall, user + system CPU (child processes
 * and worker threads included) and peak RSS, with the 1-minute load average before and after.
 * Alternating the sides spreads the shared machine's load over both; compare CPU seconds first.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SIZES } from "./index.ts";
import { createMonthWorkspace } from "./workspace.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface AbRun {
  side: "old" | "new";
  round: number;
  wallSeconds: number;
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  peakRssMb: number;
  load: [number, number];
}

/** The figures GNU time -v prints on stderr. */
export function parseTimeV(text: string): Omit<AbRun, "side" | "round" | "load"> {
  const field = (label: string) => {
    const line = text.split("\n").find((l) => l.trim().startsWith(label));
    if (!line) throw new Error(`GNU time output has no "${label}" line:\n${text.slice(-1500)}`);
    return line.slice(line.lastIndexOf(": ") + 2).trim();
  };
  const user = Number(field("User time (seconds)"));
  const system = Number(field("System time (seconds)"));
  // "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:52.40"
  const wall = field("Elapsed (wall clock) time").split(":").reduce((acc, part) => acc * 60 + Number(part), 0);
  return { wallSeconds: wall, userSeconds: user, systemSeconds: system, cpuSeconds: user + system, peakRssMb: Number(field("Maximum resident set size (kbytes)")) / 1024 };
}

function commitOf(dir: string): string {
  return execFileSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
}

/** An untimed command (the build-only mode's one ingest per side). */
function evidence(checkout: string, args: string[]): void {
  try {
    execFileSync(process.execPath, [path.join(checkout, "bin", "evidence.js"), ...args], { cwd: checkout, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { status?: number; stderr?: Buffer };
    throw new Error(`${checkout}: evidence ${args.join(" ")} exited ${e.status}:\n${String(e.stderr ?? "").slice(-2000)}`);
  }
}

export async function runAb(options: {
  old: string; new: string; runs: number; mode: "full" | "build-only"; keepStore?: string | undefined;
  /** build-only: one store already ingested, for both sides (only when both commits share its schema). */
  store?: string | undefined; log: (l: string) => void;
}): Promise<AbRun[]> {
  const sizes = SIZES.month;
  const scratch = mkdtempSync(path.join(tmpdir(), "evidence-month-ab-"));
  const runs: AbRun[] = [];
  try {
    const workspace = path.join(scratch, "workspace");
    options.log(`preparing the month workspace (inputs cached in ${tmpdir()})`);
    const config = await createMonthWorkspace(workspace, tmpdir(), { cloudtrailEvents: sizes.cloudtrail, agentEvents: sizes.agentEvents, commits: sizes.commits });
    const sides = { old: options.old, new: options.new } as const;
    const ingested: Record<string, string> = {};
    if (options.mode === "build-only") {
      for (const side of ["old", "new"] as const) {
        if (options.store) {
          ingested[side] = options.store;
          continue;
        }
        const db = path.join(scratch, `ingested-${side}.db`);
        options.log(`${side}: ingesting the month once into ${db}`);
        evidence(sides[side], ["ingest", "--config", config, "--db", db, "--quiet"]);
        ingested[side] = db;
      }
    }
    for (let round = 1; round <= options.runs; round++) {
      // Alternate which side goes first, so neither always follows the other's cache state.
      const order = round % 2 === 1 ? (["old", "new"] as const) : (["new", "old"] as const);
      for (const side of order) {
        const db = path.join(scratch, "store.db");
        const out = path.join(scratch, "package");
        for (const f of [db, `${db}-wal`, `${db}-shm`, out]) rmSync(f, { recursive: true, force: true });
        if (options.mode === "build-only") copyFileSync(ingested[side]!, db);
        const timeFile = path.join(scratch, "time.txt");
        const before = loadavg()[0]!;
        const args = ["build", "--config", config, "--db", db, "--period", "2026-10", "--out", out, "--quiet"];
        try {
          execFileSync("/usr/bin/time", ["-v", "-o", timeFile, process.execPath, path.join(sides[side], "bin", "evidence.js"), ...args], { cwd: sides[side], stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 << 20 });
        } catch (error) {
          const e = error as { status?: number; stderr?: Buffer };
          // build exits 1 when the month's checks fail (the generated month is dirty on purpose): still a whole build.
          if (e.status !== 1) throw new Error(`${side} (${sides[side]}): evidence build exited ${e.status}:\n${String(e.stderr ?? "").slice(-2000)}`);
        }
        const run: AbRun = { side, round, ...parseTimeV(readFileSync(timeFile, "utf8")), load: [before, loadavg()[0]!] };
        runs.push(run);
        options.log(`round ${round} ${side}: ${run.wallSeconds.toFixed(1)} s wall, ${run.cpuSeconds.toFixed(1)} s CPU (user ${run.userSeconds.toFixed(1)} + sys ${run.systemSeconds.toFixed(1)}), ${Math.round(run.peakRssMb)} MB, load ${run.load.map((l) => l.toFixed(2)).join(" / ")}`);
        if (options.keepStore && side === "new" && round === options.runs) {
          for (const f of [db, `${db}-wal`]) if (existsSync(f)) copyFileSync(f, f.replace(db, options.keepStore));
        }
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return runs;
}

export function summarise(runs: AbRun[]): string {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const of = (side: "old" | "new", k: "wallSeconds" | "cpuSeconds" | "peakRssMb") => runs.filter((r) => r.side === side).map((r) => r[k]);
  const lines = (["wallSeconds", "cpuSeconds", "peakRssMb"] as const).map((k) => {
    const o = mean(of("old", k));
    const n = mean(of("new", k));
    return `${k}: old ${of("old", k).map((x) => x.toFixed(1)).join(", ")} (mean ${o.toFixed(1)}); new ${of("new", k).map((x) => x.toFixed(1)).join(", ")} (mean ${n.toFixed(1)}); new/old ${(n / o).toFixed(2)}`;
  });
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i < 0 ? undefined : argv[i + 1];
  };
  const old = get("old");
  if (!old) throw new Error("--old DIR is required: a checkout of the older commit (git worktree add --detach DIR COMMIT)");
  const mode = (get("mode") ?? "full") as "full" | "build-only";
  if (mode !== "full" && mode !== "build-only") throw new Error("--mode must be full or build-only");
  const sides = { old: path.resolve(old), new: path.resolve(get("new") ?? ROOT) };
  const log = (l: string) => process.stderr.write(l + "\n");
  log(`month build A/B, ${mode}: old ${commitOf(sides.old)} (${sides.old}), new ${commitOf(sides.new)} (${sides.new})`);
  const runs = await runAb({ ...sides, runs: Number(get("runs") ?? 3), mode, keepStore: get("keep-store"), store: get("store"), log });
  console.log(summarise(runs));
  const outDir = path.join(ROOT, "bench", "out");
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `month-ab-${mode}.json`);
  writeFileSync(file, JSON.stringify({ mode, old: { dir: sides.old, commit: commitOf(sides.old) }, new: { dir: sides.new, commit: commitOf(sides.new) }, runs }, null, 2) + "\n");
  console.log(`Written ${path.relative(process.cwd(), file)}`);
}
