import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SAMPLE = path.join(REPO_ROOT, "samples", "acme");
const BIN = path.join(REPO_ROOT, "bin", "evidence.js");

/** Folders tempDir made in this process: removed when it exits, whether or not the test that made them cleaned up. */
const made = new Set<string>();

/**
 * A new folder in the OS temp folder. It is removed when the process exits (node --test runs each
 * test file in a process of its own), so a test that fails half-way or forgets `t.after` leaves
 * nothing behind; removing it earlier with rmSync is still fine.
 */
export function tempDir(prefix = "evidence-test-"): string {
  if (made.size === 0) process.once("exit", () => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** A private copy of the sample workspace (without any store or reports from earlier runs). */
export function copySample(): string {
  const dir = tempDir("evidence-acme-");
  cpSync(SAMPLE, dir, { recursive: true, filter: (src) => !/[\\/](\.evidence|reports)([\\/]|$)/.test(src.slice(SAMPLE.length)) });
  return dir;
}

/**
 * The sample with one CloudTrail log file in sixteen and no digests (a thinned folder would only
 * fail verification): every source kind, ~60 files, a few seconds a build.
 */
export function copySmallSample(): string {
  const ws = copySample();
  const dir = path.join(ws, "cloudtrail");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json.gz")).sort();
  for (const account of readdirSync(path.join(dir, "AWSLogs"))) rmSync(path.join(dir, "AWSLogs", account, "CloudTrail-Digest"), { recursive: true, force: true });
  files.filter((f) => !f.includes("CloudTrail-Digest")).forEach((f, i) => i % 16 !== 0 && rmSync(path.join(dir, f)));
  return ws;
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as a user would. */
export function runCli(args: string[], options: { cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
