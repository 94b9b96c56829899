import { eventRef, fail, type RuleResult } from "../define.ts";
import type { EvidenceRef } from "../../evidence-ref.ts";
import type { CutOffFile, LoggingCoverage, Silence } from "./logging-coverage.ts";

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A cut-off file as evidence: the file and the line it stops at (no event stands for it). */
export const fileRef = (f: CutOffFile): EvidenceRef => ({ ref: `file:${f.file}`, key: `file:${f.file}`, file: f.file, locator: f.locator });

/** The findings of agent-logging-complete about sessions and files: silences (one per session), cut-off sessions and cut-off files. */
export function sessionResults(cov: LoggingCoverage): RuleResult[] {
  const results: RuleResult[] = [];
  const bySession = new Map<string, Silence[]>();
  for (const s of cov.silences) {
    const key = `${s.tool}\u0000${s.sessionId}`;
    if (!bySession.get(key)?.push(s)) bySession.set(key, [s]);
  }
  for (const group of bySession.values()) {
    const s = group[0]!;
    const list = group.map((g) => `${g.from} to ${g.time} (${g.minutes} min)`).join("; ");
    results.push(fail(`${s.tool} session ${s.sessionId}`, `${s.tool} session ${s.sessionId}${s.person ? ` of ${s.person}` : ""} has no record for more than ${cov.maxSilenceMinutes} minutes before an agent action with no prompt in between (${list}): an agent acts on a prompt, so it worked in that time without leaving records, or its records did not reach the store.`, group.map(eventRef), s.time));
  }
  for (const s of cov.cutOffSessions) {
    results.push(fail(`${s.tool} session ${s.sessionId}`, `${s.tool} session ${s.sessionId}${s.person ? ` of ${s.person}` : ""} made ${plural(s.calls, "tool call")}, the last at ${s.time} (${s.file} ${s.locator}), but its log has no end record (the turn's stop or the session's end) after it, although this source logs ends and the call was more than ${cov.graceMinutes} minutes before the period's end: its records are cut off.`, [eventRef(s)], s.time));
  }
  for (const f of cov.cutOffFiles) {
    results.push(fail(f.file, `Agent log ${f.file}${f.tool ? ` (${f.tool})` : ""} is cut off at ${f.locator}: ${f.reason}; records after that point, if any were written, are not in the store.`, [fileRef(f)]));
  }
  return results;
}
