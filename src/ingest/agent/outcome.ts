import type { Outcome } from "../../event.ts";
import patterns from "./outcome-patterns.json" with { type: "json" };

const DENIED = patterns.denied.map((p) => new RegExp(p, "im"));
const INTERRUPTED = patterns.interrupted.map((p) => new RegExp(p, "im"));
const EXIT = patterns.exitCode.map((p) => new RegExp(p, "i"));
/** Only the head of an output is read: the status line comes first, and outputs can be megabytes. */
const HEAD = 400;

/** An exit code stated in a tool's output text (`Exit code: 1`, `Process exited with code 0`). */
export function exitCodeFromText(text: string): number | undefined {
  const head = text.slice(0, HEAD);
  for (const re of EXIT) {
    const m = re.exec(head);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * How a call ended, read from the text an agent got back when nothing structured says it:
 * a refusal, an interrupt, or an exit code. Undefined when the text says none of these.
 */
export function outcomeFromText(text: string): Outcome | undefined {
  const head = text.slice(0, HEAD);
  if (DENIED.some((re) => re.test(head))) return "denied";
  if (INTERRUPTED.some((re) => re.test(head))) return "interrupted";
  const code = exitCodeFromText(head);
  if (code !== undefined) return code === 0 ? "succeeded" : "failed";
  return undefined;
}

export function outcomeFromExitCode(code: unknown): Outcome | undefined {
  const n = typeof code === "string" && /^-?\d+$/.test(code) ? Number(code) : code;
  return typeof n === "number" && Number.isInteger(n) ? (n === 0 ? "succeeded" : "failed") : undefined;
}

/** `success: true|"true"|false|"false"` as OTel attributes carry it. */
export function outcomeFromSuccess(success: unknown): Outcome | undefined {
  if (success === true || success === "true") return "succeeded";
  if (success === false || success === "false") return "failed";
  return undefined;
}

/**
 * The OS user a working directory belongs to (`/home/<u>/…`, `/Users/<u>/…`, `C:\Users\<u>\…`).
 * [I] An inference for sources that name no person (Codex rollouts, Kiro hooks): the home folder
 * the agent worked in is usually its operator's; callers mark it as inferred.
 */
export function userFromPath(p: string | null | undefined): string | null {
  if (!p) return null;
  const m = /^(?:\/home|\/Users|[A-Za-z]:\\Users)[\\/]([^\\/]+)/.exec(p);
  return m && m[1] !== "shared" && m[1] !== "runner" ? m[1]! : null;
}
