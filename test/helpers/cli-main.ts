import { main } from "../../src/cli.ts";
import type { CliResult } from "./workspace.ts";

/**
 * The CLI's `main()` run in this process, stdout and stderr captured: the same code path as
 * `runCli` without the seconds a child process spends starting tsx. For commands that only read
 * (check, baseline write); builds keep running in a child.
 */
export async function runMain(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const { write: outWrite } = process.stdout;
  const { write: errWrite } = process.stderr;
  process.stdout.write = ((chunk: unknown) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const status = await main(args);
    return { status, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = outWrite;
    process.stderr.write = errWrite;
  }
}
