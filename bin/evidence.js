#!/usr/bin/env node
// Entry point. An installed package runs the JavaScript compiled into dist/ at pack time, with no
// transpiler. A checkout runs the TypeScript sources through tsx (a devDependency), unless its dist/
// was built from sources no older than the newest file in src/: a stale build never runs in place
// of the code being edited.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);
const compiled = new URL("dist/cli.js", root);

/** True when dist/ was built after the last change to any file in src/ (or there is no src/). */
function buildIsCurrent() {
  const src = new URL("src/", root);
  if (!existsSync(src)) return true;
  let builtAt;
  try {
    builtAt = JSON.parse(readFileSync(new URL("dist/build-stamp.json", root), "utf8")).sourcesAsOf;
  } catch {
    return false;
  }
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs > builtAt) return false;
  }
  return true;
}

// `evidence hook` (not `hook install`) runs inside the agent's tool loop on every event: it goes to
// the plain-JavaScript hook writer before anything else is loaded.
const argv = process.argv.slice(2);
let main;
if (argv[0] === "hook" && argv[1] !== "install") {
  const { runHook } = await import("./evidence-hook.js");
  process.exit(await runHook(argv.slice(1)));
}
if (existsSync(compiled) && buildIsCurrent()) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import(new URL("src/cli.ts", root).href));
}
process.exitCode = await main(argv);
