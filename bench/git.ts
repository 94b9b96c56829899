/**
 * Git ingest benchmark. A deterministic repository of `size` commits is written with
 * `git fast-import` into a scratch folder under the OS temp dir: a main line with a merged topic
 * branch every 25 commits, AI co-author trailers, Aider and Dependabot commits, a few files per
 * commit. Then, in the same run:
 *  - the bare `git log` command our ingest runs (same arguments, output counted and dropped);
 *  - our ingest through the real path (config, git source, parser, redaction, SQLite store), in a
 *    child process so its peak RSS is its own. Judging production changes is not ingest: `build`
 *    does it per period; the bench times it for the whole history apart, for information.
 * Prints both times, the ratio (target <= 1.5) and the peak RSS at `size` and at a quarter of it:
 * memory must not grow with history length.
 *
 * Run alone: node --import tsx bench/git.ts [size]   (default 100,000)
 */
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { logArgs } from "../src/ingest/git/parse.ts";
import { GIT_ENV, GIT_SAFETY } from "../src/ingest/git/read.ts";

export interface GitBenchPoint {
  commits: number;
  gitLogSeconds: number;
  ingestSeconds: number;
  /** Ingest time over bare `git log` time. */
  ratio: number;
  /** CPU seconds of the bare `git log` (Linux: from /proc; null elsewhere) and of our process (git's share excluded). */
  gitLogCpuSeconds: number | null;
  ingestCpuSeconds: number;
  peakHeapMb: number;
  /** Judging every production change of the history (build does it per period), not in the ratio. */
  deriveSeconds: number;
  peakRssMb: number;
  gitLogMb: number;
}

export interface GitBenchResult {
  points: GitBenchPoint[];
}

const AUTHORS = [
  "Maria Garcia <maria@acme.example>", "Li Wei <li@acme.example>", "Olga Ivanova <olga@acme.example>", "Sam Okafor <sam@acme.example>",
  "Ops Oncall <ops@acme.example>", "Dev Nine <dev9@acme.example>",
];
const CO_AUTHORS = ["Claude <noreply@anthropic.com>", "Cursor <cursoragent@cursor.com>", "Codex <noreply@openai.com>"];
const EPOCH = Date.UTC(2024, 0, 1) / 1000;

/** The fast-import stream for `size` commits: deterministic, so every run measures the same history. */
function* fastImport(size: number, epoch = EPOCH, spacing = 60): Generator<string> {
  let mark = 0;
  let main = 0;
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const commit = (ref: string, i: number, from: number, merge?: number) => {
    const who = i % 40 === 0 ? "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>" : i % 50 === 0 ? "Li Wei (aider) <li@acme.example>" : AUTHORS[i % AUTHORS.length]!;
    const when = `${epoch + i * spacing} +0000`;
    const trailer = i % 7 === 0 ? `\n\nCo-authored-by: ${CO_AUTHORS[i % CO_AUTHORS.length]}` : i % 11 === 0 ? "\n\nReviewed-by: Olga Ivanova <olga@acme.example>" : "";
    const subject = merge ? `Merge pull request #${i} from acme/topic-${i}` : i % 3 === 0 ? `Update module ${i % 200} (#${i})` : `Change ${i}: adjust module ${i % 200}`;
    const files = [`src/mod${i % 200}/file${i % 13}.ts`, ...(i % 5 === 0 ? [`test/mod${i % 200}.test.ts`] : []), ...(i % 97 === 0 ? [`infra/stack${i % 3}.yaml`] : [])];
    return [
      `commit ${ref}`, `mark :${++mark}`, `author ${who} ${when}`, `committer ${who} ${when}`, data(`${subject}${trailer}`).trimEnd(),
      ...(from ? [`from :${from}`] : []), ...(merge ? [`merge :${merge}`] : []),
      ...files.map((f) => `M 100644 inline ${f}\n${data(`export const v = ${i};\n// ${f}\n`).trimEnd()}`), "",
    ].join("\n") + "\n";
  };
  for (let i = 1; i <= size; i++) {
    if (i % 25 === 0 && i + 2 <= size) {
      // A topic branch of two commits from the current main, merged back with --no-ff.
      yield commit(`refs/heads/topic`, i, main);
      const t1 = mark;
      yield commit(`refs/heads/topic`, i + 1, t1);
      const t2 = mark;
      yield commit("refs/heads/main", i + 2, main, t2);
      main = mark;
      i += 2;
      continue;
    }
    yield commit("refs/heads/main", i, main);
    main = mark;
  }
}

/** `epoch` and `spacing` (seconds) place the history in time; the whole-month bench (bench/index.ts) spreads it over the month it builds. */
export function buildRepository(dir: string, size: number, epoch = EPOCH, spacing = 60): void {
  execFileSync("git", ["init", "--quiet", "--initial-branch=main", dir]);
  // fast-import grows its heap in many small brk() calls, which some VMs make very slow; a larger
  // glibc top pad makes building 100,000 commits take seconds rather than minutes.
  const child = spawnSync("git", ["-C", dir, "fast-import", "--quiet", "--done"], {
    input: [...fastImport(size, epoch, spacing), "done\n"].join(""), maxBuffer: 1 << 30, env: { ...process.env, MALLOC_TOP_PAD_: String(256 << 20) },
  });
  if (child.status !== 0) throw new Error(`git fast-import failed: ${child.stderr.toString()}`);
}

/**
 * The bare command, exactly as readGitHistory runs it, its output counted (wc) and dropped. Run
 * under sh so that, on Linux, the shell's /proc stat gives the CPU time of the git it waited for.
 */
function timeGitLog(repo: string): Promise<{ seconds: number; bytes: number; cpuSeconds: number | null }> {
  const tip = execFileSync("git", ["-C", repo, "rev-parse", "refs/heads/main"], { encoding: "utf8" }).trim();
  const args = ["-C", repo, ...GIT_SAFETY, ...logArgs(tip, { diff: "numstat", verifySignatures: false })];
  const script = 'git "$@" | wc -c; cat /proc/$$/stat 2>/dev/null || true';
  const started = performance.now();
  const child = spawn("sh", ["-c", script, "sh", ...args], { env: { ...process.env, ...GIT_ENV }, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", () => {
      const seconds = (performance.now() - started) / 1000;
      const [bytes, stat] = out.trim().split("\n");
      // Fields 16 and 17 of /proc/<pid>/stat: CPU ticks of waited-for children (user, system), at 100 ticks per second.
      const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cpuSeconds = fields && fields.length > 15 ? (Number(fields[13]) + Number(fields[14])) / 100 : null;
      resolve({ seconds, bytes: Number(bytes), cpuSeconds });
    });
  });
}

/** Our ingest, in this process: config with one git source, a fresh store, the real ingestSources. */
interface IngestMeasure { seconds: number; cpuSeconds: number; deriveSeconds: number; commits: number; peakRssMb: number; peakHeapMb: number }

async function ingestOnce(repo: string, scratch: string): Promise<IngestMeasure> {
  const { loadConfig } = await import("../src/config.ts");
  const { ingestSources } = await import("../src/ingest/index.ts");
  const { openStore } = await import("../src/store/index.ts");
  const { deriveChanges } = await import("../src/changes/derive.ts");
  const configFile = path.join(scratch, "evidence.config.yaml");
  writeFileSync(configFile, `organisation: { name: Bench }\nsources:\n  - { name: repo, kind: git, repository: ${JSON.stringify(repo)} }\n`);
  const loaded = loadConfig(configFile);
  const db = openStore(path.join(scratch, `store-${process.pid}.db`));
  const progress = { update() {}, info() {}, warn() {}, done() {} } as unknown as Parameters<typeof ingestSources>[2]["progress"];
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 25);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const summary = await ingestSources(db, loaded, { cacheDir: path.join(scratch, "cache"), now: new Date(0), progress });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const d0 = performance.now();
  if (!process.env.BENCH_GIT_NO_JUDGE) deriveChanges(db, loaded.config);
  const deriveSeconds = (performance.now() - d0) / 1000;
  db.close();
  return { seconds, cpuSeconds, deriveSeconds, commits: summary.accepted, peakRssMb, peakHeapMb: peakHeap / 2 ** 20 };
}

function ingestInChild(repo: string, scratch: string): Promise<IngestMeasure> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ["--import", "tsx", self, "--ingest", repo, scratch], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`ingest child exited ${code}`))));
  });
}

async function point(size: number, scratch: string): Promise<GitBenchPoint> {
  const repo = path.join(scratch, `repo-${size}`);
  buildRepository(repo, size);
  await timeGitLog(repo); // warm the page cache for both measurements
  const bare1 = await timeGitLog(repo);
  const ours = await ingestInChild(repo, scratch);
  const bare2 = await timeGitLog(repo);
  const gitLogSeconds = Math.min(bare1.seconds, bare2.seconds);
  const cpu = [bare1.cpuSeconds, bare2.cpuSeconds].filter((c): c is number => c !== null);
  return {
    commits: ours.commits, gitLogSeconds, ingestSeconds: ours.seconds, ratio: ours.seconds / gitLogSeconds, gitLogCpuSeconds: cpu.length ? Math.min(...cpu) : null,
    ingestCpuSeconds: ours.cpuSeconds, deriveSeconds: ours.deriveSeconds, peakRssMb: ours.peakRssMb, peakHeapMb: ours.peakHeapMb, gitLogMb: bare1.bytes / 1e6,
  };
}

export async function run(size = 100_000): Promise<GitBenchResult> {
  const scratch = mkdtempSync(path.join(tmpdir(), "evidence-bench-git-"));
  try {
    const points: GitBenchPoint[] = [];
    for (const n of [Math.floor(size / 4), size]) {
      const p = await point(n, scratch);
      points.push(p);
      console.log(
        `git: ${p.commits.toLocaleString("en-US")} commits (${p.gitLogMb.toFixed(0)} MB of log): git log ${p.gitLogSeconds.toFixed(2)} s, ` +
          `ingest ${p.ingestSeconds.toFixed(2)} s, ratio ${p.ratio.toFixed(2)}x (target <= 1.5x); CPU: git ${p.gitLogCpuSeconds?.toFixed(2) ?? "?"} s, ` +
          `our process ${p.ingestCpuSeconds.toFixed(2)} s; peak RSS ${p.peakRssMb.toFixed(0)} MB, peak JS heap ${p.peakHeapMb.toFixed(0)} MB; ` +
          `judging all production changes afterwards ${p.deriveSeconds.toFixed(2)} s`,
      );
    }
    const [small, large] = points as [GitBenchPoint, GitBenchPoint];
    console.log(
      `git: memory at ${small.commits.toLocaleString("en-US")} and ${large.commits.toLocaleString("en-US")} commits: peak RSS ${small.peakRssMb.toFixed(0)} / ${large.peakRssMb.toFixed(0)} MB, ` +
        `peak JS heap ${small.peakHeapMb.toFixed(0)} / ${large.peakHeapMb.toFixed(0)} MB (SQLite's page cache, capped at 64 MiB by the store, is in the RSS)`,
    );
    return { points };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (process.argv[2] === "--ingest") {
    console.log(JSON.stringify(await ingestOnce(process.argv[3]!, process.argv[4]!)));
  } else {
    await run(process.argv[2] ? Number(process.argv[2]) : undefined);
  }
}
