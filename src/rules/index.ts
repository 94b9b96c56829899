import type { Rule } from "./define.ts";
import agentDestructiveActionsHumanApproved from "./agent-destructive-actions-human-approved.ts";
import cloudtrailAgentDestructiveCallsApproved from "./cloudtrail-agent-destructive-calls-approved.ts";
import cloudtrailLoggingNotTampered from "./cloudtrail-logging-not-tampered.ts";
import cloudtrailRootAccountUnused from "./cloudtrail-root-account-unused.ts";
import gitAiChangesIndependentlyReviewed from "./git-ai-changes-independently-reviewed.ts";
import gitProductionChangesReviewed from "./git-production-changes-reviewed.ts";

/** Explicit registry, sorted by id. A test checks it against the files in this folder and the catalog. */
export const RULES: readonly Rule[] = [
  agentDestructiveActionsHumanApproved,
  cloudtrailAgentDestructiveCallsApproved,
  cloudtrailLoggingNotTampered,
  cloudtrailRootAccountUnused,
  gitAiChangesIndependentlyReviewed,
  gitProductionChangesReviewed,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));
