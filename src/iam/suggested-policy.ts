import type { PrincipalAccess } from "./access-review.ts";

/** Where the package holds a principal's suggested policy: policies/<name>.json (name made file-safe). */
export function suggestedPolicyFile(a: PrincipalAccess): string {
  const safe = `${a.principal.account ? `${a.principal.account}-` : ""}${a.principal.name}`.replace(/[^A-Za-z0-9._-]+/g, "_");
  return `policies/${safe}.json`;
}

/** The policy document, pretty-printed: an engineer applies it as is, after review. */
export function suggestedPolicyJson(a: PrincipalAccess): string {
  return JSON.stringify(a.suggestedPolicy, null, 2) + "\n";
}
