import type { Attribution, EnrichContext } from "../enrich.ts";
import { isRecord, str } from "../parser.ts";
import type { CallCounter } from "../summary/summarise.ts";
import { apiAction, classifyApiCall } from "../../iam/call-classes.ts";
import { fastIsoTime, recordActor, recordOutcome } from "./record.ts";

/**
 * A parser context for one file whose calls may be counted (storage.cloudtrail.mode: summarise).
 * `countRecord` is true when the record was counted and the parser must yield nothing for it.
 */
export interface TrailContext extends EnrichContext {
  countRecord?(rec: Record<string, unknown>, index: number, locator: string | undefined): boolean;
}

interface ActionFacts {
  action: string;
  classes: readonly string[];
  /** `classes` joined, as counts store them (classifyApiCall returns them sorted and deduplicated). */
  classText: string;
}

// Both memos are capped, so a file of made-up names or identities cannot grow them without bound.
const MAX_MEMO = 20_000;

/**
 * The fast path for calls the store only counts. Most of a month's calls are reads by people and
 * services that become one count row per principal x action x day, and building the full event
 * for each (normalised attrs, target, session facts) only to fold it away cost about a fifth of the
 * parsing worker's time. Here the keep decision and the count are made from the dozen fields they
 * read, with the action's classes memoised per eventSource x eventName x readOnly and the agent
 * attribution per principal (both functions of the config alone). Anything not plainly a counted
 * call (an unusual time, an unknown field shape, an agent's call, a call the policy keeps) returns
 * false and goes the full way through cloudTrailRecordToEvent, so the store is the same either way
 * (test/ingest/counted-calls.test.ts compares both paths' stores).
 */
export function createCountedCalls(ctx: EnrichContext): (counter: CallCounter) => TrailContext {
  const actions = new Map<string, Map<string, ActionFacts[]>>();
  const principals = new Map<string, Attribution | null>();

  const actionFacts = (eventSource: string, eventName: string, readOnly: boolean | undefined): ActionFacts => {
    let byName = actions.get(eventSource);
    if (!byName) {
      if (actions.size >= MAX_MEMO) actions.clear();
      actions.set(eventSource, (byName = new Map()));
    }
    let slots = byName.get(eventName);
    if (!slots) {
      if (byName.size >= MAX_MEMO) byName.clear();
      byName.set(eventName, (slots = []));
    }
    const slot = readOnly === undefined ? 2 : readOnly ? 1 : 0;
    let facts = slots[slot];
    if (!facts) {
      const action = apiAction(eventSource, eventName);
      const classes = classifyApiCall(action, readOnly);
      slots[slot] = facts = { action, classes, classText: classes.join(" ") };
    }
    return facts;
  };

  const attribution = (
    arn: string | null, roleArn: string | null, roleName: string | null, userAgent: string | null, sourceIdentity: string | null, invokedBy: string | null,
  ): Attribution | null => {
    const key = `${arn ?? ""}\u0001${roleArn ?? ""}\u0001${roleName ?? ""}\u0001${userAgent ?? ""}\u0001${sourceIdentity ?? ""}\u0001${invokedBy ?? ""}`;
    const hit = principals.get(key);
    if (hit !== undefined) return hit;
    // As cloudTrailRecordToEvent: assumed-role ARNs end in /<role>/<session name>.
    const sessionName = arn && arn.includes(":assumed-role/") ? arn.split("/").pop() ?? null : null;
    const found = ctx.attributeAwsPrincipal({ roleArn, roleName, sessionName, userAgent, sourceIdentity, invokedBy });
    if (principals.size >= MAX_MEMO) principals.clear();
    principals.set(key, found);
    return found;
  };

  return (counter) => {
    const countRecord = (rec: Record<string, unknown>, index: number, locator: string | undefined): boolean => {
      const time = fastIsoTime(rec.eventTime);
      const eventSource = str(rec.eventSource);
      const eventName = str(rec.eventName);
      if (!time || !eventSource || !eventName) return false;
      const outcome = recordOutcome(rec, eventName);
      if (outcome !== "succeeded") return false;
      const identity = isRecord(rec.userIdentity) ? rec.userIdentity : {};
      const session = isRecord(identity.sessionContext) ? identity.sessionContext : {};
      const issuer = isRecord(session.sessionIssuer) ? session.sessionIssuer : {};
      const identityType = str(identity.type);
      const roleArn = str(issuer.arn);
      const found = attribution(str(identity.arn), roleArn, str(issuer.userName), str(rec.userAgent), str(session.sourceIdentity), str(identity.invokedBy));
      // An agent's call: rare, and the full path sets its attribution facts.
      if (found) return false;
      const readOnly = typeof rec.readOnly === "boolean" ? rec.readOnly : rec.readOnly === "true" ? true : rec.readOnly === "false" ? false : undefined;
      const facts = actionFacts(eventSource, eventName, readOnly);
      const actorKind = identityType === "AWSService" ? "service" : identityType === "Root" || identityType === "IAMUser" ? "human" : "unknown";
      if (counter.keeps(outcome, actorKind, facts.classes, facts.action, identityType)) return false;
      const account = str(rec.recipientAccountId) ?? str(identity.accountId);
      counter.count({
        time, actor: recordActor(identity), actorKind, identityType, roleArn, action: facts.action, classes: facts.classText, outcome, account,
        region: str(rec.awsRegion), environment: ctx.environmentOfAccount(account), eventCategory: str(rec.eventCategory), eventType: str(rec.eventType),
        eventId: str(rec.eventID), index, locator,
      });
      return true;
    };
    return Object.assign(Object.create(ctx) as TrailContext, { countRecord });
  };
}
