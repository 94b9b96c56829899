import type { EvidenceEvent, Outcome } from "../../event.ts";
import type { EnrichContext } from "../enrich.ts";
import { inTimeRange, isRecord, str, timeRejectReason, toIsoTime } from "../parser.ts";
import { apiAction, classifyApiCall } from "../../iam/call-classes.ts";

/**
 * Maps one CloudTrail record (AWS CloudTrail User Guide, "CloudTrail record contents") to the normalized event.
 * Parsing goes by field presence, not eventVersion: only eventTime, eventSource and eventName are
 * required; everything added after 1.0 may be missing. Returns a reason string when the record
 * cannot be used.
 */
const TARGET_KEYS = [
  "stackName", "bucketName", "functionName", "roleName", "userName", "policyArn", "tableName", "dBInstanceIdentifier",
  "dBClusterIdentifier", "clusterName", "name", "trailName", "logGroupName", "keyId", "secretId", "groupName", "queueUrl",
];
const DENIED = /AccessDenied|UnauthorizedOperation|Unauthorized|Forbidden/i;

/**
 * Every field CloudTrail reports a failure in: `errorCode`; for sign-in events (ConsoleLogin,
 * CheckMfa, SwitchRole…) `responseElements.<eventName>: "Failure"` with no errorCode (AWS IAM
 * User Guide, "Example sign-in events in CloudTrail log"; Falco's CloudTrail rules read the same
 * field); and an `errorMessage`, which CloudTrail writes only for a call that did not succeed
 * (the CIS alarm on failed console sign-ins matches `errorMessage = "Failed authentication"`).
 */
export function recordOutcome(rec: Record<string, unknown>, eventName: string): Outcome {
  const errorCode = str(rec.errorCode);
  if (errorCode) return DENIED.test(errorCode) ? "denied" : "failed";
  const response = isRecord(rec.responseElements) ? rec.responseElements : {};
  const signal = response[eventName];
  if (typeof signal === "string" && signal.trim().toLowerCase() === "failure") return "failed";
  const errorMessage = str(rec.errorMessage);
  if (errorMessage) return DENIED.test(errorMessage) ? "denied" : "failed";
  return "succeeded";
}

/**
 * Who made the call, as one stable string. Most identities have an ARN; those that do not
 * (CloudTrail User Guide, "CloudTrail userIdentity element": SAMLUser and WebIdentityUser on AssumeRoleWith*,
 * IdentityCenterUser, AWSAccount, Unknown) are named from whichever of `onBehalfOf`
 * (`userId` in `identityStoreArn`), `userName` (with its `identityProvider`) and `principalId`
 * the record has, so two such users never fold into one "SAMLUser". Only a record with none of
 * them falls back to its type, qualified by the access key or account when there is one.
 */
export function recordActor(identity: Record<string, unknown>): string | null {
  const arn = str(identity.arn);
  if (arn) return arn;
  const type = str(identity.type) ?? "Unknown";
  const behalf = isRecord(identity.onBehalfOf) ? identity.onBehalfOf : {};
  const userId = str(behalf.userId);
  if (userId) return `${str(behalf.identityStoreArn) ?? `${type}:identitystore`}/user/${userId}`;
  // Failed sign-ins hide the name typed (same page): not a name that tells users apart.
  const userName = identity.userName === "HIDDEN_DUE_TO_SECURITY_REASONS" ? null : str(identity.userName);
  if (userName) return `${type}:${[str(identity.identityProvider), userName].filter((x) => x !== null).join("/")}`;
  const principalId = str(identity.principalId);
  if (principalId) return principalId;
  if (type === "AWSService" && str(identity.invokedBy)) return str(identity.invokedBy);
  // A typeless identity (the console's Event history CSV without its embedded record) names nobody.
  const key = str(identity.accessKeyId) ?? str(identity.accountId);
  return str(identity.type) && key ? `${type}:${key}` : str(identity.type);
}

// CloudTrail writes every eventTime as YYYY-MM-DDTHH:MM:SSZ; taking that shape apart directly
// skips Date.parse, a measurable share of the per-record cost on millions of records.
const CLOUDTRAIL_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;
export function fastIsoTime(value: unknown): string | undefined {
  return typeof value === "string" && CLOUDTRAIL_TIME.test(value) && inTimeRange(value) ? `${value.slice(0, 19)}.000Z` : undefined;
}

/**
 * AssumeRole* events carry what later calls of the new session do not: the session tags (only on
 * the STS event) and the access key issued. Kept so tags can be carried to the session's calls.
 */
function assumeRoleFacts(eventName: string, params: Record<string, unknown>, response: unknown): Record<string, unknown> {
  if (!eventName.startsWith("AssumeRole")) return {};
  const tags = Array.isArray(params.tags) ? params.tags.filter(isRecord).map((t) => ({ key: String(t.key ?? ""), value: String(t.value ?? "") })) : [];
  const principalTags = isRecord(params.principalTags) ? Object.entries(params.principalTags).map(([key, value]) => ({ key, value: String(value) })) : [];
  const credentials = isRecord(response) && isRecord(response.credentials) ? response.credentials : {};
  const issuedKey = str(credentials.accessKeyId);
  return { sessionTags: [...tags, ...principalTags], ...(issuedKey ? { issuedAccessKeyId: issuedKey } : {}) };
}

export function cloudTrailRecordToEvent(rec: unknown, index: number, ctx: EnrichContext): EvidenceEvent | string {
  if (!isRecord(rec)) return "expected a JSON object (a CloudTrail record)";
  const time = fastIsoTime(rec.eventTime) ?? toIsoTime(rec.eventTime);
  const eventSource = str(rec.eventSource);
  const eventName = str(rec.eventName);
  if (!time) return timeRejectReason(rec, ["eventTime"], 'missing "eventTime" (expected ISO-8601 UTC)');
  if (!eventSource || !eventName) return 'missing "eventSource" or "eventName"';
  const identity = isRecord(rec.userIdentity) ? rec.userIdentity : {};
  const session = isRecord(identity.sessionContext) ? identity.sessionContext : {};
  const issuer = isRecord(session.sessionIssuer) ? session.sessionIssuer : {};
  const identityType = str(identity.type);
  const arn = str(identity.arn);
  const roleArn = str(issuer.arn);
  const roleName = str(issuer.userName);
  // assumed-role ARNs end in /<role>/<session name>.
  const sessionName = arn && arn.includes(":assumed-role/") ? arn.split("/").pop() ?? null : null;
  const userAgent = str(rec.userAgent);
  const sourceIdentity = str(session.sourceIdentity);
  const invokedBy = str(identity.invokedBy);
  const attribution = ctx.attributeAwsPrincipal({ roleArn, roleName, sessionName, userAgent, sourceIdentity, invokedBy });
  const action = apiAction(eventSource, eventName);
  const readOnly = typeof rec.readOnly === "boolean" ? rec.readOnly : rec.readOnly === "true" ? true : rec.readOnly === "false" ? false : undefined;
  const errorCode = str(rec.errorCode);
  const outcome = recordOutcome(rec, eventName);
  const actor = recordActor(identity);
  const account = str(rec.recipientAccountId) ?? str(identity.accountId);
  const params = isRecord(rec.requestParameters) ? rec.requestParameters : {};
  const resources = Array.isArray(rec.resources) ? rec.resources.filter(isRecord) : [];
  const target = TARGET_KEYS.map((k) => str(params[k])).find((v) => v !== null) ?? str(resources[0]?.ARN) ?? null;
  const eventId = str(rec.eventID);
  return {
    sourceKind: "cloudtrail",
    // eventID is the documented dedupe key; very old records (1.0) lack it, so fall back to content.
    eventKey: eventId ?? `${time}:${action}:${actor}:${index}`,
    time,
    actor,
    actorKind: attribution ? "agent" : identityType === "AWSService" ? "service" : identityType === "Root" || identityType === "IAMUser" ? "human" : "unknown",
    agentId: attribution?.agentId ?? null,
    agentProduct: attribution?.product ?? null,
    sessionId: str(identity.accessKeyId),
    action,
    classes: classifyApiCall(action, readOnly),
    target,
    environment: ctx.environmentOfAccount(account),
    outcome,
    approval: "unknown",
    approvalEvidence: null,
    command: null,
    account,
    region: str(rec.awsRegion),
    locator: `record ${index}`,
    attrs: {
      eventId,
      eventType: str(rec.eventType),
      eventCategory: str(rec.eventCategory),
      eventVersion: str(rec.eventVersion),
      identityType,
      roleArn,
      sessionName,
      sourceIdentity,
      invokedBy,
      ...assumeRoleFacts(eventName, params, rec.responseElements),
      userAgent,
      sourceIPAddress: str(rec.sourceIPAddress),
      errorCode,
      ...(str(rec.errorMessage) ? { errorMessage: str(rec.errorMessage) } : {}),
      requestParameters: rec.requestParameters ?? null,
      ...(attribution ? { attribution: { signal: attribution.signal, confidence: attribution.confidence } } : {}),
    },
  };
}
