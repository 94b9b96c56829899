/**
 * The one normalized record every ingester emits. Agent tool calls, CloudTrail API calls and
 * other observations all become an `EvidenceEvent`; sources that need more shape (commits) add
 * their own tables. Every event carries a locator back to the exact source record.
 */
export type SourceKind = "agent-log" | "cloudtrail";
export type ActorKind = "human" | "agent" | "service" | "bot" | "unknown";
export type Environment = "production" | "non-production" | "unknown";
export type Outcome = "succeeded" | "failed" | "denied" | "interrupted" | "unknown";
/**
 * Who or what approved the action: `human` is an explicit confirmation by a person;
 * `policy` is an allow rule, hook or permission mode (bypassPermissions, approval_policy never);
 * `denied` is a refusal; `unknown` means the source does not say.
 */
export type Approval = "human" | "policy" | "denied" | "unknown";

export interface EvidenceEvent {
  sourceKind: SourceKind;
  /** Stable identity of the underlying occurrence (CloudTrail eventID, tool_use_id), used to deduplicate. */
  eventKey: string;
  /** UTC ISO-8601 with milliseconds, e.g. 2026-10-14T09:12:03.000Z. */
  time: string;
  actor: string | null;
  actorKind: ActorKind;
  /** The configured agent identity id, when attribution succeeded. */
  agentId: string | null;
  agentProduct: string | null;
  sessionId: string | null;
  /** Tool name for agent actions, eventSource:eventName for CloudTrail. */
  action: string;
  /** Action classes (read, write, execute, network, credential-access, destructive, irreversible, privilege-change). */
  classes: string[];
  target: string | null;
  environment: Environment;
  outcome: Outcome;
  approval: Approval;
  /** Why we concluded `approval`: the decision record or the mode in force. */
  approvalEvidence: string | null;
  /** Raw command or arguments, after redaction. */
  command: string | null;
  account: string | null;
  region: string | null;
  /** Where in the source file the record is: "line 12", "record 3". */
  locator: string;
  /** Source-specific extra fields worth keeping (cwd, user agent, model…). */
  attrs: Record<string, unknown>;
}

export function isDestructive(classes: readonly string[]): boolean {
  return classes.includes("destructive") || classes.includes("irreversible");
}

/** The columns a CloudTrail count groups calls by (every column of a call but its time, eventID and locator). */
export interface CountColumns {
  actor: string | null;
  actorKind: string;
  identityType: string | null;
  roleArn: string | null;
  action: string;
  classes: string;
  outcome: string;
  account: string | null;
  region: string | null;
  environment: string;
  eventCategory: string | null;
  eventType: string | null;
}

/** One count in `event_summaries`: records of one file alike in every column but time and locator. */
export interface SummaryRecord extends CountColumns {
  sourceKind: "cloudtrail";
  day: string;
  dayStart: string;
  n: number;
  firstTime: string;
  lastTime: string;
  /** Where the records are in the file: "record 3-5,17" (ranges of record numbers, per locator word). */
  locators: string;
}
