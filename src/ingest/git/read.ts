import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";
import { InputError } from "../../errors.ts";
import type { EnrichContext } from "../enrich.ts";
import type { ParsedItem } from "../parser.ts";
import { clipAtTokenBoundary } from "../../redact/clip.ts";
import { attributeCommit } from "../../git/attribution.ts";
import { toCommitRecord } from "./commit.ts";
import { logArgs, parseLogRecord, RECORD, type DiffMode } from "./parse.ts";

/**
 * Git runs with a clean, predictable environment: no pager, C locale, and no network. A partial
 * clone fetches a missing object from its promisor remote on demand, once per object; reading
 * history must never do that, so lazy fetching is off (GIT_NO_LAZY_FETCH, git >= 2.44) and, for
 * older git, every transport is refused (`protocol.allow=never`), which makes such a fetch fail
 * instead of running.
 */
export const GIT_ENV = { GIT_PAGER: "cat", LC_ALL: "C", TZ: "UTC", GIT_NO_LAZY_FETCH: "1", GIT_TERMINAL_PROMPT: "0" };
export const GIT_SAFETY = ["-c", "protocol.allow=never", "-c", "core.quotePath=false", "-c", "log.showSignature=false", "-c", "diff.renames=true"];

function git(repo: string, args: string[]): string {
  return execFileSync("git", ["-C", repo, ...GIT_SAFETY, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...GIT_ENV },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * A `git bundle` is unpacked once into a bare clone under the cache folder, keyed by the bundle's
 * hash; the clone is made in a temporary folder and renamed, so a killed run leaves no half clone.
 */
export function materializeRepository(repository: string, bundleSha256: string | null, cacheDir: string): string {
  if (!repository.endsWith(".bundle")) {
    if (!existsSync(repository)) throw new InputError(`${repository}: git repository not found`);
    return repository;
  }
  const target = path.join(cacheDir, `bundle-${bundleSha256}`);
  if (existsSync(target)) return target;
  mkdirSync(cacheDir, { recursive: true });
  const temp = `${target}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  try {
    execFileSync("git", ["clone", "--bare", "--quiet", repository, temp], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw new InputError(`${repository}: not a readable git bundle (${(error as Error).message.split("\n")[0]})`);
  }
  renameSync(temp, target);
  return target;
}

export function resolveBranchTip(repo: string, branch: string): string {
  try {
    return git(repo, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`]).trim();
  } catch {
    throw new InputError(`${repo}: production branch "${branch}" not found`);
  }
}

export interface RepositoryShape {
  gitVersion: string;
  shallow: boolean;
  /** The partial-clone filter (`blob:none`, `tree:0`…), or null for a full clone. */
  partialFilter: string | null;
}

/** What kind of clone this is, from one `git config` read: partial clones mark their promisor remote. */
let gitVersionCache: string | undefined;

export function inspectRepository(repo: string): RepositoryShape {
  gitVersionCache ??= execFileSync("git", ["--version"], { encoding: "utf8" }).trim().replace(/^git version /, "");
  const gitVersion = gitVersionCache;
  const shallow = git(repo, ["rev-parse", "--is-shallow-repository"]).trim() === "true";
  let config = "";
  try {
    config = git(repo, ["config", "--get-regexp", String.raw`^(extensions\.partialclone|remote\..*\.(promisor|partialclonefilter))$`]);
  } catch {
    // exit 1: no such keys, a full clone
  }
  const lines = config.split("\n").filter(Boolean);
  const promisor = lines.some((l) => /^extensions\.partialclone /i.test(l) || /\.promisor true$/i.test(l));
  const filter = lines.find((l) => /\.partialclonefilter /i.test(l))?.split(" ")[1] ?? null;
  return { gitVersion, shallow, partialFilter: promisor ? (filter ?? "unknown") : null };
}

export interface GitReadOptions {
  lineCounts: boolean;
  verifySignatures: boolean;
  sensitivePaths: readonly string[];
  emergencyTrailers: readonly string[];
  /** The production tip, when the caller resolved it already. */
  tip?: string;
}

export const DEFAULT_GIT_READ: GitReadOptions = { lineCounts: true, verifySignatures: false, sensitivePaths: [], emergencyTrailers: [] };

/** Line counts need blobs; a blobless clone has none locally, a treeless one not even trees. */
export function diffModeFor(shape: RepositoryShape, lineCounts: boolean): DiffMode {
  if (shape.partialFilter?.startsWith("tree:")) return "none";
  if (shape.partialFilter || !lineCounts) return "name-status";
  return "numstat";
}

/**
 * Streams everything reachable from the production tip in one `git log` pass and yields one
 * commit record per commit. Output is in topological order (children first), so the
 * first-parent chain (what landed on the production branch) is followed with one variable:
 * memory stays flat however long the history is.
 */
export async function* readGitHistory(
  repo: string, repoName: string, branch: string, ctx: EnrichContext, options: GitReadOptions = DEFAULT_GIT_READ,
): AsyncIterable<ParsedItem> {
  const tip = options.tip ?? resolveBranchTip(repo, branch);
  const shape = inspectRepository(repo);
  const diff = diffModeFor(shape, options.lineCounts);
  const args = logArgs(tip, { diff, verifySignatures: options.verifySignatures });
  yield { kind: "note", text: `git ${shape.gitVersion}: git ${args.filter((a) => !a.startsWith("--format=")).join(" ")} (production tip ${tip})` };
  if (shape.shallow) yield { kind: "note", text: "shallow clone: history before the shallow boundary is missing, so the population may be incomplete" };
  if (shape.partialFilter) {
    yield {
      kind: "note",
      text: `partial clone (filter ${shape.partialFilter}): ${diff === "none" ? "changed paths" : "line counts"} need objects that are not local, so ${diff === "none" ? "no paths were read" : "only file names were read (--name-status, no rename detection)"}; lazy fetching was disabled, nothing was downloaded`,
    };
  }
  if (options.verifySignatures) yield { kind: "note", text: "signatures verified with %G? against this machine's keyring" };

  const configuredAgent = (email: string) => ctx.agentForGitEmail(email)?.product ?? null;
  const isSensitive = options.sensitivePaths.length ? picomatch([...options.sensitivePaths], { dot: true }) : () => false;
  let expected: string | null = tip;
  // Which production merge landed each branch commit: merges claim their non-first parents, branch
  // commits pass their landing on to their parents, and the oldest merge wins (a commit merged
  // twice landed with the first merge). Entries leave the map when their commit is read, so it
  // holds only the open branch tips, not the history.
  const landing = new Map<string, { sha: string; order: number }>();
  const claim = (sha: string, by: { sha: string; order: number }) => {
    const current = landing.get(sha);
    if (!current || by.order > current.order) landing.set(sha, by);
  };
  let productionOrder = 0;
  let index = 0;
  let latin1 = 0;
  let lastSha = null as string | null;
  const emit = (bytes: Buffer, mode: DiffMode): ParsedItem => {
    const raw = parseLogRecord(bytes, mode);
    const i = index++;
    if (typeof raw === "string") return { kind: "reject", reject: { locator: `commit ${i}`, reason: raw, excerpt: bytes.subarray(0, 200).toString("latin1") } };
    if (raw.latin1) latin1++;
    lastSha = raw.sha;
    const onProduction = raw.sha === expected;
    const landed = landing.get(raw.sha);
    landing.delete(raw.sha);
    if (onProduction) {
      expected = raw.parents[0] ?? null;
      const self = { sha: raw.sha, order: ++productionOrder };
      for (const p of raw.parents.slice(1)) claim(p, self);
    } else if (landed) {
      for (const p of raw.parents) claim(p, landed);
    }
    const attribution = attributeCommit(raw, configuredAgent);
    const commit = toCommitRecord(raw, { repo: repoName, onProduction, attribution, isSensitive, emergencyTrailers: options.emergencyTrailers, index: i });
    if (!onProduction) commit.landedBy = landed?.sha ?? null;
    return { kind: "commit", commit };
  };
  const run: LogRun = { code: 0, stderr: "" };
  for await (const record of logRecords(repo, args, run)) yield emit(record, diff);
  let failed = run.code === 0 ? null : run;
  let stoppedAt = index;
  if (failed && diff === "numstat") {
    // Line counts need both blobs of every changed file; one missing blob (a damaged clone, a
    // pruned object) stops `git log --numstat` for good. `--name-status --no-renames` compares
    // trees only, so the same range read that way lists every commit without any file contents:
    // the commits already read are skipped (same walk, same order), the rest come without line
    // counts (null, never zero: a count of zero would be a false statement).
    const numstatError = lastLine(failed.stderr);
    const retry: LogRun = { code: 0, stderr: "" };
    const readBefore = index;
    let seen = 0;
    for await (const record of logRecords(repo, logArgs(tip, { diff: "name-status", verifySignatures: options.verifySignatures }), retry)) {
      if (++seen < readBefore) continue;
      if (seen === readBefore) {
        // The walk must be the same one: the last commit read before the stop is at the same place.
        if (shaOf(record) !== lastSha) {
          retry.code = -1;
          retry.stderr = `the second read listed ${shaOf(record).slice(0, 12)} where the first had ${lastSha?.slice(0, 12)}`;
          break;
        }
        continue;
      }
      yield emit(record, "name-status");
    }
    yield {
      kind: "note",
      text: clipAtTokenBoundary(
        `git log --numstat stopped after ${readBefore} commits (exit ${failed.code}: ${numstatError}); the same history was read again with --name-status --no-renames, which needs no file contents: ${index - readBefore} more commits kept without line counts (stored as unknown, not zero), and a rename counts as a delete and an add`,
        500,
      ),
    };
    failed = retry.code === 0 ? null : retry;
    stoppedAt = index;
  }
  if (failed?.partial?.includes(HEADER_DONE)) {
    // git flushes what it wrote before dying: the commit it stopped on has a whole header, but its
    // changes may be cut short, so it is kept with its changed files unknown.
    yield emit(failed.partial, "none");
    stoppedAt = index;
  }
  if (latin1) yield { kind: "note", text: `${latin1} commit message(s) were not valid UTF-8 and carried no encoding header; read as Latin-1` };
  if (failed) {
    // A missing or corrupt object stops git for good: what was read is kept, the stop is a reject
    // the inventory shows, and the repository's population is marked incomplete.
    const why = `git log exited ${failed.code}: ${failed.stderr.trim().split("\n").slice(-3).join(" / ")}`;
    yield {
      kind: "reject",
      reject: {
        locator: `git log (after ${stoppedAt} commits)`,
        reason: clipAtTokenBoundary(why, 500),
        incomplete: clipAtTokenBoundary(`history read stopped after ${stoppedAt} commits: ${lastLine(failed.stderr)}`, 300),
      },
    };
  }
}

interface LogRun {
  code: number;
  stderr: string;
  /** When git failed: the bytes of the record it was writing, which may be cut short. */
  partial?: Buffer;
}

const HEADER_DONE = Buffer.from("\x1f\x00");

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/** The commit id a raw record starts with (up to the first field separator). */
function shaOf(record: Buffer): string {
  const end = record.indexOf(0x1f);
  return record.subarray(0, end < 0 ? 0 : end).toString("latin1");
}

/**
 * One `git log` pass, yielding each record's raw bytes. Records are cut on the RS byte: a record
 * is decoded only once it is whole, so a multi-byte character split across chunks, or a Latin-1
 * message, is never mangled. A record is known whole when the next one starts; the last one only
 * when git exits 0, since git that dies mid-diff has printed a header without its changes. The
 * exit code and the end of stderr are left in `run`.
 */
async function* logRecords(repo: string, args: string[], run: LogRun): AsyncGenerator<Buffer> {
  const child = spawn("git", ["-C", repo, ...GIT_SAFETY, ...args], { env: { ...process.env, ...GIT_ENV }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  let pending: Buffer[] = [];
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let start = 0;
      for (let at = chunk.indexOf(RECORD, start); at >= 0; at = chunk.indexOf(RECORD, start)) {
        pending.push(chunk.subarray(start, at));
        const record = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = [];
        start = at + 1;
        if (record.length) yield record;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    }
    run.code = await exited;
    run.stderr = stderr;
    const last = Buffer.concat(pending);
    if (run.code !== 0) run.partial = last;
    else if (last.length) yield last;
  } finally {
    // A consumer that stops early must not leave git running.
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
