import type { CommitRecord } from "../../store/index.ts";
import type { Attribution } from "../../git/attribution.ts";
import type { RawCommit } from "./parse.ts";
import { emergencyTrailer, prRefOf, reviewFromGit } from "../../git/review.ts";

/** Sensitive paths kept per commit: enough to show the auditor what was touched, bounded for huge merges. */
const MAX_SENSITIVE_PATHS = 20;

export interface CommitContext {
  repo: string;
  onProduction: boolean;
  attribution: Attribution;
  isSensitive: (path: string) => boolean;
  emergencyTrailers: readonly string[];
  index: number;
}

/** One parsed commit as the row the store keeps: git-only facts and the git-only review conclusion. */
export function toCommitRecord(c: RawCommit, ctx: CommitContext): CommitRecord {
  const review = reviewFromGit(c);
  const sensitive: string[] = [];
  for (const p of c.paths) {
    if (ctx.isSensitive(p)) sensitive.push(p);
    if (sensitive.length === MAX_SENSITIVE_PATHS) break;
  }
  const a = ctx.attribution;
  return {
    repo: ctx.repo,
    sha: c.sha,
    parents: c.parents,
    authorName: c.authorName,
    authorEmail: c.authorEmail,
    authorTime: c.authorTime,
    committerName: c.committerName,
    committerEmail: c.committerEmail,
    committerTime: c.committerTime,
    subject: c.subject,
    body: c.message,
    onProduction: ctx.onProduction,
    authorKind: a.authorKind,
    agentProduct: a.agentProduct,
    aiSignal: a.signal,
    review: review.review,
    reviewEvidence: review.evidence,
    reviewStrength: review.strength,
    filesChanged: c.pathsKnown ? c.paths.length : null,
    locator: `commit ${ctx.index} (${c.sha.slice(0, 12)})`,
    coAuthors: c.trailers.filter((t) => /^co-authored-by$/i.test(t.key)).map((t) => t.value),
    aiConfidence: a.confidence,
    aiScope: a.scope,
    prRef: prRefOf(c.subject, c.message),
    linesAdded: c.linesAdded,
    linesDeleted: c.linesDeleted,
    sensitivePaths: sensitive,
    signature: c.signature,
    emergency: emergencyTrailer(c.trailers, ctx.emergencyTrailers),
  };
}
