import { actionInfo } from "./action-catalog.ts";
import data from "./event-actions.json" with { type: "json" };

/** eventSource + eventName -> the IAM action that authorises the call; see event-actions.json. */
const SERVICES = new Map(Object.entries(data.services));
const RENAMES = new Map(Object.entries(data.renames).map(([k, v]) => [k.toLowerCase(), v]));
const VERSION = new RegExp(data.versionSuffix);
const NEVER_LOGGED = new Set(data.neverLogged.map((a) => a.toLowerCase()));
const globRe = (patterns: string[]) => new RegExp(`^(${patterns.map((p) => p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")).join("|")})$`, "i");
const DATA_EVENTS = globRe(data.dataEvents);

/** `cloudformation.amazonaws.com:DeleteStack` style store action -> `cloudformation:DeleteStack`, or null when no IAM action matches. */
export function iamActionForCall(storeAction: string): string | null {
  const colon = storeAction.indexOf(":");
  if (colon < 0) return null;
  const source = storeAction.slice(0, colon).replace(/\.amazonaws\.com$/, "");
  const name = storeAction.slice(colon + 1);
  const service = SERVICES.get(source) ?? source;
  const direct = `${service}:${name}`;
  const renamed = RENAMES.get(direct.toLowerCase());
  if (renamed) return actionInfo(renamed)?.action ?? renamed;
  const hit = actionInfo(direct) ?? actionInfo(`${service}:${name.replace(VERSION, "")}`);
  return hit?.action ?? null;
}

/**
 * How a query engine without this table finds the calls an action authorises: the version-suffix
 * pattern stripped from event names, and the event names of the renamed operations with the
 * action each is authorised by.
 */
export const VERSION_SUFFIX: string = data.versionSuffix;
export function renamedCalls(): { eventName: string; action: string }[] {
  return Object.entries(data.renames).map(([call, action]) => ({ eventName: call.slice(call.indexOf(":") + 1), action }));
}

/** Permission-only actions: no CloudTrail record ever shows them. */
export function isNeverLogged(action: string): boolean {
  return NEVER_LOGGED.has(action.toLowerCase());
}

/** Actions CloudTrail records only as data events (off unless the trail selects them). */
export function isDataEventAction(action: string): boolean {
  return DATA_EVENTS.test(action);
}
