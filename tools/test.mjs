// `npm test` (every test file), `npm run test:unit` (the fast loop: pure and store-level tests) and
// `npm run test:e2e` (the CLI end to end: whole sample builds, the npm package, crash and robustness
// runs, the bench harness). The e2e files are listed in test/suites.json, each with the reason it is
// slow; every other test file is a unit test, so a new test file runs in the fast loop unless listed.
// Arguments after the suite name go to `node --test` (e.g. --test-name-pattern=...); `--list` instead
// prints the suite's files, one a line (test/suites.test.ts checks that unit and e2e split `all`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const [suite = "all", ...nodeArgs] = process.argv.slice(2);
if (!["all", "unit", "e2e"].includes(suite)) {
  process.stderr.write(`tools/test.mjs: unknown suite ${JSON.stringify(suite)}; expected all, unit or e2e\n`);
  process.exit(2);
}

const all = readdirSync(path.join(root, "test"), { recursive: true, encoding: "utf8" })
  .map((f) => path.posix.join("test", f.split(path.sep).join("/")))
  .filter((f) => f.endsWith(".test.ts") && !f.startsWith("test/fixtures/"))
  .sort();
const e2e = JSON.parse(readFileSync(path.join(root, "test", "suites.json"), "utf8")).e2e.map((entry) => entry.path);
const missing = e2e.filter((f) => !existsSync(path.join(root, f)));
if (missing.length) {
  process.stderr.write(`test/suites.json lists e2e test files that do not exist: ${missing.join(", ")}\n`);
  process.exit(2);
}
const files = suite === "all" ? all : suite === "e2e" ? all.filter((f) => e2e.includes(f)) : all.filter((f) => !e2e.includes(f));
if (nodeArgs.includes("--list")) {
  process.stdout.write(files.map((f) => `${f}\n`).join(""));
  process.exit(0);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", ...nodeArgs, ...files], { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
