#!/usr/bin/env node
// @ts-check
// `evidence hook --agent NAME [--event NAME] [--dir FOLDER] [--fail-closed] [--guard --config FILE]`: the logging hook an agent runs on
// every event. Plain JavaScript with Node built-ins only, so the agent waits for Node's start-up
// and nothing else (no tsx, no yargs, no SQLite): see the README's "evidence hook" section for the
// measured start-up. bin/evidence.js hands `hook` here before it loads anything else.
//
// One line per payload: the payload's own keys, then `timestamp` (the payloads of Claude Code and
// Cursor carry none; a payload's own `timestamp` is kept and ours goes to `logged_at`), `host`,
// `user` and `prev`, the SHA-256 (hex) of the previous line's bytes. The first line of a day's
// file carries the hash of the last line of the newest earlier file in the folder, so deleting a
// whole day breaks the chain too; `prev: null` starts a chain (the first line ever written there).
// `--event` names the event for agents whose payloads do not (Copilot CLI's camelCase payloads: the
// hook configuration names it, docs.github.com "GitHub Copilot hooks reference"); it is logged as
// `hookEventName` unless the payload names its event itself.
//
// `--guard` also answers the agent's permission protocol from the workspace's AI tool inventory
// (src/commands/hook-guard.ts) and logs the decision in the line as `guard`. Only that path loads
// TypeScript (the config, the registers and the classifier): the logging-only hook stays on built-ins.
import { createHash } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync, unlinkSync, writeSync } from "node:fs";
import { homedir, hostname, userInfo } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const AGENTS = ["claude-code", "codex", "copilot-cli", "cursor", "gemini", "kiro", "windsurf"];
/** Keys this hook adds; a payload's own value under one of them is kept in `payload_fields`. */
const ADDED = ["host", "user", "prev"];
const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.jsonl$/;
/** A hook holds the lock for a few milliseconds; one older than this was left by a killed hook. */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

/** @param {string[]} argv */
export function parseHookArgs(argv) {
  /** @type {{ agent?: string; event?: string; dir?: string; failClosed: boolean; guard: boolean; config?: string }} */
  const out = { failClosed: false, guard: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = (a ?? "").split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    if (flag === "--agent") out.agent = value();
    else if (flag === "--dir") out.dir = value();
    else if (flag === "--event") out.event = value();
    else if (flag === "--fail-closed") out.failClosed = true;
    else if (flag === "--guard") out.guard = true;
    else if (flag === "--config") out.config = value();
    else throw new Error(`unknown argument "${a}"; expected --agent ${AGENTS.join("|")} [--event NAME] [--dir FOLDER] [--fail-closed] [--guard --config FILE]`);
  }
  if (!out.agent || !AGENTS.includes(out.agent)) throw new Error(`--agent must be one of ${AGENTS.join(", ")}${out.agent ? `, not "${out.agent}"` : ""}`);
  return out;
}

/** The last line of a file (without its newline), or null for an empty file; reads from the end only. */
function lastLine(/** @type {number} */ fd) {
  const size = fstatSync(fd).size;
  if (size === 0) return null;
  let chunk = 64 * 1024;
  for (;;) {
    const start = Math.max(0, size - chunk);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    // A file that does not end in a newline ends in a partial line: that line is still the last one.
    const end = buf[buf.length - 1] === 0x0a ? buf.length - 1 : buf.length;
    const nl = buf.lastIndexOf(0x0a, end - 1);
    if (nl >= 0 || start === 0) return { line: buf.subarray(nl + 1, end), terminated: end !== buf.length };
    chunk *= 4;
  }
}

export const sha256 = (/** @type {Buffer | string} */ b) => createHash("sha256").update(b).digest("hex");

/** Sleeps without a timer or a promise: the hook is synchronous from start to end. */
const pause = (/** @type {number} */ ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** An exclusive lock file beside the logs: concurrent hooks (Codex launches matching hooks at once) take turns. */
function lock(/** @type {string} */ dir) {
  const file = path.join(dir, ".lock");
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => unlinkSync(file);
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== "EEXIST") throw e;
      try {
        if (Date.now() - statSync(file).mtimeMs > STALE_LOCK_MS) unlinkSync(file);
      } catch {
        // gone already: another hook released or broke it
      }
      if (Date.now() > deadline) throw new Error(`${file} is held by another hook for more than ${LOCK_WAIT_MS / 1000} s`);
      pause(2 + Math.floor(Math.random() * 8));
    }
  }
}

/**
 * Appends one payload. `now`, `host` and `user` are passed in (tests, the sample generator); the
 * caller gives the real ones. Returns the file written.
 * @param {{ dir: string; agent: string; payload: Buffer; now: Date; host: string; user: string; event?: string; guard?: Record<string, unknown> }} a
 */
export function appendPayload(a) {
  const dir = path.join(a.dir, a.agent);
  mkdirSync(dir, { recursive: true });
  const day = a.now.toISOString().slice(0, 10);
  const file = path.join(dir, `${day}.jsonl`);
  /** @type {Record<string, unknown>} */
  let record;
  const text = a.payload.toString("utf8").trim();
  try {
    const parsed = JSON.parse(text);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
    record = parsed;
  } catch (e) {
    // Kept, not dropped: ingest rejects the line with its reason, so the reject is counted.
    record = { hook_error: `payload is not a JSON object: ${/** @type {Error} */ (e).message}`, raw: text };
  }
  const moved = [...ADDED, ...(a.guard ? ["guard"] : [])].filter((k) => k in record);
  const line = { ...record };
  if (a.event && !("hook_event_name" in record) && !("hookEventName" in record)) line.hookEventName = a.event;
  if (moved.length) line.payload_fields = Object.fromEntries(moved.map((k) => [k, record[k]]));
  const time = a.now.toISOString();
  if (typeof record.timestamp === "string" || typeof record.timestamp === "number") line.logged_at = time;
  else line.timestamp = time;
  line.host = a.host;
  line.user = a.user;
  if (a.guard) line.guard = a.guard;
  const release = lock(dir);
  try {
    const fd = openSync(file, "a+");
    try {
      let last = lastLine(fd);
      let lead = "";
      if (last && !last.terminated) lead = "\n";
      if (!last) {
        const earlier = readdirSync(dir).filter((n) => DAY_FILE.test(n) && n < `${day}.jsonl`).sort().pop();
        if (earlier) {
          const pfd = openSync(path.join(dir, earlier), "r");
          try {
            last = lastLine(pfd);
          } finally {
            closeSync(pfd);
          }
        }
      }
      line.prev = last ? sha256(last.line) : null;
      // One write on an O_APPEND descriptor, under the lock: lines never interleave.
      writeSync(fd, `${lead}${JSON.stringify(line)}\n`);
    } finally {
      closeSync(fd);
    }
  } finally {
    release();
  }
  return file;
}

/**
 * The "no decision" answer on stdout: nothing, except for Gemini CLI, which parses stdout as JSON
 * on exit 0 and whose own logging-hook example answers `{}` (geminicli.com/docs/hooks/writing-hooks).
 * @param {string | undefined} agent
 */
const noDecision = (agent) => (agent === "gemini" ? "{}\n" : "");

/** The guard module, loaded only with --guard: compiled or through tsx, as the CLI is (bin/runtime.js). */
async function loadGuardModule() {
  const { importSource } = await import("./runtime.js");
  return importSource("commands/hook-guard");
}

/**
 * `--guard`: decides, logs the decision with the payload, then prints the answer. A guard that
 * cannot decide (config unreadable) logs why and lets the agent's own rules decide, unless
 * `--fail-closed`; a logging failure does not withhold a decision already made.
 * @param {ReturnType<typeof parseHookArgs>} args
 * @param {Parameters<typeof appendPayload>[0]} entry
 */
async function runGuarded(args, entry) {
  /** @type {Record<string, unknown>} */
  let record = { decision: null, reason: "no decision" };
  /** @type {string | null} */
  let stdout = null;
  let failed = false;
  try {
    const config = args.config ?? process.env.EVIDENCE_CONFIG;
    if (!config) throw new Error("--guard needs --config FILE (or EVIDENCE_CONFIG): the workspace whose AI tool inventory holds the boundaries");
    /** @type {unknown} */
    let payload = null;
    try {
      payload = JSON.parse(entry.payload.toString("utf8"));
    } catch {
      // Not JSON: nothing to decide on; the line is logged (and rejected at ingest) as without --guard.
    }
    const mod = await loadGuardModule();
    const r = mod.guard(args.agent, config, payload);
    if (r.record) record = r.record;
    stdout = r.stdout;
  } catch (e) {
    failed = true;
    record = { decision: null, error: `guard failed: ${/** @type {Error} */ (e).message}` };
    process.stderr.write(`evidence hook: guard failed: ${/** @type {Error} */ (e).message}\n`);
  }
  try {
    appendPayload({ ...entry, guard: record });
  } catch (e) {
    failed = true;
    process.stderr.write(`evidence hook: ${/** @type {Error} */ (e).message}\n`);
  }
  process.stdout.write(stdout ? `${stdout}\n` : noDecision(args.agent));
  // A decision was printed: exit 0, so the agent reads it (the JSON answer is read on exit 0 only).
  return failed && args.failClosed && !stdout ? 2 : 0;
}

/**
 * @param {string[]} argv
 * @returns {number | Promise<number>} a promise only with --guard
 */
export function runHook(argv) {
  let failClosed = argv.includes("--fail-closed");
  try {
    const args = parseHookArgs(argv);
    failClosed = args.failClosed;
    const payload = readFileSync(0);
    // Overrides for replaying recorded payloads and for the reproducible sample; a real hook sets none.
    const env = process.env;
    const now = env.EVIDENCE_HOOK_NOW ? new Date(env.EVIDENCE_HOOK_NOW) : new Date();
    if (Number.isNaN(now.getTime())) throw new Error(`EVIDENCE_HOOK_NOW is not a date: "${env.EVIDENCE_HOOK_NOW}"`);
    const dir = args.dir ?? path.join(homedir(), ".evidence", "hooks");
    const entry = { dir, agent: /** @type {string} */ (args.agent), payload, now, host: env.EVIDENCE_HOOK_HOST ?? hostname(), user: env.EVIDENCE_HOOK_USER ?? userInfo().username, event: args.event };
    if (args.guard) return runGuarded(args, entry);
    appendPayload(entry);
    // Nothing on stdout, exit 0: "no decision" in the Claude Code and Codex hook protocols
    // (code.claude.com/docs/en/hooks, developers.openai.com/codex/hooks); Cursor hooks fail open.
    process.stdout.write(noDecision(args.agent));
    return 0;
  } catch (e) {
    process.stderr.write(`evidence hook: ${/** @type {Error} */ (e).message}\n`);
    // Exit 2 is "deny/block" in the hook protocols of Claude Code, Codex, Cursor, Kiro and Windsurf;
    // without --fail-closed a logging failure never stops the agent.
    return failClosed ? 2 : 0;
  }
}

// Run when started as `evidence-hook` (its own bin, or through a symlink), not when imported.
function startedAsScript() {
  try {
    return Boolean(process.argv[1]) && import.meta.url === pathToFileURL(realpathSync(/** @type {string} */ (process.argv[1]))).href;
  } catch {
    return false; // argv[1] is no file: a worker thread or `node -e` imported us
  }
}
if (startedAsScript()) process.exitCode = await runHook(process.argv.slice(2));
