import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import path from "node:path";
import { crashSeed, packageProblems, readStore, sleep, startCli, tempSiblings, type CliChild, type StoreState } from "../helpers/crash.ts";
import { copySmallSample } from "../helpers/workspace.ts";

/**
 * Crash safety: the real CLI is killed with SIGKILL at random points of `evidence build`, during
 * ingest and during report writing. After every kill the store passes integrity_check and holds no
 * half-ingested file (per-file counts equal the uninterrupted run's), and the package folder is
 * absent, the previous package or the new one, never partial. Runs resumed after kills end with the
 * counts of an uninterrupted run, and a final rerun writes the same CSVs and leaves no temp folder.
 * `npm run test:soak` does 200 kills instead of 15. The kill points come from a fixed seed, so every
 * run tests the same points; CRASH_SEED=N explores others, and replays a failure (its message names the seed).
 */
const KILLS = process.env.SOAK ? 200 : 15;
const SEED = crashSeed();

/** Deterministic per seed, so a failure can be replayed with CRASH_SEED. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Files committed so far, read beside the running CLI (WAL lets a reader in); 0 before the store exists. */
function committedFiles(file: string): number {
  if (!existsSync(file)) return 0;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 1000 });
    try {
      return db.prepare("SELECT count(*) FROM source_files").pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

function comparable(s: StoreState): { files: Record<string, string>; tables: Record<string, number> } {
  const { builds: _builds, ...tables } = s.tables;
  return { files: Object.fromEntries([...s.files].sort()), tables };
}

function csvs(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".csv"))
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f), "utf8")]),
  );
}

interface Workspace {
  ws: string;
  db: string;
  out: string;
  args: string[];
}

function workspace(ws: string): Workspace {
  const out = path.join(ws, "out");
  return { ws, db: path.join(ws, ".evidence", "evidence.db"), out, args: ["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out, "--quiet"] };
}

/** Runs a started CLI to completion, timing its phases: ingest and evaluation until its temp folder appears, then writing. */
async function timed(cli: CliChild, out: string): Promise<{ ingest: number; write: number }> {
  await cli.ready;
  const start = cli.go();
  let writingAt = 0;
  while (!(await Promise.race([cli.exited.then(() => true), sleep(5).then(() => false)]))) {
    if (!writingAt && tempSiblings(out).some((n) => n.includes(".tmp-"))) writingAt = performance.now();
  }
  const result = await cli.exited;
  assert.equal(result.code, 0, result.stderr);
  return { ingest: (writingAt || performance.now()) - start, write: writingAt ? performance.now() - writingAt : 0 };
}

interface Reference {
  state: StoreState;
  csvs: Record<string, string>;
  phases: { ingest: number; write: number };
}

const tally = { ingest: 0, writing: 0, other: 0, finished: 0, reruns: 0 };

/**
 * Chains of five kills on one fresh store: three while ingesting, each run resuming the last and
 * killed once a random number of files (more each time) is committed, plus a few milliseconds so
 * some kills land inside a file's transaction; then two while writing the package, whose runs first
 * complete the ingest: their store must then match the uninterrupted run's exactly. A last run to
 * completion must write the same CSVs and leave no temp folder.
 */
async function killChains(w: Workspace, kills: number, reference: Reference, random: () => number): Promise<void> {
  const { db, out, args } = w;
  const sameCounts = (why: string) => assert.deepEqual(comparable(readStore(db)), comparable(reference.state), why);
  const CHAIN = ["ingest", "ingest", "ingest", "writing", "writing"] as const;
  const files = reference.state.files.size;
  let next = startCli(args);
  try {
    for (let i = 0; i < kills; i++) {
      const step = i % CHAIN.length;
      const target = CHAIN[step]!;
      if (step === 0) rmSync(path.dirname(db), { recursive: true, force: true });
      const before = existsSync(out) ? packageProblems(out) : null;

      const cli = next;
      await cli.ready;
      cli.go();
      const deadline = performance.now() + reference.phases.ingest * 5;
      if (target === "ingest") {
        const goal = Math.floor((files * (step + random())) / 3);
        while (committedFiles(db) < goal && performance.now() < deadline) await sleep(3);
        await sleep(random() * 30);
      } else {
        while (!tempSiblings(out).some((n) => n.includes(`.tmp-${cli.child.pid}`)) && performance.now() < deadline) await sleep(2);
        await sleep(random() * reference.phases.write * 0.9);
      }
      const writing = tempSiblings(out).some((n) => n.endsWith(`-${cli.child.pid}`));
      const killed = cli.child.kill("SIGKILL");
      const result = await cli.exited;
      next = startCli(args);
      if (result.signal !== "SIGKILL" || !killed) tally.finished++;
      else if (writing) tally.writing++;
      else if (committedFiles(db) < files) tally.ingest++;
      else tally.other++;

      const at = `${path.basename(w.ws)} kill ${i + 1} (CRASH_SEED=${SEED})`;
      if (!existsSync(db)) {
        // Killed before the run had created the fresh store (its start can outlast the deadline on a
        // loaded machine): nothing was written, and the package must be as it was.
        assert.equal(result.signal, "SIGKILL", `${at}: the run ended by itself without creating its store: ${result.stderr}`);
        assert.equal(target, "ingest", `${at}: the store is missing after a kill while writing the package`);
        assert.deepEqual(existsSync(out) ? packageProblems(out) : null, before, `${at}: the package changed`);
        continue;
      }
      const state = readStore(db);
      assert.equal(state.integrity, "ok", `${at}: integrity_check`);
      assert.deepEqual(state.partial, [], `${at}: a half-ingested file`);
      for (const [file, counts] of state.files) assert.equal(counts, reference.state.files.get(file), `${at}: ${file} counts`);
      if (existsSync(out)) assert.deepEqual(packageProblems(out), [], `${at}: the package folder is complete`);
      else assert.ok(before === null || tempSiblings(out).some((n) => n.includes(".old-")), `${at}: the previous package vanished`);
      if (target === "writing" && writing) {
        sameCounts(`${at}: the run resumed after the ingest kills ends with the counts of an uninterrupted run`);
        tally.reruns++;
      }
    }
    await timed(next, out);
    sameCounts("the final rerun ends with the counts of an uninterrupted run");
    assert.deepEqual(csvs(out), reference.csvs, "and writes the same CSVs");
    assert.deepEqual(tempSiblings(out), [], "stale temp folders are cleaned up");
    tally.reruns++;
  } catch (error) {
    // The pre-started run waits for go(): left alive, it would keep this test file from ever exiting.
    next.child.kill("SIGKILL");
    throw error;
  }
}

test(`SIGKILL at random points of build leaves a consistent store and package (${KILLS} kills)`, { timeout: KILLS * 60_000 }, async () => {
  // The uninterrupted reference run, then two workspaces killed in parallel (the CLI is mostly one core).
  const [w0, w1, w2] = [copySmallSample(), copySmallSample(), copySmallSample()].map(workspace) as [Workspace, Workspace, Workspace];
  const phases = await timed(startCli(w0.args), w0.out);
  const reference: Reference = { state: readStore(w0.db), csvs: csvs(w0.out), phases };
  assert.equal(reference.state.integrity, "ok");
  assert.deepEqual(reference.state.partial, []);
  const half = Math.ceil(KILLS / 2);
  await Promise.all([killChains(w1, half, reference, rng(SEED)), killChains(w2, KILLS - half, reference, rng(SEED + 1))]);
  console.log(
    `crash test (seed ${SEED}): ${KILLS} SIGKILLs: ${tally.ingest} during ingest, ${tally.writing} while writing the package, ${tally.other} between, ` +
      `${tally.finished} runs finished first; ${tally.reruns} resumed runs matched the uninterrupted run's counts`,
  );
  assert.ok(tally.ingest > 0 && tally.writing > 0, "kills landed in both phases");
});
