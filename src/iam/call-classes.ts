import { actionInfo, allActions, type ActionInfo } from "./action-catalog.ts";
import { iamActionForCall, renamedCalls, VERSION_SUFFIX } from "./event-actions.ts";
import apiClasses from "./api-classes.json" with { type: "json" };
import classRules from "./class-rules.json" with { type: "json" };

const exact = new Map<string, string[]>();
const prefixes: [string, string][] = [];
for (const [cls, names] of Object.entries(apiClasses)) {
  if (!Array.isArray(names)) continue;
  for (const name of names) {
    if (name.endsWith("*")) prefixes.push([name.slice(0, -1), cls]);
    else exact.set(name, [...(exact.get(name) ?? []), cls]);
  }
}

const byLevel = new Map<string, string>(Object.entries(classRules.accessLevels).map(([level, r]) => [level, r.class]));
const verbs = classRules.verbs;
const DESTRUCTIVE_VERB = new RegExp(`^(Batch)?(${verbs.prefixes.join("|")})`);
const CREDENTIAL = new RegExp(classRules.credentialAccess.pattern);
const lower = (a: string) => a.toLowerCase();
const notClass = new Map<string, string[]>();
for (const e of classRules.exceptions) notClass.set(lower(e.action), [...(notClass.get(lower(e.action)) ?? []), e.not]);
const added = new Map<string, string[]>();
for (const e of classRules.additions) added.set(lower(e.action), [...(added.get(lower(e.action)) ?? []), e.class]);

/**
 * Name prefixes of a read, for a call whose record has no `readOnly` (the pushdown SQL reads the
 * same list, so a call is read or write alike in Athena and here).
 */
export const READ_VERBS: readonly string[] = ["Get", "List", "Describe", "Head", "Lookup"];
const READ_NAME = new RegExp(`^(${READ_VERBS.join("|")})`);

/** `cloudformation.amazonaws.com` + `DeleteStack` -> `cloudformation:DeleteStack`. */
export function apiAction(eventSource: string, eventName: string): string {
  return `${eventSource.replace(/\.amazonaws\.com$/, "")}:${eventName}`;
}

/** The classes the IAM dataset gives an action: by access level, verb and what it reads (class-rules.json). */
export function derivedClasses(info: ActionInfo): string[] {
  const name = info.action.slice(info.action.indexOf(":") + 1);
  const out = new Set<string>(added.get(lower(info.action)) ?? []);
  const levelClass = byLevel.get(info.accessLevel);
  if (levelClass) out.add(levelClass);
  if (info.accessLevel === verbs.level && DESTRUCTIVE_VERB.test(name)) out.add(verbs.class);
  if (classRules.credentialAccess.levels.includes(info.accessLevel) && CREDENTIAL.test(name)) out.add(classRules.credentialAccess.class);
  for (const c of notClass.get(lower(info.action)) ?? []) out.delete(c);
  return [...out];
}

// Per distinct action (and readOnly flag): the same few hundred calls make up millions of records.
// Capped, so a file of made-up event names cannot grow it without bound.
const MAX_CACHED = 50_000;
const cache = new Map<string, string[]>();

/**
 * Classes for a CloudTrail call (`eventSource` service spelling) or an IAM action: the listed
 * classes of api-classes.json, those derived from the IAM dataset, and read or write (`readOnly`
 * when the record has it, else the verb).
 */
export function classifyApiCall(action: string, readOnly: boolean | undefined): string[] {
  const key = `${readOnly === undefined ? "?" : readOnly ? "r" : "w"}${action}`;
  const hit = cache.get(key);
  if (hit) return [...hit];
  const classes = new Set(exact.get(action) ?? []);
  for (const [prefix, cls] of prefixes) if (action.startsWith(prefix)) classes.add(cls);
  const iam = iamActionForCall(action);
  const info = iam ? actionInfo(iam) : undefined;
  if (info) for (const c of derivedClasses(info)) classes.add(c);
  if (classes.has("logging-tamper")) classes.add("destructive");
  const name = action.slice(action.indexOf(":") + 1);
  classes.add(readOnly === true || (readOnly === undefined && READ_NAME.test(name)) ? "read" : "write");
  const out = [...classes].sort();
  if (cache.size < MAX_CACHED) cache.set(key, out);
  return [...out];
}

/** Which calls classifyApiCall may give one of some classes, in terms a query engine can test. */
export interface ClassedCalls {
  /** Store actions (`service:EventName`) listed in api-classes.json. */
  actions: string[];
  /** Store action prefixes listed there (`service:Prefix`, from `…*` entries). */
  actionPrefixes: string[];
  /** Lower-case event names of any service, compared with and without VERSION_SUFFIX. */
  eventNames: string[];
  /** Case-insensitive patterns over the event name without VERSION_SUFFIX. */
  eventNamePatterns: string[];
  versionSuffix: string;
}

/**
 * The calls classifyApiCall may give any of `classes`, for an engine that has the calls but not
 * the IAM dataset (the pushdown SQL): the api-classes.json entries, the names of the actions whose
 * access level, addition or renamed operation carries a class, and the verb and credential
 * patterns of class-rules.json. A superset: the service, the access level a verb needs and the
 * exceptions are not checked, so the engine may select calls the ingest then only counts, never
 * miss one it keeps.
 */
export function classedCalls(classes: readonly string[]): ClassedCalls {
  const want = new Set(classes);
  const listed = Object.entries(apiClasses).flatMap(([cls, names]) => (want.has(cls) && Array.isArray(names) ? (names as string[]) : []));
  const names = new Set<string>();
  for (const info of allActions()) if (want.has(byLevel.get(info.accessLevel) ?? "")) names.add(lower(info.action.slice(info.action.indexOf(":") + 1)));
  for (const a of classRules.additions) if (want.has(a.class)) names.add(lower(a.action.slice(a.action.indexOf(":") + 1)));
  for (const r of renamedCalls()) {
    const info = actionInfo(r.action);
    if (info && derivedClasses(info).some((c) => want.has(c))) names.add(lower(r.eventName));
  }
  const patterns: string[] = [];
  if (want.has(verbs.class)) patterns.push(`(?i)^(Batch)?(${verbs.prefixes.join("|")})`);
  if (want.has(classRules.credentialAccess.class)) patterns.push(`(?i)${classRules.credentialAccess.pattern}`);
  return {
    actions: [...new Set(listed.filter((n) => !n.endsWith("*")))].sort(),
    actionPrefixes: [...new Set(listed.filter((n) => n.endsWith("*")).map((n) => n.slice(0, -1)))].sort(),
    eventNames: [...names].sort(),
    eventNamePatterns: patterns,
    versionSuffix: VERSION_SUFFIX,
  };
}
