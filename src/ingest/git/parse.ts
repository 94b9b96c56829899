import type { CommitRecord } from "../../store/index.ts";
import signals from "./ai-signals.json" with { type: "json" };

/**
 * Pure parsing of our `git log` output. Fields are separated by US (0x1f), commits start with RS
 * (0x1e), trailers are joined by GS (0x1d): none of them can appear in names or e-mails, and git
 * itself never emits them in a message unless someone typed them.
 */
export const FIELD = "\x1f";
export const RECORD = "\x1e";
export const TRAILER = "\x1d";
export const LOG_FORMAT = [RECORD + "%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%s", "%B", "%(trailers:unfold=true,separator=%x1d)"].join("%x1f");

export interface RawCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorTime: string;
  committerName: string;
  committerEmail: string;
  committerTime: string;
  subject: string;
  body: string;
  trailers: { key: string; value: string }[];
}

export function parseLogRecord(record: string): RawCommit | string {
  const f = record.split(FIELD);
  if (f.length < 11) return `expected 11 fields, got ${f.length}`;
  const [sha, parents, an, ae, aI, cn, ce, cI, subject, body, trailers] = f as [string, ...string[]];
  if (!/^[0-9a-f]{40,64}$/.test(sha)) return `not a commit id: ${sha.slice(0, 50)}`;
  return {
    sha,
    parents: parents!.split(" ").filter(Boolean),
    authorName: an!,
    authorEmail: ae!,
    authorTime: new Date(aI!).toISOString(),
    committerName: cn!,
    committerEmail: ce!,
    committerTime: new Date(cI!).toISOString(),
    subject: subject!,
    body: body!.replace(/\n+$/, ""),
    trailers: trailers!
      .split(TRAILER)
      .map((t) => t.trim())
      .filter(Boolean)
      .map((t) => {
        const i = t.indexOf(":");
        return { key: t.slice(0, i).trim(), value: t.slice(i + 1).trim() };
      }),
  };
}

const emailIn = (value: string) => value.match(/<([^>]+)>/)?.[1]?.toLowerCase() ?? value.toLowerCase();
const nameIn = (value: string) => value.replace(/<[^>]*>/, "").trim();

export interface Attribution {
  authorKind: "human" | "agent" | "bot";
  agentProduct: string | null;
  signal: string | null;
}

/** Decides whether an AI agent or a bot wrote the commit, and records which signal fired. */
export function attributeCommit(c: RawCommit, extraAgentEmails: (email: string) => string | null): Attribution {
  const author = `${c.authorName} <${c.authorEmail}>`.toLowerCase();
  if (signals.botPatterns.some((p) => author.includes(p))) return { authorKind: "bot", agentProduct: null, signal: `bot author ${c.authorName}` };
  const emails = [c.authorEmail, ...c.trailers.filter((t) => /^co-authored-by$/i.test(t.key)).map((t) => emailIn(t.value))];
  for (const email of emails) {
    const lower = email.toLowerCase();
    const known = signals.coAuthorEmails.find((s) => lower.endsWith(s.pattern));
    if (known) return { authorKind: "agent", agentProduct: known.product, signal: `${email === c.authorEmail ? "author" : "co-author"} ${email}` };
    const configured = extraAgentEmails(lower);
    if (configured) return { authorKind: "agent", agentProduct: configured, signal: `configured agent e-mail ${email}` };
  }
  for (const s of signals.authorNameSuffixes) {
    if (c.authorName.endsWith(s.suffix) || c.committerName.endsWith(s.suffix)) return { authorKind: "agent", agentProduct: s.product, signal: `name suffix ${s.suffix}` };
  }
  for (const s of signals.subjectPrefixes) {
    if (c.subject.startsWith(s.prefix)) return { authorKind: "agent", agentProduct: s.product, signal: `subject prefix "${s.prefix.trim()}"` };
  }
  return { authorKind: "human", agentProduct: null, signal: null };
}

export interface ReviewConclusion {
  review: "reviewed" | "unreviewed" | "unknown";
  evidence: string | null;
  strength: "platform" | "trailer" | "merge-message" | "none";
}

const REVIEW_TRAILERS = /^(reviewed-by|approved-by|acked-by)$/i;

/**
 * Review evidence from git alone. A review trailer by someone other than the author counts;
 * a pull-request merge message shows a PR existed but not that anyone approved it; a commit with
 * neither on the production branch is a direct push.
 */
export function reviewFromGit(c: RawCommit): ReviewConclusion {
  const authorEmail = c.authorEmail.toLowerCase();
  const coAuthors = new Set(c.trailers.filter((t) => /^co-authored-by$/i.test(t.key)).map((t) => emailIn(t.value)));
  const reviewers = c.trailers.filter((t) => REVIEW_TRAILERS.test(t.key));
  const independent = reviewers.filter((t) => {
    const email = emailIn(t.value);
    return email !== authorEmail && !coAuthors.has(email);
  });
  if (independent.length) {
    return { review: "reviewed", evidence: independent.map((t) => `${t.key}: ${nameIn(t.value)}`).join("; "), strength: "trailer" };
  }
  if (reviewers.length) return { review: "unreviewed", evidence: "review trailer names the author or a co-author (not independent)", strength: "trailer" };
  const pr = c.subject.match(/^Merge pull request #(\d+)/) ?? c.subject.match(/\(#(\d+)\)$/);
  if (pr) return { review: "unknown", evidence: `pull request #${pr[1]} (merge message only; approval not recorded in git)`, strength: "merge-message" };
  return { review: "unreviewed", evidence: "no pull request or review trailer: direct push to the production branch", strength: "none" };
}

export function toCommitRecord(c: RawCommit, repo: string, onProduction: boolean, attribution: Attribution, index: number): CommitRecord {
  const review = reviewFromGit(c);
  return {
    repo,
    sha: c.sha,
    parents: c.parents,
    authorName: c.authorName,
    authorEmail: c.authorEmail,
    authorTime: c.authorTime,
    committerName: c.committerName,
    committerEmail: c.committerEmail,
    committerTime: c.committerTime,
    subject: c.subject,
    body: c.body,
    onProduction,
    authorKind: attribution.authorKind,
    agentProduct: attribution.agentProduct,
    aiSignal: attribution.signal,
    review: review.review,
    reviewEvidence: review.evidence,
    reviewStrength: review.strength,
    filesChanged: null,
    locator: `commit ${index} (${c.sha.slice(0, 12)})`,
  };
}
