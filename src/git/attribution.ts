import signals from "./ai-signals.json" with { type: "json" };
import { emailIn, githubNoreply, loginSlug } from "./identity.ts";
import { clipAtTokenBoundary } from "../redact/clip.ts";

export type AuthorKind = "human" | "agent" | "bot";
export type Confidence = "high" | "medium" | "low";

export interface Attribution {
  authorKind: AuthorKind;
  agentProduct: string | null;
  /** Which signal fired, in words an auditor can check against the commit. */
  signal: string | null;
  confidence: Confidence | null;
  /** `squash-aggregate`: a platform squash lists every PR commit's co-authors, so the agent was involved somewhere in the PR, not necessarily in the landed diff. */
  scope: "commit" | "squash-aggregate" | null;
}

export interface CommitIdentity {
  authorName: string;
  authorEmail: string;
  committerName: string;
  committerEmail: string;
  subject: string;
  message: string;
  parents: string[];
  trailers: { key: string; value: string }[];
}

const NONE: Attribution = { authorKind: "human", agentProduct: null, signal: null, confidence: null, scope: null };
const EMAILS = new Map(signals.emails.map((e) => [e.email, e]));
const ACCOUNTS = new Map(signals.githubAccounts.map((a) => [a.id, a]));
const AGENT_LOGINS = new Map(signals.agentLogins.map((a) => [a.login, a.product]));
const BOT_LOGINS = new Set(signals.botLogins.map((b) => b.login));
const MESSAGE_PATTERNS = signals.messagePatterns.map((p) => ({ ...p, re: new RegExp(p.pattern, `m${"flags" in p ? p.flags : ""}`) }));
const TRAILERS = new Map(signals.trailers.map((t) => [t.key.toLowerCase(), { ...t, values: "values" in t ? t.values : null }]));
const SUBJECT_PREFIXES = signals.subjectPrefixes.map((s) => ({ ...s, prefix: s.prefix.toLowerCase() }));

/**
 * `Key: value` lines anywhere in the message. git's `%(trailers)` reads only a last paragraph made
 * of trailers (git-interpret-trailers(1)), so a `Co-authored-by:` written straight under the
 * subject or under body text, without a blank line, is not a trailer to git; tools and people
 * write it that way, and it names the agent just as well. Only known keys are acted on.
 */
const TRAILER_LINE = /^[ \t]*([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(\S.*?)[ \t]*$/gm;

function trailersOf(c: CommitIdentity): { key: string; value: string }[] {
  const body = c.message.indexOf("\n");
  if (body < 0) return c.trailers;
  const found = [...c.trailers];
  for (const m of c.message.slice(body).matchAll(TRAILER_LINE)) found.push({ key: m[1]!, value: m[2]! });
  return found;
}

/** What an e-mail address alone says: a known agent or bot identity, or nothing. */
export function identityOfEmail(address: string): { kind: "agent" | "bot"; product: string } | null {
  const email = address.toLowerCase();
  const known = EMAILS.get(email);
  if (known) return { kind: known.kind as "agent" | "bot", product: known.product };
  const noreply = githubNoreply(email);
  if (!noreply) return null;
  const account = noreply.id ? ACCOUNTS.get(noreply.id) : undefined;
  if (account) return { kind: account.kind as "agent" | "bot", product: account.product };
  return identityOfLogin(noreply.login);
}

/** What a platform login says (gh `app/<slug>`, REST `<slug>[bot]`, plain logins). */
export function identityOfLogin(login: string): { kind: "agent" | "bot"; product: string } | null {
  const slug = loginSlug(login);
  const product = AGENT_LOGINS.get(slug);
  if (product) return { kind: "agent", product };
  if (BOT_LOGINS.has(slug) || /\[bot\]$/i.test(login.trim()) || /^app\//i.test(login.trim())) return { kind: "bot", product: slug };
  return null;
}

/** A GitHub squash: one parent, made by the web-flow committer, subject ending "(#N)". */
function isPlatformSquash(c: CommitIdentity): boolean {
  return c.parents.length === 1 && c.committerEmail.toLowerCase() === "noreply@github.com" && /\(#\d+\)$/.test(c.subject);
}

/**
 * Decides whether an AI agent or a bot wrote the commit, strongest signal first: the author or
 * committer identity, a configured agent e-mail, co-author trailers (high); AI trailers and
 * message markers (medium); Aider's name suffix and subject prefix (medium).
 */
export function attributeCommit(c: CommitIdentity, configuredAgent: (email: string) => string | null): Attribution {
  for (const [role, email] of [["author", c.authorEmail], ["committer", c.committerEmail]] as const) {
    const known = identityOfEmail(email);
    if (known?.kind === "agent") return { authorKind: "agent", agentProduct: known.product, signal: `${role} ${email}`, confidence: "high", scope: "commit" };
    if (known?.kind === "bot" && role === "author") return { authorKind: "bot", agentProduct: null, signal: `bot author ${c.authorName} <${email}>`, confidence: "high", scope: "commit" };
    const configured = configuredAgent(email.toLowerCase());
    if (configured) return { authorKind: "agent", agentProduct: configured, signal: `configured agent e-mail ${email} (${role})`, confidence: "high", scope: "commit" };
  }
  // An app account that commits under its own name, e.g. "renovate[bot] <bot@renovateapp.com>".
  // An AI app only committing (a person's change pushed by the app) still says an agent made it.
  for (const [role, name] of [["author", c.authorName], ["committer", c.committerName]] as const) {
    const byName = /\[bot\]$/i.test(name.trim()) ? identityOfLogin(name) : null;
    if (byName?.kind === "agent") return { authorKind: "agent", agentProduct: byName.product, signal: `${role} ${name}`, confidence: "high", scope: "commit" };
    if (byName && role === "author") return { authorKind: "bot", agentProduct: null, signal: `bot author ${name}`, confidence: "high", scope: "commit" };
  }
  const scope = isPlatformSquash(c) ? "squash-aggregate" : "commit";
  const trailers = trailersOf(c);
  for (const t of trailers) {
    if (!/^co-authored-by$/i.test(t.key)) continue;
    const email = emailIn(t.value);
    const known = identityOfEmail(email);
    const product = known?.kind === "agent" ? known.product : configuredAgent(email);
    if (product) return { authorKind: "agent", agentProduct: product, signal: `co-author ${email}`, confidence: "high", scope };
  }
  for (const t of trailers) {
    const rule = TRAILERS.get(t.key.toLowerCase());
    if (!rule || (rule.values && !rule.values.some((v) => t.value.toLowerCase().startsWith(v)))) continue;
    // `Assisted-by: claude:opus-4 [tool]` names the agent in its value.
    const product = rule.product ?? (t.value.split(/[:\s]/, 1)[0]!.toLowerCase() || "unknown");
    return { authorKind: "agent", agentProduct: product, signal: clipAtTokenBoundary(`trailer ${t.key}: ${t.value}`, 120), confidence: "medium", scope };
  }
  for (const p of MESSAGE_PATTERNS) {
    const m = c.message.match(p.re);
    if (m) return { authorKind: "agent", agentProduct: p.product, signal: `message "${m[0]}"`, confidence: "medium", scope: "commit" };
  }
  for (const s of signals.nameSuffixes) {
    const who = c.authorName.endsWith(s.suffix) ? "author" : c.committerName.endsWith(s.suffix) ? "committer" : null;
    if (who) return { authorKind: "agent", agentProduct: s.product, signal: `${who} name suffix "${s.suffix.trim()}"`, confidence: "medium", scope: "commit" };
  }
  const subject = c.subject.toLowerCase();
  for (const s of SUBJECT_PREFIXES) {
    if (subject.startsWith(s.prefix)) return { authorKind: "agent", agentProduct: s.product, signal: `subject prefix "${s.prefix.trim()}"`, confidence: "medium", scope: "commit" };
  }
  return NONE;
}

const REVIEW_BOTS = new Set(signals.reviewBots.map((b) => b.login));

/** An AI review tool (CodeRabbit, Copilot review…) or any bot: its approval is not a human's. */
export function isAutomatedReviewer(login: string, isBot: boolean, extra: ReadonlySet<string>): boolean {
  const slug = loginSlug(login);
  return isBot || REVIEW_BOTS.has(slug) || extra.has(slug) || identityOfLogin(login) !== null;
}

/** Agent signal from a pull request's author or head branch (for commits that carry none themselves). */
export function attributePullRequest(author: string | null, headRef: string | null): Attribution | null {
  if (author) {
    const known = identityOfLogin(author);
    if (known?.kind === "agent") return { authorKind: "agent", agentProduct: known.product, signal: `PR author ${author}`, confidence: "high", scope: "commit" };
    if (known?.kind === "bot") return { authorKind: "bot", agentProduct: null, signal: `PR author ${author}`, confidence: "high", scope: "commit" };
  }
  const branch = signals.branchPrefixes.find((b) => headRef?.startsWith(b.prefix));
  if (branch) return { authorKind: "agent", agentProduct: branch.product, signal: `PR head branch ${headRef}`, confidence: "medium", scope: "commit" };
  return null;
}
