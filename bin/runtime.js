// Which code a command runs: an installed package runs the JavaScript compiled into dist/ at pack
// time, with no transpiler. A checkout runs the TypeScript sources through tsx (a devDependency),
// unless its dist/ was built from sources no older than the newest file in src/: a stale build
// never runs in place of the code being edited.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);

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

/**
 * Imports a module of src/ by its path without extension ("cli", "commands/hook-guard"): the
 * compiled one when it is current, else the TypeScript source through tsx.
 * @param {string} name
 */
export async function importSource(name) {
  const compiled = new URL(`dist/${name}.js`, root);
  if (existsSync(compiled) && buildIsCurrent()) return import(compiled.href);
  const { register } = await import("tsx/esm/api");
  register();
  return import(new URL(`src/${name}.ts`, root).href);
}
