import type { PullRequestRecord, ReviewRecord } from "../../store/index.ts";
import { isRecord, reject, str, toIsoTime, type ParsedItem, type Parser } from "../parser.ts";
import { arr, exportParser, obj, type Obj } from "./documents.ts";

/**
 * GitHub pull-request exports, auto-detected per record:
 * - `gh pr list --state merged --json number,title,author,mergedBy,mergeCommit,reviews,…`
 *   (camelCase; bots as `{"login":"app/<slug>","is_bot":true}`; `reviews`, `commits` and
 *   `files` hold at most 100 items: a full list is flagged as possibly truncated);
 * - REST `GET /repos/{o}/{r}/pulls` objects (snake_case, `user`, `merge_commit_sha`), with an
 *   optional embedded `reviews` array;
 * - REST `GET /repos/{o}/{r}/pulls/{n}/reviews` objects, joined to their pull by the number in
 *   `pull_request_url`.
 * Shapes from cli/cli api/query_builder.go and GitHub's REST reference, "Pull requests" and "Reviews".
 */
const GH_PAGE_CAP = 100;

const login = (v: unknown): string | null => str(obj(v).login) ?? str(obj(v).username);
const isBot = (v: unknown): boolean => obj(v).is_bot === true || obj(v).type === "Bot" || /^app\/|\[bot\]$/i.test(login(v) ?? "");

function labelsOf(v: unknown): string[] {
  return arr(v).map((l) => (typeof l === "string" ? l : str(obj(l).name))).filter((l): l is string => l !== null);
}

/** Latest commit date among the PR's commits: an approval older than this is stale. */
function lastCommitTime(commits: unknown[]): string | null {
  let last: string | null = null;
  for (const c of commits) {
    const t = toIsoTime(obj(c).committedDate) ?? toIsoTime(obj(obj(obj(c).commit).committer).date);
    if (t && (!last || t > last)) last = t;
  }
  return last;
}

function commitAuthors(commits: unknown[]): PullRequestRecord["commitAuthors"] {
  const out: PullRequestRecord["commitAuthors"] = [];
  for (const c of commits) {
    for (const a of arr(obj(c).authors)) out.push({ name: str(obj(a).name), email: str(obj(a).email), login: str(obj(a).login) });
    // REST commit objects: { author: {login}, commit: { author: {name, email} } }
    const restAuthor = obj(obj(obj(c).commit).author);
    if (obj(c).commit !== undefined) out.push({ name: str(restAuthor.name), email: str(restAuthor.email), login: login(obj(c).author) });
  }
  return out;
}

function fromGh(r: Obj, locator: string): ParsedItem[] {
  const number = Number(r.number);
  const reviews = arr(r.reviews);
  const commits = arr(r.commits);
  const truncated = (["reviews", "commits", "files"] as const).filter((k) => arr(r[k]).length >= GH_PAGE_CAP);
  const pr: PullRequestRecord = {
    platform: "github", number, title: str(r.title), author: login(r.author), authorIsBot: isBot(r.author), mergedBy: login(r.mergedBy),
    mergedAt: toIsoTime(r.mergedAt) ?? null, mergeCommit: str(obj(r.mergeCommit).oid), squashCommit: null, headSha: str(r.headRefOid),
    headRef: str(r.headRefName), baseRef: str(r.baseRefName), reviewDecision: str(r.reviewDecision), labels: labelsOf(r.labels),
    commitAuthors: commitAuthors(commits), lastCommitTime: lastCommitTime(commits), truncated, locator,
  };
  const items: ParsedItem[] = [{ kind: "pull-request", pullRequest: pr }];
  reviews.forEach((v, i) => {
    const rv = obj(v);
    items.push({
      kind: "review",
      review: {
        platform: "github", number, reviewer: login(rv.author), reviewerIsBot: isBot(rv.author), state: str(rv.state) ?? "UNKNOWN",
        submittedAt: toIsoTime(rv.submittedAt) ?? null, commitSha: str(obj(rv.commit).oid), locator: `${locator} review ${i + 1}`,
      },
    });
  });
  return items;
}

function restReview(rv: Obj, number: number, locator: string): ReviewRecord {
  return {
    platform: "github", number, reviewer: login(rv.user), reviewerIsBot: isBot(rv.user), state: str(rv.state) ?? "UNKNOWN",
    submittedAt: toIsoTime(rv.submitted_at) ?? null, commitSha: str(rv.commit_id), locator,
  };
}

function fromRest(r: Obj, locator: string): ParsedItem[] {
  const number = Number(r.number);
  const commits = arr(r.commits);
  const pr: PullRequestRecord = {
    platform: "github", number, title: str(r.title), author: login(r.user), authorIsBot: isBot(r.user), mergedBy: login(r.merged_by),
    mergedAt: toIsoTime(r.merged_at) ?? null, mergeCommit: str(r.merge_commit_sha), squashCommit: null, headSha: str(obj(r.head).sha),
    headRef: str(obj(r.head).ref), baseRef: str(obj(r.base).ref), reviewDecision: null, labels: labelsOf(r.labels),
    commitAuthors: commitAuthors(commits), lastCommitTime: lastCommitTime(commits), truncated: [], locator,
  };
  return [
    { kind: "pull-request", pullRequest: pr },
    ...arr(r.reviews).map((v, i): ParsedItem => ({ kind: "review", review: restReview(obj(v), number, `${locator} review ${i + 1}`) })),
  ];
}

/** Which of the three shapes a record has, or why it is none of them. */
export function githubRecord(value: unknown, locator: string): ParsedItem[] {
  if (!isRecord(value)) return [reject(locator, "expected a JSON object", JSON.stringify(value))];
  const reviewOf = str(value.pull_request_url)?.match(/\/pulls\/(\d+)$/);
  if (reviewOf && value.state !== undefined) return [{ kind: "review", review: restReview(value, Number(reviewOf[1]), locator) }];
  if (!Number.isInteger(Number(value.number)) || Number(value.number) <= 0) return [reject(locator, "no pull-request number", JSON.stringify(value))];
  if ("mergeCommit" in value || "mergedAt" in value || "reviewDecision" in value || "headRefName" in value) return fromGh(value, locator);
  if ("merge_commit_sha" in value || "merged_at" in value || "user" in value) return fromRest(value, locator);
  return [reject(locator, "not a gh pr list record, REST pull or REST review (no mergeCommit, merge_commit_sha or pull_request_url)", JSON.stringify(value))];
}

export function createGithubPullRequestsParser(): Parser {
  // 2: a damaged export is split by the shared JSON splitter (documents back to back on a line are read).
  return exportParser("github-pull-requests", "2", githubRecord);
}
