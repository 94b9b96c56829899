import type { Rule } from "./define.ts";
import agentActionsWithinBoundary from "./agent-actions-within-boundary.ts";
import agentDestructiveActionsHumanApproved from "./agent-destructive-actions-human-approved.ts";
import agentLoggingComplete from "./agent-logging-complete.ts";
import cloudtrailAgentCallsWithinBoundary from "./cloudtrail-agent-calls-within-boundary.ts";
import agentHookLogChainIntact from "./agent-hook-log-chain-intact.ts";
import cloudtrailAgentDestructiveCallsApproved from "./cloudtrail-agent-destructive-calls-approved.ts";
import cloudtrailLogIntegrityVerified from "./cloudtrail-log-integrity-verified.ts";
import cloudtrailLoggingNotTampered from "./cloudtrail-logging-not-tampered.ts";
import cloudtrailRootAccountUnused from "./cloudtrail-root-account-unused.ts";
import gitAiChangesIndependentlyReviewed from "./git-ai-changes-independently-reviewed.ts";
import gitApprovalsPrecedeMerge from "./git-approvals-precede-merge.ts";
import gitChangesNotSelfMerged from "./git-changes-not-self-merged.ts";
import gitEmergencyChangesRetroReviewed from "./git-emergency-changes-retro-reviewed.ts";
import gitProductionChangesReviewed from "./git-production-changes-reviewed.ts";
import gitProductionNoDirectPush from "./git-production-no-direct-push.ts";
import gitSensitiveChangesReviewed from "./git-sensitive-changes-reviewed.ts";
import iamAgentAdminAbsent from "./iam-agent-admin-absent.ts";
import iamAgentDestructiveRightsAbsent from "./iam-agent-destructive-rights-absent.ts";
import iamAgentEscalationPathsAbsent from "./iam-agent-escalation-paths-absent.ts";
import iamAgentUnusedPermissionsRemoved from "./iam-agent-unused-permissions-removed.ts";
import inventoryAgentsBoundaryDeclared from "./inventory-agents-boundary-declared.ts";
import inventoryAgentsInUseRegistered from "./inventory-agents-in-use-registered.ts";
import inventoryDestructiveAgentsGated from "./inventory-destructive-agents-gated.ts";
import policiesAiUsageAcknowledged from "./policies-ai-usage-acknowledged.ts";
import policiesDocumentsReviewed from "./policies-documents-reviewed.ts";
import settingsAgentsMatchBaseline from "./settings-agents-match-baseline.ts";
import vendorsAiVendorsAssessed from "./vendors-ai-vendors-assessed.ts";

/** Explicit registry, sorted by id. A test checks it against the files in this folder and the catalog. */
export const RULES: readonly Rule[] = [
  agentActionsWithinBoundary,
  agentDestructiveActionsHumanApproved,
  agentHookLogChainIntact,
  agentLoggingComplete,
  cloudtrailAgentCallsWithinBoundary,
  cloudtrailAgentDestructiveCallsApproved,
  cloudtrailLogIntegrityVerified,
  cloudtrailLoggingNotTampered,
  cloudtrailRootAccountUnused,
  gitAiChangesIndependentlyReviewed,
  gitApprovalsPrecedeMerge,
  gitChangesNotSelfMerged,
  gitEmergencyChangesRetroReviewed,
  gitProductionChangesReviewed,
  gitProductionNoDirectPush,
  gitSensitiveChangesReviewed,
  iamAgentAdminAbsent,
  iamAgentDestructiveRightsAbsent,
  iamAgentEscalationPathsAbsent,
  iamAgentUnusedPermissionsRemoved,
  inventoryAgentsBoundaryDeclared,
  inventoryAgentsInUseRegistered,
  inventoryDestructiveAgentsGated,
  policiesAiUsageAcknowledged,
  policiesDocumentsReviewed,
  settingsAgentsMatchBaseline,
  vendorsAiVendorsAssessed,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));
