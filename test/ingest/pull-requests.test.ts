import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createGithubPullRequestsParser } from "../../src/ingest/pull-requests/github.ts";
import { createGitlabMergeRequestsParser } from "../../src/ingest/pull-requests/gitlab.ts";
import { parserInput } from "../../src/ingest/files.ts";
import type { ParsedItem, Parser } from "../../src/ingest/parser.ts";
import type { PullRequestRecord, RejectRecord, ReviewRecord } from "../../src/store/index.ts";
import { tempDir } from "../helpers/workspace.ts";

async function parse(parser: Parser, text: string) {
  const dir = tempDir();
  writeFileSync(path.join(dir, "export.json"), text);
  const out = { prs: [] as PullRequestRecord[], reviews: [] as ReviewRecord[], rejects: [] as RejectRecord[] };
  for await (const item of parser.parse(parserInput(dir, path.join(dir, "export.json"))) as AsyncIterable<ParsedItem>) {
    if (item.kind === "pull-request") out.prs.push(item.pullRequest);
    if (item.kind === "review") out.reviews.push(item.review);
    if (item.kind === "reject") out.rejects.push(item.reject);
  }
  return out;
}

// Shape of `gh pr list --state merged --json number,title,author,mergedBy,mergeCommit,reviews,reviewDecision,commits,mergedAt,baseRefName,headRefName,headRefOid,labels`.
const GH = [
  {
    number: 41, title: "Raise health check timeout", author: { id: "U_1", login: "maria-g", name: "Maria Garcia", is_bot: false },
    mergedBy: { id: "U_2", login: "olga-i", name: "Olga Ivanova", is_bot: false }, mergeCommit: { oid: "a".repeat(40) }, mergedAt: "2026-10-02T11:20:00Z",
    baseRefName: "main", headRefName: "maria/health", headRefOid: "b".repeat(40), reviewDecision: "APPROVED", labels: [{ id: "L1", name: "emergency", color: "f00" }],
    reviews: [
      { id: "R1", author: { login: "coderabbitai" }, authorAssociation: "NONE", body: "", submittedAt: "2026-10-02T10:00:00Z", state: "COMMENTED", commit: { oid: "b".repeat(40) } },
      { id: "R2", author: { login: "olga-i" }, authorAssociation: "MEMBER", body: "lgtm", submittedAt: "2026-10-02T11:00:00Z", state: "APPROVED", commit: { oid: "b".repeat(40) } },
    ],
    commits: [{ oid: "b".repeat(40), messageHeadline: "Raise timeout", committedDate: "2026-10-02T09:00:00Z", authoredDate: "2026-10-02T09:00:00Z",
      authors: [{ name: "Maria Garcia", email: "maria.garcia@acme.example", id: "U_1", login: "maria-g" }, { name: "Claude", email: "noreply@anthropic.com", id: "", login: "" }] }],
  },
  { number: 42, title: "Bump lodash", author: { login: "app/dependabot", is_bot: true }, mergedBy: { login: "maria-g" }, mergeCommit: { oid: "c".repeat(40) },
    mergedAt: "2026-10-03T10:00:00Z", reviewDecision: "", labels: [], reviews: Array.from({ length: 100 }, () => ({ author: { login: "x" }, state: "COMMENTED" })), commits: [] },
];

test("gh pr list output: PRs, reviews with author, state and commit, bots, labels, and the 100-item cap", async () => {
  const { prs, reviews, rejects } = await parse(createGithubPullRequestsParser(), JSON.stringify(GH, null, 2));
  assert.equal(rejects.length, 0);
  assert.equal(prs.length, 2);
  const [p41, p42] = prs as [PullRequestRecord, PullRequestRecord];
  assert.deepEqual([p41.number, p41.author, p41.mergedBy, p41.mergeCommit, p41.headSha, p41.reviewDecision], [41, "maria-g", "olga-i", "a".repeat(40), "b".repeat(40), "APPROVED"]);
  assert.equal(p41.mergedAt, "2026-10-02T11:20:00.000Z");
  assert.deepEqual(p41.labels, ["emergency"]);
  assert.equal(p41.lastCommitTime, "2026-10-02T09:00:00.000Z");
  assert.deepEqual(p41.commitAuthors[0], { name: "Maria Garcia", email: "maria.garcia@acme.example", login: "maria-g" });
  assert.equal(p42.authorIsBot, true);
  assert.deepEqual(p42.truncated, ["reviews"]);
  const approval = reviews.find((r) => r.state === "APPROVED")!;
  assert.deepEqual([approval.number, approval.reviewer, approval.submittedAt, approval.commitSha], [41, "olga-i", "2026-10-02T11:00:00.000Z", "b".repeat(40)]);
});

test("GitHub REST pulls and reviews, fetched apart and paginated with --paginate", async () => {
  const pulls = [{ number: 7, title: "x", user: { login: "dev1", type: "User" }, merged_at: "2026-10-05T00:00:00Z", merge_commit_sha: "d".repeat(40),
    merged_by: { login: "dev1" }, head: { sha: "e".repeat(40), ref: "copilot/fix" }, base: { ref: "main" }, labels: [{ name: "hotfix" }] }];
  const page1 = [{ id: 1, user: { login: "rev", type: "User" }, state: "APPROVED", submitted_at: "2026-10-04T00:00:00Z", commit_id: "e".repeat(40),
    pull_request_url: "https://api.github.com/repos/acme/api/pulls/7" }];
  const page2 = [{ id: 2, user: { login: "copilot-pull-request-reviewer[bot]", type: "Bot" }, state: "COMMENTED", submitted_at: "2026-10-04T01:00:00Z",
    commit_id: "e".repeat(40), pull_request_url: "https://api.github.com/repos/acme/api/pulls/7" }];
  const { prs, reviews, rejects } = await parse(createGithubPullRequestsParser(), `${JSON.stringify(pulls)}${JSON.stringify(page1)}\n${JSON.stringify(page2)}`);
  assert.equal(rejects.length, 0);
  assert.deepEqual([prs[0]!.headRef, prs[0]!.mergedBy, prs[0]!.labels], ["copilot/fix", "dev1", ["hotfix"]]);
  assert.deepEqual(reviews.map((r) => [r.number, r.reviewer, r.reviewerIsBot]), [[7, "rev", false], [7, "copilot-pull-request-reviewer[bot]", true]]);
});

test("GitLab merge requests with approvals embedded or in their own documents", async () => {
  const mrs = [
    { iid: 12, title: "Fix", author: { username: "li.wei" }, merge_user: { username: "sam" }, merged_at: "2026-10-06T00:00:00Z", merge_commit_sha: "f".repeat(40),
      squash_commit_sha: "1".repeat(40), sha: "2".repeat(40), source_branch: "fix", target_branch: "main", labels: ["backend"],
      approvals: { approved: true, approvals_left: 0, approved_by: [{ user: { username: "sam" }, approved_at: "2026-10-05T23:00:00Z" }] } },
    { iid: 13, approved_by: [{ user: { username: "olga" } }], approvals_left: 0 },
  ];
  const { prs, reviews, rejects } = await parse(createGitlabMergeRequestsParser(), mrs.map((m) => JSON.stringify(m)).join("\n"));
  assert.equal(rejects.length, 0);
  assert.deepEqual([prs[0]!.platform, prs[0]!.number, prs[0]!.mergedBy, prs[0]!.squashCommit, prs[0]!.reviewDecision], ["gitlab", 12, "sam", "1".repeat(40), "APPROVED"]);
  assert.deepEqual(reviews.map((r) => [r.number, r.reviewer, r.state, r.submittedAt]), [[12, "sam", "APPROVED", "2026-10-05T23:00:00.000Z"], [13, "olga", "APPROVED", null]]);
});

test("damaged exports: bad lines and unknown records are rejects with their position, good ones survive", async () => {
  const text = [JSON.stringify({ number: 1, mergeCommit: { oid: "a".repeat(40) }, mergedAt: "2026-10-01T00:00:00Z" }), "{not json", JSON.stringify({ hello: "world" }), '{"number": 2, "mergeCommit"'].join("\n");
  const { prs, rejects } = await parse(createGithubPullRequestsParser(), text);
  assert.equal(prs.length, 1);
  assert.deepEqual(rejects.map((r) => r.locator), ["line 2", "line 3", "line 4"]);
  assert.match(rejects[1]!.reason, /no pull-request number/);
  const gl = await parse(createGitlabMergeRequestsParser(), JSON.stringify([{ iid: "x" }, { iid: 3, state: "merged" }]));
  assert.deepEqual(gl.rejects.map((r) => r.reason), ["no merge-request iid", "neither a merge request nor an approvals document"]);
});

test("a damaged export is split by the shared JSON splitter: documents back to back on a line are each read", async () => {
  const pr = (n: number) => JSON.stringify({ number: n, mergeCommit: { oid: String(n).repeat(40).slice(0, 40) }, mergedAt: "2026-10-01T00:00:00Z" });
  const text = [`${pr(1)}${pr(2)}`, "{not json", pr(3)].join("\n");
  const { prs, rejects } = await parse(createGithubPullRequestsParser(), text);
  assert.equal(prs.length, 3);
  assert.deepEqual(rejects.map((r) => r.locator), ["line 2"]);
});
