// `evidence ingest` and `evidence build` run in a child Node process started with V8's
// `--single-threaded-gc`. Why: the ingest keeps every core busy with JavaScript (one parsing worker
// per core but the writer's, plus the SQLite writer), and V8's parallel and concurrent GC helper
// threads then compete with them for the same cores instead of using idle ones. Measured on the
// bench's CloudTrail trail on 2 cores (README, Scale): 13-17% less CPU and wall time for the ingest.
// The flag can only be given on the command line (V8 refuses it once running, and NODE_OPTIONS does
// not accept it), hence the relaunch. EVIDENCE_GC=parallel keeps V8's default in this process.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const GC_FLAG = "--single-threaded-gc";
const HEAVY = new Set(["ingest", "build"]);
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * True when this command should relaunch itself with GC_FLAG: a heavy command, not relaunched yet,
 * not opted out, and not under a debugger (a child given the same --inspect would fight the parent
 * for its port, and the developer would be attached to the process doing nothing).
 */
export function wantsRelaunch(argv, execArgv = process.execArgv, env = process.env) {
  const inspecting = [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)].some((a) => a.startsWith("--inspect"));
  return HEAVY.has(argv[0]) && !execArgv.includes(GC_FLAG) && env.EVIDENCE_GC !== "parallel" && !inspecting;
}

/**
 * Runs bin/evidence.js again with GC_FLAG, the same arguments, stdio and environment, and resolves
 * to its exit code. Signals sent to this process are passed on; a child killed by a signal kills
 * this process with the same signal, so callers see what they would have seen without the relaunch.
 * The child holds an IPC channel to this process and exits when it closes: if this process is
 * killed outright (SIGKILL), the work stops too instead of running on unseen.
 */
export function relaunch(argv) {
  const entry = fileURLToPath(new URL("./evidence.js", import.meta.url));
  const child = spawn(process.execPath, [GC_FLAG, ...process.execArgv, entry, ...argv], { stdio: ["inherit", "inherit", "inherit", "ipc"] });
  const forward = (signal) => child.kill(signal);
  for (const s of FORWARDED) process.on(s, forward);
  return new Promise((resolve) => {
    child.on("error", (error) => {
      process.stderr.write(`evidence: could not start the worker process (${error.message}); run with EVIDENCE_GC=parallel to skip it\n`);
      resolve(2);
    });
    child.on("exit", (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      if (signal) {
        process.kill(process.pid, signal);
        return;
      }
      resolve(code ?? 2);
    });
  });
}

/** In the relaunched child: let the IPC channel not hold the process open, and stop when the parent is gone. */
export function watchParent() {
  if (!process.channel || !process.execArgv.includes(GC_FLAG)) return;
  process.channel.unref();
  process.on("disconnect", () => process.exit(process.exitCode ?? 1));
}
