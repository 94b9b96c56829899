import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { GC_FLAG, wantsRelaunch } from "../bin/relaunch.js";
import { REPO_ROOT, tempDir } from "./helpers/workspace.ts";

test("ingest and build relaunch with single-threaded GC; other commands, a relaunched process, EVIDENCE_GC=parallel and a debugger do not", () => {
  assert.equal(wantsRelaunch(["build", "--period", "2026-10"], [], {}), true);
  assert.equal(wantsRelaunch(["ingest"], ["--import", "tsx"], {}), true);
  for (const command of ["check", "verify", "tabletop", "hook", "pushdown", "purge", "--version"]) assert.equal(wantsRelaunch([command], [], {}), false, command);
  assert.equal(wantsRelaunch(["build"], [GC_FLAG], {}), false);
  assert.equal(wantsRelaunch(["build"], [], { EVIDENCE_GC: "parallel" }), false);
  // Under a debugger the work stays in the process the developer attached to.
  assert.equal(wantsRelaunch(["build"], ["--inspect-brk"], {}), false);
  assert.equal(wantsRelaunch(["ingest"], [], { NODE_OPTIONS: "--max-old-space-size=4096 --inspect=9230" }), false);
  assert.equal(wantsRelaunch(["ingest"], [], { NODE_OPTIONS: "--max-old-space-size=4096" }), true);
});

/**
 * bin/ copied into a folder laid out like the package, with a stand-in compiled CLI that prints its
 * pid and V8 flags, exits with the code given as --exit=N, and with --sleep waits (to be killed).
 */
function layout(t: { after(fn: () => void): void }): string {
  const root = tempDir("evidence-relaunch-");
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, "bin"));
  mkdirSync(path.join(root, "dist"));
  for (const f of ["evidence.js", "runtime.js", "relaunch.js"]) copyFileSync(path.join(REPO_ROOT, "bin", f), path.join(root, "bin", f));
  writeFileSync(path.join(root, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    path.join(root, "dist", "cli.js"),
    `export async function main(argv) {
  process.stdout.write(JSON.stringify({ pid: process.pid, execArgv: process.execArgv, argv }) + "\\n");
  if (argv.includes("--sleep")) await new Promise((resolve) => setTimeout(resolve, 60000));
  return Number(argv.find((a) => a.startsWith("--exit="))?.slice(7) ?? 0);
}\n`,
  );
  return root;
}

interface Ran { pid: number; execArgv: string[]; argv: string[] }

test("the relaunched build runs with the flag, the same arguments and stdio, and its exit code is the command's", (t) => {
  const root = layout(t);
  const bin = path.join(root, "bin", "evidence.js");
  const build = spawnSync(process.execPath, [bin, "build", "--period", "2026-10", "--exit=3"], { encoding: "utf8" });
  assert.equal(build.status, 3, build.stderr);
  const ran = JSON.parse(build.stdout) as Ran;
  assert.ok(ran.execArgv.includes(GC_FLAG), build.stdout);
  assert.deepEqual(ran.argv, ["build", "--period", "2026-10", "--exit=3"]);
  assert.notEqual(ran.pid, build.pid, "the work ran in a child process");

  const check = spawnSync(process.execPath, [bin, "check", "--exit=1"], { encoding: "utf8" });
  assert.equal(check.status, 1, check.stderr);
  assert.equal((JSON.parse(check.stdout) as Ran).pid, check.pid, "check runs in place");
  assert.ok(!(JSON.parse(check.stdout) as Ran).execArgv.includes(GC_FLAG));

  const opted = spawnSync(process.execPath, [bin, "build"], { encoding: "utf8", env: { ...process.env, EVIDENCE_GC: "parallel" } });
  assert.equal(opted.status, 0, opted.stderr);
  assert.equal((JSON.parse(opted.stdout) as Ran).pid, opted.pid);
});

/** Starts `build --sleep` and resolves once the relaunched child has said its pid. */
async function sleepingBuild(root: string) {
  const parent = spawn(process.execPath, [path.join(root, "bin", "evidence.js"), "build", "--sleep"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const child = await new Promise<Ran>((resolve, reject) => {
    parent.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))) as Ran);
    });
    parent.on("exit", () => reject(new Error(`exited before the child started: ${out}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => parent.on("exit", (code, signal) => resolve({ code, signal })));
  return { parent, child, exited };
}

/** True once the process is gone (or a zombie nobody reaps yet: it runs no more code). */
function gone(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync("/proc/self/stat")) {
    if (!existsSync(stat)) return true;
    const state = readFileSync(stat, "utf8").split(") ")[1]?.[0];
    return state === "Z" || state === "X";
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

async function waitGone(pid: number, ms = 10_000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (gone(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return gone(pid);
}

test("SIGTERM to evidence reaches the relaunched work, and evidence ends by the same signal once the work has stopped", { skip: process.platform === "win32" }, async (t) => {
  const root = layout(t);
  const { parent, child, exited } = await sleepingBuild(root);
  assert.ok(child.execArgv.includes(GC_FLAG));
  parent.kill("SIGTERM");
  assert.deepEqual(await exited, { code: null, signal: "SIGTERM" });
  // Not polled: whoever waits for evidence to end (a CI step, a script's next build) must not find its work still running.
  assert.ok(gone(child.pid), "the relaunched process had stopped when evidence ended");
});

test("evidence killed outright (SIGKILL) does not leave its relaunched work running", { skip: process.platform === "win32" }, async (t) => {
  const root = layout(t);
  const { parent, child, exited } = await sleepingBuild(root);
  parent.kill("SIGKILL");
  await exited;
  assert.ok(await waitGone(child.pid), "the relaunched process stopped when its parent was killed");
});
