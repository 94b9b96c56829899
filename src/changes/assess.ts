import { attributePullRequest, identityOfEmail, identityOfLogin, isAutomatedReviewer, type Attribution } from "../git/attribution.ts";
import { emailIn, nameIn } from "../git/identity.ts";
import type { ReviewStrength } from "../git/review.ts";
import { localAliases, type Identities } from "./identities.ts";

/**
 * The verdict on one change that reached production (pure). Review is independent only when a
 * human who is none of the author, the committer, a co-author, the PR author, a PR commit author
 * or the person whose agent session made the commit approved it before the merge. Platform
 * approvals outrank review trailers, which outrank a merge message: a platform export records who approved (GitHub REST
 * 'List reviews for a pull request'), a trailer only names a reviewer (Gerrit's Reviewed-by footer,
 * GitLab's %{approved_by} merge template), and a merge message shows only that a PR merged.
 */
export interface ChangeCommit {
  sha: string;
  subject: string;
  body: string;
  authorName: string | null;
  authorEmail: string | null;
  committerEmail: string | null;
  coAuthors: string[];
  attribution: Attribution;
  gitReview: { review: "reviewed" | "unreviewed" | "unknown"; evidence: string | null; strength: ReviewStrength };
  prRef: string | null;
  sensitivePaths: string[];
  signature: string | null;
  emergency: string | null;
}

export interface ChangePullRequest {
  platform: "github" | "gitlab";
  number: number;
  join: "merge-commit" | "message";
  author: string | null;
  authorIsBot: boolean;
  mergedBy: string | null;
  mergedAt: string | null;
  headSha: string | null;
  headRef: string | null;
  reviewDecision: string | null;
  labels: string[];
  commitAuthors: { name: string | null; email: string | null; login: string | null }[];
  lastCommitTime: string | null;
}

export interface ChangeReview {
  reviewer: string | null;
  reviewerIsBot: boolean;
  state: string;
  submittedAt: string | null;
  commitSha: string | null;
}

export interface ChangeInput {
  commit: ChangeCommit;
  pr: ChangePullRequest | null;
  reviews: ChangeReview[];
  /** An AI-attributed commit the merge brought in from its branch. */
  branchAgent: { sha: string; attribution: Attribution; authorName: string | null; authorEmail: string | null } | null;
  /** The agent session that recorded this commit's SHA. */
  session: { sessionId: string | null; product: string | null; actor: string | null } | null;
  /** A PR export is configured for this repository (so a `#N` missing from it is a gap, not normal). */
  exportCovers: boolean;
}

export interface ChangePolicy {
  identities: Identities;
  emergencyLabels: readonly string[];
  aiReviewers: ReadonlySet<string>;
}

export type ExceptionCode =
  | "unreviewed" | "approved-after-merge" | "approval-stale" | "self-merged" | "admin-bypass" | "direct-push" | "ai-reviewer-only" | "emergency";

export interface ChangeVerdict {
  prRef: string | null;
  prJoin: "merge-commit" | "message" | "none";
  authorKind: Attribution["authorKind"];
  agentProduct: string | null;
  aiSignal: string | null;
  aiConfidence: string | null;
  launcher: string | null;
  review: "reviewed" | "unreviewed" | "unknown";
  reviewStrength: ReviewStrength;
  reviewEvidence: string | null;
  reviewers: string | null;
  mergedBy: string | null;
  approvedBeforeMerge: boolean | null;
  approvalStale: boolean | null;
  selfMerged: boolean | null;
  adminBypass: boolean | null;
  directPush: boolean;
  aiReviewerOnly: boolean;
  emergency: string | null;
  exceptions: ExceptionCode[];
}

/** The platform's web-flow committer is not a person: it never makes a merge "self-merged". */
const PLATFORM_COMMITTERS = new Set(["noreply@github.com"]);
const REVIEW_PLATFORM_FOOTER = /^(Reviewed-on|Differential Revision):/m;

function attributionOf(input: ChangeInput): Attribution {
  const own = input.commit.attribution;
  if (own.authorKind !== "human") return own;
  if (input.session) {
    return {
      authorKind: "agent", agentProduct: input.session.product, confidence: "high", scope: "commit",
      signal: `agent session ${input.session.sessionId ?? "?"} recorded this commit id`,
    };
  }
  if (input.branchAgent) {
    const b = input.branchAgent.attribution;
    return { ...b, signal: `branch commit ${input.branchAgent.sha.slice(0, 12)}: ${b.signal}` };
  }
  return (input.pr && attributePullRequest(input.pr.author, input.pr.headRef)) ?? own;
}

interface Person { label: string; keys: string[] }

/** Everyone who made the change: none of them can be its independent reviewer. */
function makers(input: ChangeInput, policy: ChangePolicy, local: ReadonlyMap<string, string>): Person[] {
  const { commit, pr, session } = input;
  const ids = policy.identities;
  const people: Person[] = [];
  const add = (label: string, v: { email?: string | null; login?: string | null }) => {
    const keys = ids.keys(v, local);
    if (keys.length) people.push({ label, keys });
  };
  const person = (email: string | null | undefined): email is string => !!email && !PLATFORM_COMMITTERS.has(email.toLowerCase());
  if (person(commit.authorEmail)) add(`${commit.authorName ?? ""} <${commit.authorEmail}>`.trim(), { email: commit.authorEmail });
  if (person(commit.committerEmail)) add(commit.committerEmail!, { email: commit.committerEmail });
  const branch = input.branchAgent;
  if (branch && person(branch.authorEmail)) add(`${branch.authorName ?? ""} <${branch.authorEmail}>`.trim(), { email: branch.authorEmail });
  for (const c of commit.coAuthors) add(nameIn(c) || emailIn(c), { email: emailIn(c) });
  if (pr?.author) add(`@${pr.author}`, { login: pr.author });
  for (const a of pr?.commitAuthors ?? []) add(a.login ? `@${a.login}` : (a.email ?? "?"), { email: a.email, login: a.login });
  if (session?.actor) add(session.actor, session.actor.includes("@") ? { email: session.actor } : { login: session.actor });
  return people;
}

const overlaps = (keys: string[], people: Person[]) => people.some((p) => p.keys.some((k) => keys.includes(k)));

/** The human behind an AI change: the first maker who is not itself an agent or bot identity. */
function launcherOf(attribution: Attribution, people: Person[], agentish: (p: Person) => boolean): string | null {
  if (attribution.authorKind !== "agent") return null;
  return people.find((p) => !agentish(p))?.label ?? null;
}

export function assessChange(input: ChangeInput, policy: ChangePolicy): ChangeVerdict {
  const { commit, pr } = input;
  const attribution = attributionOf(input);
  const local = localAliases(pr?.commitAuthors ?? []);
  const people = makers(input, policy, local);
  const agentish = (p: Person) =>
    p.keys.some((k) => (k.startsWith("email:") && identityOfEmail(k.slice(6))) || (k.startsWith("login:") && identityOfLogin(k.slice(6))));
  const emergency = commit.emergency ?? (pr ? (pr.labels.find((l) => policy.emergencyLabels.some((e) => e.toLowerCase() === l.toLowerCase())) ?? null) : null);
  const base = {
    prRef: pr ? `${pr.platform === "gitlab" ? "!" : "#"}${pr.number}` : commit.prRef,
    prJoin: pr?.join ?? ("none" as const),
    authorKind: attribution.authorKind, agentProduct: attribution.agentProduct, aiSignal: attribution.signal, aiConfidence: attribution.confidence,
    launcher: launcherOf(attribution, people, agentish),
    mergedBy: pr?.mergedBy ?? null,
    emergency: emergency ? (commit.emergency ? `trailer ${emergency}` : `label ${emergency}`) : null,
  };
  const exceptions: ExceptionCode[] = [];
  if (emergency) exceptions.push("emergency");

  if (!pr) {
    const directPush = commit.prRef === null && !REVIEW_PLATFORM_FOOTER.test(commit.body);
    const g = commit.gitReview;
    const missing = commit.prRef && input.exportCovers ? `; ${commit.prRef} is not in the pull-request export` : "";
    if (g.review === "unreviewed") exceptions.push("unreviewed");
    if (directPush) exceptions.push("direct-push");
    return {
      ...base, review: g.review, reviewStrength: g.strength, reviewEvidence: (g.evidence ?? "") + missing || null,
      reviewers: g.review === "reviewed" ? g.evidence : null, approvedBeforeMerge: null, approvalStale: null, selfMerged: null, adminBypass: null,
      directPush, aiReviewerOnly: false, exceptions,
    };
  }

  const mergerKeys = pr.mergedBy ? policy.identities.keys({ login: pr.mergedBy }, local) : [];
  const selfMerged = pr.mergedBy ? overlaps(mergerKeys, people) : null;
  const adminBypass = pr.reviewDecision === "REVIEW_REQUIRED" || pr.reviewDecision === "CHANGES_REQUESTED";
  const approvals = input.reviews.filter((r) => r.state.toUpperCase() === "APPROVED" && r.reviewer);
  const human = approvals.filter((r) => !isAutomatedReviewer(r.reviewer!, r.reviewerIsBot, policy.aiReviewers));
  const independent = human.filter((r) => !overlaps(policy.identities.keys({ login: r.reviewer }, local), people));
  const before = (r: ChangeReview) => (r.submittedAt && pr.mergedAt ? r.submittedAt <= pr.mergedAt : null);
  const stale = (r: ChangeReview) =>
    (pr.headSha !== null && r.commitSha !== null && r.commitSha !== pr.headSha) || (pr.lastCommitTime !== null && r.submittedAt !== null && r.submittedAt < pr.lastCommitTime);
  const inTime = independent.filter((r) => before(r) !== false);
  const fresh = inTime.filter((r) => !stale(r));
  const aiReviewerOnly = approvals.length > 0 && human.length === 0;
  const ref = `${pr.platform === "gitlab" ? "MR !" : "PR #"}${pr.number}`;
  const logins = (list: ChangeReview[]) => [...new Set(list.map((r) => r.reviewer!))];
  const who = (list: ChangeReview[]) => logins(list).map((l) => `@${l}`).join(", ");

  let review: ChangeVerdict["review"];
  let evidence: string;
  const late = independent.filter((r) => before(r) === false);
  if (!inTime.length && emergency && late.length) {
    // The documented emergency path: merged first, independently reviewed afterwards.
    review = "reviewed";
    evidence = `${ref} emergency change, reviewed retrospectively by ${who(late)} at ${late[0]!.submittedAt}`;
  } else if (inTime.length) {
    review = "reviewed";
    const shown = fresh.length ? fresh : inTime;
    const when = shown[0]!.submittedAt ? ` at ${shown[0]!.submittedAt}` : " (approval time not in the export)";
    evidence = `${ref} approved by ${who(shown)}${when}${fresh.length ? "" : ", on an earlier head: commits were pushed after the approval"}`;
  } else {
    review = "unreviewed";
    if (independent.length) evidence = `${ref} approved only after the merge, by ${who(independent)}`;
    else if (aiReviewerOnly) evidence = `${ref} approved only by AI or bot reviewers (${who(approvals)})`;
    else if (human.length) evidence = `${ref} approved only by people who made the change (${who(human)})`;
    else evidence = `${ref} merged with no approving review`;
    if (commit.gitReview.review === "reviewed") evidence += `; the message claims review (${commit.gitReview.evidence}) but the platform recorded no independent approval`;
  }
  if (review === "unreviewed") exceptions.push("unreviewed");
  const approvedBeforeMerge = independent.length ? inTime.length > 0 : null;
  if (approvedBeforeMerge === false) exceptions.push("approved-after-merge");
  const approvalStale = inTime.length ? fresh.length === 0 : null;
  if (approvalStale) exceptions.push("approval-stale");
  // Merging one's own change after someone else approved it is ordinary practice; alone, it is segregation of duties failing.
  if (selfMerged && review !== "reviewed") exceptions.push("self-merged");
  if (adminBypass) exceptions.push("admin-bypass");
  if (aiReviewerOnly) exceptions.push("ai-reviewer-only");
  return {
    ...base, review, reviewStrength: "platform", reviewEvidence: evidence,
    // Plain logins: a leading "@" would be escaped as a spreadsheet formula in the CSV.
    reviewers: (inTime.length ? logins(fresh.length ? fresh : inTime) : review === "reviewed" ? logins(late) : []).join(", ") || null, approvedBeforeMerge, approvalStale, selfMerged,
    adminBypass, directPush: false, aiReviewerOnly, exceptions,
  };
}
