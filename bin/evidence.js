#!/usr/bin/env node
// Entry point: register tsx so the TypeScript sources run as-is (no build step), then hand over to the CLI.
// `evidence hook` (not `hook install`) runs inside the agent's tool loop on every event: it goes to
// the plain-JavaScript hook writer before tsx, yargs or the CLI are loaded.
const argv = process.argv.slice(2);
if (argv[0] === "hook" && argv[1] !== "install") {
  const { runHook } = await import("./evidence-hook.js");
  process.exitCode = runHook(argv.slice(1));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("../src/cli.ts");
  process.exitCode = await main(argv);
}
