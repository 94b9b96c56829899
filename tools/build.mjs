// Compiles src/ to dist/ (run by npm at `prepare`, so also before `npm pack` and `npm publish`).
// Plain JavaScript so that it runs without tsx. tsc emits the .js files and the JSON modules that
// are imported; data files read at run time (e.g. iam/aws-managed-policies.json.gz) are copied here.
// dist/build-stamp.json records when the build read its sources, so bin/evidence.js in a checkout
// can tell a build older than the sources and run the sources instead.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const src = path.join(root, "src");
const dist = path.join(root, "dist");
// Built beside dist/ and renamed into place, so a CLI started from this checkout during a rebuild
// (the pack test runs beside others) never loads a half-written dist/.
const next = `${dist}.tmp-${process.pid}`;
const sourcesAsOf = Date.now();

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const result = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json"), "--outDir", next], { stdio: "inherit" });
if (result.status !== 0) {
  rmSync(next, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith(".ts")) continue;
  const from = path.join(entry.parentPath ?? entry.path, entry.name);
  const to = path.join(next, path.relative(src, from));
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(from, to);
}
writeFileSync(path.join(next, "build-stamp.json"), `${JSON.stringify({ sourcesAsOf })}\n`);
rmSync(dist, { recursive: true, force: true });
renameSync(next, dist);
