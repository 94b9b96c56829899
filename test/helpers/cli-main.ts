import type { CliResult } from "./workspace.ts";
import { runCli } from "./workspace.ts";

/**
 * The CLI for commands that only read (check, baseline write). It used to run `main()` in this
 * process with process.stdout patched to capture its output; under `node --test` the runner reports
 * through the same process.stdout, so results written while a command awaited were swallowed and
 * whole tests vanished from the count. It now runs the CLI in a child, like every other command.
 */
export async function runMain(args: string[]): Promise<CliResult> {
  return runCli(args);
}
