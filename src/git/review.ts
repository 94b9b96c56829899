import { emailIn, nameIn } from "./identity.ts";

/**
 * Review evidence from git alone (GitHub's merge and squash commit messages, GitLab's merge
 * commit templates, Gerrit's Reviewed-by footers; OpenSSF Scorecard `checks/raw/code_review.go`). Strength, strongest first:
 * `platform` (an approval recorded by GitHub/GitLab, from an export), `trailer` (a reviewer
 * named in the message, written by Gerrit, GitLab templates or by hand), `merge-message` (the
 * change went through a PR, but git does not say who approved it), `none`.
 */
export type ReviewStrength = "platform" | "trailer" | "merge-message" | "none";

export interface ReviewConclusion {
  review: "reviewed" | "unreviewed" | "unknown";
  evidence: string | null;
  strength: ReviewStrength;
  /** Some review platform handled the change (PR, MR, Gerrit, Phabricator): not a direct push. */
  viaPlatform: boolean;
}

export interface ReviewInput {
  authorEmail: string;
  committerEmail: string;
  subject: string;
  message: string;
  trailers: { key: string; value: string }[];
}

const REVIEW_TRAILERS = /^(reviewed-by|approved-by|acked-by)$/i;
const GITHUB_MERGE = /^Merge pull request #(\d+) from /;
const GITHUB_SQUASH = /\(#(\d+)\)$/;
const GITLAB_MERGE = /^See merge request (?:\S+)?!(\d+)\s*$/m;
const GERRIT = /^Reviewed-on: \S+/m;
const PHABRICATOR = /^Differential Revision:[^\r\n]*(D\d+)/m;
// arc writes "Reviewed By: name" with a space, which git's trailer parser does not accept as a key.
const PHABRICATOR_REVIEWERS = /^Reviewed By: (.+)$/m;

/** The pull (`#N`) or merge request (`!N`) a merge or squash message names, if any. */
export function prRefOf(subject: string, message: string): string | null {
  const gh = subject.match(GITHUB_MERGE) ?? subject.match(GITHUB_SQUASH);
  if (gh) return `#${gh[1]}`;
  const gl = message.match(GITLAB_MERGE);
  return gl ? `!${gl[1]}` : null;
}

export function reviewFromGit(c: ReviewInput): ReviewConclusion {
  const involved = new Set([c.authorEmail.toLowerCase(), c.committerEmail.toLowerCase()]);
  for (const t of c.trailers) if (/^co-authored-by$/i.test(t.key)) involved.add(emailIn(t.value));
  const reviewers = c.trailers.filter((t) => REVIEW_TRAILERS.test(t.key));
  const independent = reviewers.filter((t) => !involved.has(emailIn(t.value)));
  const gerrit = GERRIT.test(c.message);
  const phab = c.message.match(PHABRICATOR);
  const viaPlatform = gerrit || phab !== null || prRefOf(c.subject, c.message) !== null;
  const where = gerrit ? " (Gerrit)" : phab ? ` (Phabricator ${phab[1]})` : "";
  if (independent.length) {
    return { review: "reviewed", evidence: independent.map((t) => `${t.key}: ${nameIn(t.value)}`).join("; ") + where, strength: "trailer", viaPlatform };
  }
  const phabReviewers = c.message.match(PHABRICATOR_REVIEWERS);
  if (phab && phabReviewers) return { review: "reviewed", evidence: `Reviewed By: ${phabReviewers[1]!.trim()}${where}`, strength: "trailer", viaPlatform };
  if (reviewers.length) {
    return { review: "unreviewed", evidence: "review trailer names the author, committer or a co-author (not independent)", strength: "trailer", viaPlatform };
  }
  const ref = prRefOf(c.subject, c.message);
  if (ref) return { review: "unknown", evidence: `${ref.startsWith("!") ? "merge request" : "pull request"} ${ref} (merge message only; approval not recorded in git)`, strength: "merge-message", viaPlatform };
  if (gerrit || phab) return { review: "unknown", evidence: `review platform${where} named, approver not recorded`, strength: "merge-message", viaPlatform };
  return { review: "unreviewed", evidence: "no pull request or review trailer: direct push to the production branch", strength: "none", viaPlatform };
}

/**
 * The trailer that marks an emergency change. Specs are `Key` (any value) or `Key: value`,
 * compared case-insensitively.
 */
export function emergencyTrailer(trailers: { key: string; value: string }[], specs: readonly string[]): string | null {
  for (const spec of specs) {
    const i = spec.indexOf(":");
    const key = (i < 0 ? spec : spec.slice(0, i)).trim().toLowerCase();
    const value = i < 0 ? null : spec.slice(i + 1).trim().toLowerCase();
    const hit = trailers.find((t) => t.key.toLowerCase() === key && (value === null || t.value.toLowerCase() === value));
    if (hit) return `${hit.key}: ${hit.value}`;
  }
  return null;
}
