/**
 * The real CLI (src/cli.ts `main`) in a child process that loads every module first and starts on
 * a "go" message over IPC, so a test can start it ahead of time and kill it at a random point of
 * the run itself rather than of module loading. Spawned by `startCli` in crash-harness.ts.
 */
import { main } from "../../src/cli.ts";

process.once("message", () => {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    process.disconnect?.();
  });
});
process.send?.("ready");
