import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SAMPLE = path.join(REPO_ROOT, "samples", "acme");
const BIN = path.join(REPO_ROOT, "bin", "evidence.js");

export function tempDir(prefix = "evidence-test-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A private copy of the sample workspace (without any store or reports from earlier runs). */
export function copySample(): string {
  const dir = tempDir("evidence-acme-");
  cpSync(SAMPLE, dir, { recursive: true, filter: (src) => !/[\\/](\.evidence|reports)([\\/]|$)/.test(src.slice(SAMPLE.length)) });
  return dir;
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
