import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { InputError } from "../../errors.ts";
import type { EnrichContext } from "../enrich.ts";
import type { ParsedItem } from "../parser.ts";
import { attributeCommit, LOG_FORMAT, parseLogRecord, RECORD, toCommitRecord } from "./parse.ts";

/** Runs git with a clean, predictable environment (no pager, no user config surprises in output). */
function git(repo: string, args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, GIT_PAGER: "cat", LC_ALL: "C", GIT_NO_LAZY_FETCH: "1" },
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

/**
 * Streams the production branch's history in one `git log` pass and yields one commit record per
 * commit. First-parent membership comes from a single `git rev-list --first-parent`.
 */
export async function* readGitHistory(repo: string, repoName: string, branch: string, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  const tip = resolveBranchTip(repo, branch);
  if (existsSync(path.join(repo, "shallow")) || existsSync(path.join(repo, ".git", "shallow"))) {
    yield { kind: "note", text: "shallow clone: history before the shallow boundary is missing, so the population may be incomplete" };
  }
  const firstParent = new Set(git(repo, ["rev-list", "--first-parent", tip]).split("\n").filter(Boolean));
  const child = spawn("git", ["-C", repo, "log", "--no-color", "--encoding=UTF-8", `--format=${LOG_FORMAT}`, tip], {
    env: { ...process.env, GIT_PAGER: "cat", LC_ALL: "C", GIT_NO_LAZY_FETCH: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  const agentEmail = (email: string) => ctx.agentForGitEmail(email)?.product ?? null;
  let buffer = "";
  let index = 0;
  const emit = function* (record: string): Generator<ParsedItem> {
    const raw = parseLogRecord(record.replace(/\n$/, ""));
    if (typeof raw === "string") {
      yield { kind: "reject", reject: { locator: `commit ${index}`, reason: raw, excerpt: record.slice(0, 200) } };
    } else {
      yield { kind: "commit", commit: toCommitRecord(raw, repoName, firstParent.has(raw.sha), attributeCommit(raw, agentEmail), index) };
    }
    index++;
  };
  child.stdout.setEncoding("utf8");
  for await (const chunk of child.stdout as AsyncIterable<string>) {
    buffer += chunk;
    const parts = buffer.split(RECORD);
    buffer = parts.pop()!;
    for (const part of parts) if (part) yield* emit(part);
  }
  if (buffer) yield* emit(buffer);
  const code = await exited;
  if (code !== 0) yield { kind: "note", text: `git log exited ${code}: ${stderr.trim().split("\n")[0]}` };
}
