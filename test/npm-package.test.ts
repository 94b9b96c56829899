import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { copySmallSample, REPO_ROOT, tempDir } from "./helpers/workspace.ts";

/** Limits the package must stay under; today it packs to ~0.85 MB (1.75 MB unpacked, ~240 files). */
const MAX_PACKED_BYTES = 2_000_000;
const MAX_UNPACKED_BYTES = 5_000_000;

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false" } });
  assert.equal(r.status, 0, `${command} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * The package as a user gets it: `npm pack` (which compiles src/ to dist/ through `prepare`), then
 * `npm install` of the tarball into an empty prefix. Dependencies come from npm's cache when it has
 * them (`--prefer-offline`), else from the registry; better-sqlite3 is compiled by node-gyp when no
 * prebuilt binary can be fetched, so this test takes a few minutes of CPU and belongs to test:e2e.
 */
test("npm pack → install into an empty prefix: `evidence --version` and `evidence build` run from the compiled package, which ships no tests or sources", async (t) => {
  const tmp = tempDir("evidence-npm-package-");
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const [pack] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", tmp], REPO_ROOT)) as [PackResult];
  const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
  assert.equal(pack.filename, `agent-evidence-${version}.tgz`);

  const files = pack.files.map((f) => f.path).sort();
  assert.ok(files.includes("dist/cli.js") && files.includes("bin/evidence.js") && files.includes("controls/soc2.json"), files.join("\n"));
  assert.ok(files.includes("dist/iam/aws-managed-policies.json.gz"), "data read at run time is copied into dist/");
  const unexpected = files.filter((f) => !/^(bin|dist|controls|templates)\//.test(f) && !["package.json", "README.md"].includes(f));
  assert.deepEqual(unexpected, [], "only the CLI, its compiled code and its data");
  assert.deepEqual(files.filter((f) => /(^|\/)(test|fixtures|samples|src)\/|\.test\.|\.ts$/.test(f)), [], "no tests, fixtures, samples or TypeScript sources");
  assert.ok(pack.size < MAX_PACKED_BYTES, `packed ${pack.size} bytes`);
  assert.ok(pack.unpackedSize < MAX_UNPACKED_BYTES, `unpacked ${pack.unpackedSize} bytes`);

  const prefix = path.join(tmp, "prefix");
  run("npm", ["install", "--prefix", prefix, path.join(tmp, pack.filename), "--no-audit", "--no-fund", "--prefer-offline"], tmp);
  const installed = path.join(prefix, "node_modules");
  assert.ok(!existsSync(path.join(installed, "tsx")), "tsx is a devDependency: the installed CLI runs no transpiler");
  const bin = path.join(installed, ".bin", "evidence");
  assert.equal(run(bin, ["--version"], tmp).trim(), version);

  const ws = copySmallSample();
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const out = run(bin, ["build", "--config", "evidence.config.yaml", "--period", "2026-10", "--quiet"], ws);
  assert.match(out, /^Build [0-9a-f]{16} for 2026-10: coverage \d+\/\d+ controls/m);
  for (const f of ["report.pdf", "findings.csv", "controls.csv", "manifest.json"]) assert.ok(existsSync(path.join(ws, "reports", "2026-10", f)), f);
});
