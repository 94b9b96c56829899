/**
 * Identity strings as git and the platforms write them. E-mails are compared exactly on the
 * address inside `<…>` (lower-cased): matching on names or substrings would take "Claude Monet"
 * for Claude Code or `noreply@anthropic.com.evil.net` for Anthropic.
 */
const NOREPLY = /^(?:(\d+)\+)?([^@]+)@users\.noreply\.github\.com$/;

/** The address in `Name <address>`, or the whole value when it has no angle brackets. */
export function emailIn(value: string): string {
  const m = value.match(/<([^<>]*)>\s*$/);
  return (m ? m[1]! : value).trim().toLowerCase();
}

export function nameIn(value: string): string {
  return value.replace(/<[^<>]*>\s*$/, "").trim();
}

/** `123+octo@users.noreply.github.com` -> { id: "123", login: "octo" }. */
export function githubNoreply(email: string): { id: string | null; login: string } | null {
  const m = email.toLowerCase().match(NOREPLY);
  return m ? { id: m[1] ?? null, login: m[2]! } : null;
}

/**
 * A login in one spelling across gh (`app/dependabot`), REST (`dependabot[bot]`) and GitLab
 * (`project_12_bot`-style names are left as they are): lower-case, without `app/` and `[bot]`.
 */
export function loginSlug(login: string): string {
  return login.trim().toLowerCase().replace(/^app\//, "").replace(/\[bot\]$/, "");
}

/**
 * Keys under which a person can appear: e-mail addresses and platform logins, normalised. A
 * GitHub noreply address also yields its login, so a commit e-mail and a review login meet.
 */
export function identityKeys(value: { email?: string | null; login?: string | null }): string[] {
  const keys: string[] = [];
  if (value.email) {
    const email = value.email.toLowerCase();
    keys.push(`email:${email}`);
    const noreply = githubNoreply(email);
    if (noreply) keys.push(`login:${loginSlug(noreply.login)}`);
  }
  if (value.login) keys.push(`login:${loginSlug(value.login)}`);
  return keys;
}
