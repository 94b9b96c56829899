#!/usr/bin/env node
// Entry point: the compiled CLI in an installed package, the TypeScript sources in a checkout
// whose dist/ is stale (bin/runtime.js).

// `evidence hook` (not `hook install`) runs inside the agent's tool loop on every event: it goes to
// the plain-JavaScript hook writer before anything else is loaded.
const argv = process.argv.slice(2);
if (argv[0] === "hook" && argv[1] !== "install") {
  const { runHook } = await import("./evidence-hook.js");
  process.exit(await runHook(argv.slice(1)));
}
const { importSource } = await import("./runtime.js");
const { main } = await importSource("cli");
process.exitCode = await main(argv);
