import { identityKeys } from "../git/identity.ts";

/**
 * Who is who across git e-mails and platform logins. A person can commit as
 * `jane@corp.com`, push from `123+jane@users.noreply.github.com` and approve as `jane`: the
 * config's `changeManagement.identities` and the login/e-mail pairs a PR export lists for its
 * commit authors join those into one person, so self-review across aliases is still caught.
 */
export class Identities {
  private readonly alias = new Map<string, string>();

  constructor(groups: readonly { emails: readonly string[]; logins: readonly string[] }[] = []) {
    groups.forEach((g, i) => {
      for (const email of g.emails) for (const k of identityKeys({ email })) this.alias.set(k, `person:${i}`);
      for (const login of g.logins) for (const k of identityKeys({ login })) this.alias.set(k, `person:${i}`);
    });
  }

  /** Canonical keys of one appearance: its own keys plus the configured person they belong to. */
  keys(value: { email?: string | null; login?: string | null }, local?: ReadonlyMap<string, string>): string[] {
    const out = new Set<string>();
    for (const k of identityKeys(value)) {
      out.add(k);
      const person = this.alias.get(k) ?? local?.get(k);
      if (person) out.add(person);
    }
    return [...out];
  }
}

/** Per-PR aliases from the export: each commit author's e-mail and login are the same person. */
export function localAliases(pairs: readonly { email: string | null; login: string | null }[]): Map<string, string> {
  const local = new Map<string, string>();
  pairs.forEach((p, i) => {
    if (!p.email || !p.login) return;
    for (const k of identityKeys({ email: p.email, login: p.login })) local.set(k, `pr-author:${i}`);
  });
  return local;
}
