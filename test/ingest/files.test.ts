import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseConfigText, type LoadedConfig } from "../../src/config.ts";
import { findSourceFiles } from "../../src/ingest/files.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { createProgress } from "../../src/progress.ts";
import { openStore } from "../../src/store/index.ts";
import { tempDir } from "../helpers/workspace.ts";

/** A workspace folder beside an "outside" folder holding a file nobody meant to hand evidence. */
function layout() {
  const base = tempDir();
  const ws = path.join(base, "ws");
  const outside = path.join(base, "outside");
  mkdirSync(path.join(ws, "logs"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(ws, "logs", "a.jsonl"), "{}\n");
  writeFileSync(path.join(outside, "credentials.jsonl"), "{}\n");
  return { base, ws, outside };
}

const rel = (ws: string, files: string[]) => files.map((f) => path.relative(ws, f));

test("globs stay inside the workspace: ../ and absolute paths are refused unless the source allows them", async () => {
  const { ws, outside } = layout();
  assert.deepEqual(rel(ws, await findSourceFiles(ws, ["logs/*.jsonl"])), ["logs/a.jsonl"]);
  for (const pattern of ["../outside/*.jsonl", path.join(outside, "*.jsonl")]) {
    await assert.rejects(findSourceFiles(ws, [pattern]), /resolves outside the workspace .*allowOutsidePaths: true/, pattern);
    assert.deepEqual(rel(ws, await findSourceFiles(ws, [pattern], { allowOutside: true })), ["../outside/credentials.jsonl"]);
  }
});

test("a symlink leaving the workspace is refused; one staying inside is read", async () => {
  const { ws, outside } = layout();
  symlinkSync(path.join(outside, "credentials.jsonl"), path.join(ws, "logs", "planted.jsonl"));
  await assert.rejects(findSourceFiles(ws, ["logs/*.jsonl"]), /logs\/planted\.jsonl: resolves outside the workspace/);
  assert.equal((await findSourceFiles(ws, ["logs/*.jsonl"], { allowOutside: true })).length, 2);
  const { ws: ws2 } = layout();
  symlinkSync(path.join(ws2, "logs", "a.jsonl"), path.join(ws2, "logs", "alias.jsonl"));
  assert.deepEqual(rel(ws2, await findSourceFiles(ws2, ["logs/*.jsonl"])), ["logs/a.jsonl"], "an alias of a file already found is read once");
  // A symlinked folder leading outside is refused; a loop back into the workspace reads each file once.
  const { ws: ws3, outside: outside3 } = layout();
  symlinkSync(ws3, path.join(ws3, "logs", "loop"));
  assert.deepEqual(rel(ws3, await findSourceFiles(ws3, ["logs/**/*.jsonl"])), ["logs/a.jsonl"]);
  symlinkSync(outside3, path.join(ws3, "logs", "linked"));
  await assert.rejects(findSourceFiles(ws3, ["logs/**/*.jsonl"]), /logs\/linked\/credentials\.jsonl: resolves outside the workspace/);
});

test("a git repository outside the workspace is refused unless the source allows it", async () => {
  const { ws, outside } = layout();
  mkdirSync(path.join(outside, "repo"));
  for (const allow of [false, true]) {
    const yaml = `organisation: { name: T }\nsources:\n  - { name: code, kind: git, repository: ../outside/repo, allowOutsidePaths: ${allow} }\n`;
    const loaded: LoadedConfig = { config: parseConfigText(yaml, "t.yaml"), file: path.join(ws, "t.yaml"), root: ws, sha256: "0" };
    const run = ingestSources(openStore(":memory:"), loaded, { cacheDir: path.join(ws, ".cache"), now: new Date(), progress: createProgress({ quiet: true }) });
    if (allow) assert.equal((await run).files[0]!.status, "failed", "read (and refused as not a repository), not blocked");
    else await assert.rejects(run, /outside\/repo: resolves outside the workspace/);
  }
});
