import type { PullRequestRecord } from "../../store/index.ts";
import { isRecord, reject, str, toIsoTime, type ParsedItem, type Parser } from "../parser.ts";
import { arr, exportParser, obj, type Obj } from "./documents.ts";

/**
 * GitLab merge-request exports, auto-detected per record:
 * - `GET /projects/:id/merge_requests?state=merged` objects (`iid`, `author`, `merged_by` or
 *   `merge_user`, `merge_commit_sha`, `squash_commit_sha`, `sha` = head), optionally with the
 *   approvals embedded as `approvals` or `approved_by`;
 * - `GET /projects/:id/merge_requests/:iid/approvals` documents (`iid`, `approved_by[{user,
 *   approved_at?}]`, `approvals_left`). `approved_at` is recent; without it, whether an
 *   approval came before the merge is unknown, not assumed.
 * Approvals are stored as reviews in state APPROVED; `approvals_left` becomes GitHub's vocabulary
 * (`APPROVED` / `REVIEW_REQUIRED`) so both platforms are judged alike.
 */
const username = (v: unknown): string | null => str(obj(v).username);
// GitLab project and group access tokens act as users named project_<id>_bot_<hash>.
const isBot = (v: unknown): boolean => obj(v).bot === true || /^(project|group)_\d+_bot/.test(username(v) ?? "");

function decision(approvals: Obj): string | null {
  if (approvals.approved === true || approvals.approvals_left === 0) return "APPROVED";
  if (typeof approvals.approvals_left === "number" && approvals.approvals_left > 0) return "REVIEW_REQUIRED";
  return null;
}

function approvalItems(approvals: Obj, number: number, locator: string): ParsedItem[] {
  return arr(approvals.approved_by).map((a, i) => ({
    kind: "review",
    review: {
      platform: "gitlab", number, reviewer: username(obj(a).user), reviewerIsBot: isBot(obj(a).user), state: "APPROVED",
      submittedAt: toIsoTime(obj(a).approved_at) ?? null, commitSha: null, locator: `${locator} approval ${i + 1}`,
    },
  }));
}

export function gitlabRecord(value: unknown, locator: string): ParsedItem[] {
  if (!isRecord(value)) return [reject(locator, "expected a JSON object", JSON.stringify(value))];
  const number = Number(value.iid);
  if (!Number.isInteger(number) || number <= 0) return [reject(locator, "no merge-request iid", JSON.stringify(value))];
  const isMr = "merge_commit_sha" in value || "target_branch" in value || "merged_at" in value;
  if (!isMr) {
    if (!("approved_by" in value)) return [reject(locator, "neither a merge request nor an approvals document", JSON.stringify(value))];
    return approvalItems(value, number, locator);
  }
  const approvals = isRecord(value.approvals) ? value.approvals : "approved_by" in value ? value : {};
  const pr: PullRequestRecord = {
    platform: "gitlab", number, title: str(value.title), author: username(value.author), authorIsBot: isBot(value.author),
    mergedBy: username(value.merge_user) ?? username(value.merged_by), mergedAt: toIsoTime(value.merged_at) ?? null,
    mergeCommit: str(value.merge_commit_sha), squashCommit: str(value.squash_commit_sha), headSha: str(value.sha),
    headRef: str(value.source_branch), baseRef: str(value.target_branch), reviewDecision: decision(approvals),
    labels: arr(value.labels).map((l) => (typeof l === "string" ? l : str(obj(l).name))).filter((l): l is string => l !== null),
    commitAuthors: [], lastCommitTime: null, truncated: [], locator,
  };
  return [{ kind: "pull-request", pullRequest: pr }, ...approvalItems(approvals, number, locator)];
}

export function createGitlabMergeRequestsParser(): Parser {
  // 2: a damaged export is split by the shared JSON splitter (documents back to back on a line are read).
  return exportParser("gitlab-merge-requests", "2", gitlabRecord);
}
