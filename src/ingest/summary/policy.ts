import type { EvidenceEvent, Outcome } from "../../event.ts";
import type { KeepRule } from "../../keep-rules.ts";

/**
 * Which CloudTrail calls the store keeps as full rows when summarising (storage.cloudtrail.mode: summarise): what a rule,
 * the IAM review or an attribution step reads one call at a time. The criteria and their defaults
 * are data (src/keep-rules.json), so the README, the config schema and this check cannot drift.
 */

export interface StoragePolicy {
  keep: ReadonlySet<KeepRule>;
  /** Agents matched by session tags: a session's calls are attributed after ingest, from its AssumeRole record, so none may be summarised. */
  keepAssumedRoleSessions: boolean;
}

const DESTRUCTIVE = ["destructive", "irreversible", "logging-tamper"];

/** True when the call must stay a row; false when a count per principal x action x day is all evidence needs. */
export function keepsFullRow(e: EvidenceEvent, policy: StoragePolicy): boolean {
  return keepsCall(e.outcome, e.actorKind, e.classes, e.action, e.attrs.identityType, policy);
}

/** keepsFullRow from the fields it reads, for the parser's fast path that builds no event (src/ingest/cloudtrail/counted.ts). */
export function keepsCall(outcome: Outcome, actorKind: string, classes: readonly string[], action: string, identityType: unknown, policy: StoragePolicy): boolean {
  const k = policy.keep;
  // A failed or denied call is itself the evidence (a failed sign-in, a refused deletion): never
  // only a count, whatever the keep list says.
  if (outcome === "failed" || outcome === "denied") return true;
  if (k.has("agent") && actorKind === "agent") return true;
  if (k.has("errors") && outcome !== "succeeded") return true;
  if (k.has("destructive") && classes.some((c) => DESTRUCTIVE.includes(c))) return true;
  if (k.has("privilege-change") && classes.includes("privilege-change")) return true;
  if (k.has("credential-access") && classes.includes("credential-access")) return true;
  if (k.has("write") && !classes.includes("read")) return true;
  if (k.has("assume-role") && action.startsWith("sts:AssumeRole")) return true;
  if (k.has("root") && identityType === "Root") return true;
  if (policy.keepAssumedRoleSessions && identityType === "AssumedRole") return true;
  return false;
}
