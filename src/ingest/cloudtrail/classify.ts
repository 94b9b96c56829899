import apiClasses from "./api-classes.json" with { type: "json" };

const exact = new Map<string, string[]>();
const prefixes: [string, string][] = [];
for (const [cls, names] of Object.entries(apiClasses)) {
  if (!Array.isArray(names)) continue;
  for (const name of names) {
    if (name.endsWith("*")) prefixes.push([name.slice(0, -1), cls]);
    else exact.set(name, [...(exact.get(name) ?? []), cls]);
  }
}

/** `cloudformation.amazonaws.com` + `DeleteStack` -> `cloudformation:DeleteStack`. */
export function apiAction(eventSource: string, eventName: string): string {
  return `${eventSource.replace(/\.amazonaws\.com$/, "")}:${eventName}`;
}

/** Classes for a CloudTrail call; `readOnly` decides read vs write for everything not listed. */
export function classifyApiCall(action: string, readOnly: boolean | undefined): string[] {
  const classes = new Set(exact.get(action) ?? []);
  for (const [prefix, cls] of prefixes) if (action.startsWith(prefix)) classes.add(cls);
  if (classes.has("logging-tamper")) classes.add("destructive");
  const name = action.slice(action.indexOf(":") + 1);
  classes.add(readOnly === true || (readOnly === undefined && /^(Get|List|Describe|Head|Lookup)/.test(name)) ? "read" : "write");
  return [...classes].sort();
}
