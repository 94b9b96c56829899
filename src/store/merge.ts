import type { Approval, Environment, EvidenceEvent, Outcome } from "../event.ts";

/**
 * One tool call seen by several files (Claude Code hooks, OTel and transcript all carry the
 * `tool_use_id`) is one action. This folds the files' observations of it into the single `events`
 * row, with a fixed precedence so that the result does not depend on ingest order:
 *
 * - approval: a decision record (`attrs.approvalRecorded`: an OTel tool_decision, a transcript
 *   rejection) beats an inference (a hook prompt seen, a permission mode); within the same strength
 *   denied > human > policy > unknown. The winning observation is the primary one: its approval
 *   evidence and file are the row's.
 * - outcome: the most specific terminal outcome: denied > interrupted > failed > succeeded > unknown.
 * - time: the earliest; environment: production > non-production > unknown; classes: the union.
 * - other fields: the primary's value, else the first non-null one; attrs likewise, plus
 *   `observedIn`, every file and locator that reported the call.
 */
export interface Observation {
  event: EvidenceEvent;
  fileId: number;
  /** The observation's source file, relative to the workspace. */
  path: string;
}

const APPROVAL_RANK: Record<Approval, number> = { unknown: 0, policy: 1, human: 2, denied: 3 };
const OUTCOME_RANK: Record<Outcome, number> = { unknown: 0, succeeded: 1, failed: 2, interrupted: 3, denied: 4 };
const ENVIRONMENT_RANK: Record<Environment, number> = { unknown: 0, "non-production": 1, production: 2 };

/** Decision records outrank inferences; an unknown approval counts as an inference whatever its source. */
export function approvalStrength(e: EvidenceEvent): number {
  const recorded = e.attrs.approvalRecorded === true && e.approval !== "unknown";
  return (recorded ? 10 : 0) + APPROVAL_RANK[e.approval];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function byPrecedence(a: Observation, b: Observation): number {
  return (
    approvalStrength(b.event) - approvalStrength(a.event) ||
    compare(a.event.time, b.event.time) ||
    // Paths, not file ids: ids follow ingest order, and the result must not.
    compare(a.path, b.path) ||
    compare(a.event.locator, b.event.locator)
  );
}

function firstNonNull<K extends keyof EvidenceEvent>(ordered: Observation[], key: K): EvidenceEvent[K] {
  for (const o of ordered) if (o.event[key] !== null) return o.event[key];
  return ordered[0]!.event[key];
}

function maxBy<T extends string>(values: T[], rank: Record<T, number>): T {
  return values.reduce((best, v) => (rank[v] > rank[best] ? v : best));
}

/** The merged event and the file it is filed under (the primary observation's). */
export function mergeObservations(observations: readonly Observation[]): { event: EvidenceEvent; fileId: number } {
  if (observations.length === 0) throw new Error("mergeObservations: nothing to merge");
  const ordered = [...observations].sort(byPrecedence);
  const primary = ordered[0]!;
  const attrs: Record<string, unknown> = {};
  for (const o of ordered) {
    for (const [k, v] of Object.entries(o.event.attrs)) if (attrs[k] === undefined || attrs[k] === null) attrs[k] = v;
  }
  attrs.observedIn = ordered.map((o) => ({ file: o.path, locator: o.event.locator, approval: o.event.approval, outcome: o.event.outcome }));
  const locator = ordered
    .map((o) => (o.path === primary.path ? o.event.locator : `${o.path}: ${o.event.locator}`))
    .filter((l, i, all) => all.indexOf(l) === i)
    .join("; ");
  // A decision record rarely names the mode; the mode in force is part of the evidence (a hook or transcript knows it).
  const mode = attrs.permissionMode;
  const evidence = primary.event.approvalEvidence;
  const approvalEvidence = typeof mode === "string" && evidence && !evidence.includes(mode) ? `${evidence}; permission mode ${mode}` : evidence;
  const event: EvidenceEvent = {
    ...primary.event,
    approvalEvidence,
    time: ordered.map((o) => o.event.time).reduce((a, b) => (b < a ? b : a)),
    actor: firstNonNull(ordered, "actor"),
    agentId: firstNonNull(ordered, "agentId"),
    agentProduct: firstNonNull(ordered, "agentProduct"),
    sessionId: firstNonNull(ordered, "sessionId"),
    classes: [...new Set(ordered.flatMap((o) => o.event.classes))].sort(),
    target: firstNonNull(ordered, "target"),
    environment: maxBy(ordered.map((o) => o.event.environment), ENVIRONMENT_RANK),
    outcome: maxBy(ordered.map((o) => o.event.outcome), OUTCOME_RANK),
    command: firstNonNull(ordered, "command"),
    account: firstNonNull(ordered, "account"),
    region: firstNonNull(ordered, "region"),
    locator,
    attrs,
  };
  return { event, fileId: primary.fileId };
}
