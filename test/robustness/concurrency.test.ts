import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { packageProblems, readStore, startCli, tempSiblings } from "../helpers/crash.ts";
import { copySmallSample } from "../helpers/workspace.ts";

/**
 * Two `evidence build` runs on one workspace at the same moment (both processes loaded, then
 * started together). Without --lock-wait one is refused at once with a message naming the other
 * run; with it the second queues and both finish. Either way the store passes integrity_check,
 * holds no half-ingested file, and every package folder is complete.
 */
async function together(argsA: string[], argsB: string[]) {
  const a = startCli(argsA);
  const b = startCli(argsB);
  await Promise.all([a.ready, b.ready]);
  a.go();
  b.go();
  return Promise.all([a.exited, b.exited]);
}

function checkStore(ws: string): void {
  const state = readStore(path.join(ws, ".evidence", "evidence.db"));
  assert.equal(state.integrity, "ok");
  assert.deepEqual(state.partial, []);
}

test("a second build on the same store is refused with a clear message while the first completes", async () => {
  const ws = copySmallSample();
  const config = path.join(ws, "evidence.config.yaml");
  const args = (out: string) => ["build", "--config", config, "--period", "2026-10", "--out", path.join(ws, out), "--quiet"];
  const results = await together(args("out-a"), args("out-b"));
  const codes = results.map((r) => r.code).sort();
  assert.deepEqual(codes, [0, 2], results.map((r) => r.stderr).join("\n"));
  const refused = results.find((r) => r.code === 2)!;
  assert.match(refused.stderr.trim(), /^evidence: the store evidence\.db is in use by another evidence run \(pid \d+ on .+, "build --config .+ --period 2026-10 .+", since .+\); let it finish, or pass --lock-wait SECONDS to queue behind it$/);
  checkStore(ws);
  const written = ["out-a", "out-b"].filter((o) => readdirSync(ws).includes(o));
  assert.equal(written.length, 1, "only the run holding the lock wrote a package");
  assert.deepEqual(packageProblems(path.join(ws, written[0]!)), []);
});

test("with --lock-wait both builds finish, one after the other, into the same folder (and, with SOAK=1, their own)", async () => {
  const ws = copySmallSample();
  const config = path.join(ws, "evidence.config.yaml");
  const args = (out: string) => ["build", "--config", config, "--period", "2026-10", "--out", path.join(ws, out), "--quiet", "--lock-wait", "300"];
  const results = await together(args("same"), args("same"));
  assert.deepEqual(results.map((r) => r.code), [0, 0], results.map((r) => r.stderr).join("\n"));
  checkStore(ws);
  assert.deepEqual(packageProblems(path.join(ws, "same")), []);
  assert.deepEqual(tempSiblings(path.join(ws, "same")), [], "no temp folder left behind");
  if (!process.env.SOAK) return;
  const again = await together(args("own-a"), args("own-b"));
  assert.deepEqual(again.map((r) => r.code), [0, 0], again.map((r) => r.stderr).join("\n"));
  checkStore(ws);
  for (const o of ["own-a", "own-b"]) assert.deepEqual(packageProblems(path.join(ws, o)), [], o);
});
