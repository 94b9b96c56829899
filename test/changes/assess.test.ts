import { test } from "node:test";
import assert from "node:assert/strict";
import { assessChange, type ChangeInput, type ChangePullRequest, type ChangeReview } from "../../src/changes/assess.ts";
import { Identities } from "../../src/changes/identities.ts";

const HUMAN = { authorKind: "human" as const, agentProduct: null, signal: null, confidence: null, scope: null };
const CLAUDE = { authorKind: "agent" as const, agentProduct: "claude-code", signal: "co-author noreply@anthropic.com", confidence: "high" as const, scope: "commit" as const };
const policy = { identities: new Identities([{ emails: ["maria@corp.example"], logins: ["maria-g"] }]), emergencyLabels: ["emergency"], aiReviewers: new Set<string>() };

function input(over: { commit?: Partial<ChangeInput["commit"]>; pr?: Partial<ChangePullRequest> | null; reviews?: Partial<ChangeReview>[] } & Partial<Omit<ChangeInput, "commit" | "pr" | "reviews">> = {}): ChangeInput {
  const { commit, pr, reviews, ...rest } = over;
  return {
    commit: {
      sha: "a".repeat(40), subject: "Change (#5)", body: "Change (#5)", authorName: "Maria", authorEmail: "maria@corp.example", committerEmail: "noreply@github.com",
      coAuthors: [], attribution: HUMAN, gitReview: { review: "unknown", evidence: "pull request #5", strength: "merge-message" }, prRef: "#5",
      sensitivePaths: [], signature: null, emergency: null, ...commit,
    },
    pr: pr === null ? null : {
      platform: "github", number: 5, join: "merge-commit", author: "maria-g", authorIsBot: false, mergedBy: "olga", mergedAt: "2026-10-02T12:00:00.000Z",
      headSha: "b".repeat(40), headRef: "maria/x", reviewDecision: "APPROVED", labels: [], commitAuthors: [], lastCommitTime: "2026-10-02T09:00:00.000Z", ...pr,
    },
    reviews: (reviews ?? [{}]).map((r) => ({ reviewer: "olga", reviewerIsBot: false, state: "APPROVED", submittedAt: "2026-10-02T11:00:00.000Z", commitSha: "b".repeat(40), ...r })),
    branchAgent: null, session: null, exportCovers: true, ...rest,
  };
}

// [case, input, review, exceptions]
const CASES: [string, ChangeInput, string, string[]][] = [
  ["independent approval at the final head, merged by someone else", input(), "reviewed", []],
  ["approved by the PR author under another identity", input({ reviews: [{ reviewer: "maria-g" }], pr: { author: "m2" } }), "unreviewed", ["unreviewed"]],
  ["the human who ran the agent approves its change", input({ commit: { attribution: CLAUDE, coAuthors: ["Claude <noreply@anthropic.com>"] }, pr: { author: "claude[bot]", mergedBy: "olga" }, reviews: [{ reviewer: "maria-g" }] }), "unreviewed", ["unreviewed"]],
  ["approval only after the merge", input({ reviews: [{ submittedAt: "2026-10-02T13:00:00.000Z" }] }), "unreviewed", ["unreviewed", "approved-after-merge"]],
  ["approval on an earlier head (force-push after approval)", input({ reviews: [{ commitSha: "c".repeat(40) }] }), "reviewed", ["approval-stale"]],
  ["commits pushed after the approval", input({ pr: { headSha: null, lastCommitTime: "2026-10-02T11:30:00.000Z" } }), "reviewed", ["approval-stale"]],
  ["only an AI reviewer approved", input({ reviews: [{ reviewer: "coderabbitai[bot]", reviewerIsBot: true }] }), "unreviewed", ["unreviewed", "ai-reviewer-only"]],
  ["merged by its own author without review", input({ pr: { mergedBy: "maria-g", reviewDecision: "REVIEW_REQUIRED" }, reviews: [] }), "unreviewed", ["unreviewed", "self-merged", "admin-bypass"]],
  ["emergency label", input({ pr: { labels: ["Emergency"] } }), "reviewed", ["emergency"]],
  ["emergency merged first, reviewed afterwards", input({ pr: { labels: ["emergency"] }, reviews: [{ submittedAt: "2026-10-02T13:00:00.000Z" }] }), "reviewed", ["emergency", "approved-after-merge"]],
  ["merged by its author after an independent approval", input({ pr: { mergedBy: "maria-g" } }), "reviewed", []],
  ["direct push", input({ pr: null, commit: { subject: "Hotfix", body: "Hotfix", prRef: null, gitReview: { review: "unreviewed", evidence: "direct push", strength: "none" } } }), "unreviewed", ["unreviewed", "direct-push"]],
  ["trailer review, no PR", input({ pr: null, commit: { prRef: null, gitReview: { review: "reviewed", evidence: "Reviewed-by: R", strength: "trailer" } } }), "reviewed", ["direct-push"]],
  ["Gerrit-reviewed, no PR", input({ pr: null, commit: { prRef: null, body: "x\n\nReviewed-on: https://g/c/1", gitReview: { review: "reviewed", evidence: "Reviewed-by: R (Gerrit)", strength: "trailer" } } }), "reviewed", []],
  ["PR named in the message but missing from the export", input({ pr: null }), "unknown", []],
];

test("change verdicts: independence, timing, staleness, AI reviewers, self-merge, bypass, direct push", () => {
  for (const [name, change, review, exceptions] of CASES) {
    const v = assessChange(change, policy);
    assert.equal(v.review, review, name);
    assert.deepEqual(v.exceptions, exceptions, name);
  }
});

test("evidence strength and wording an auditor can check", () => {
  const ok = assessChange(input(), policy);
  assert.deepEqual([ok.reviewStrength, ok.reviewers, ok.approvedBeforeMerge, ok.approvalStale, ok.selfMerged], ["platform", "olga", true, false, false]);
  assert.equal(ok.reviewEvidence, "PR #5 approved by @olga at 2026-10-02T11:00:00.000Z");
  const missing = assessChange(input({ pr: null }), policy);
  assert.match(missing.reviewEvidence!, /#5 is not in the pull-request export/);
  const claims = assessChange(input({ reviews: [], commit: { gitReview: { review: "reviewed", evidence: "Reviewed-by: R", strength: "trailer" } } }), policy);
  assert.match(claims.reviewEvidence!, /the message claims review \(Reviewed-by: R\) but the platform recorded no independent approval/);
});

test("AI attribution from the agent session, the merged branch or the PR author; the launcher is named", () => {
  const session = assessChange(input({ session: { sessionId: "s-1", product: "claude-code", actor: "maria@corp.example" }, reviews: [{ reviewer: "maria-g" }] }), policy);
  assert.deepEqual([session.authorKind, session.agentProduct, session.aiSignal], ["agent", "claude-code", "agent session s-1 recorded this commit id"]);
  assert.equal(session.review, "unreviewed", "the session's operator is not independent");
  const branch = assessChange(input({ branchAgent: { sha: "d".repeat(40), attribution: CLAUDE, authorName: "Li", authorEmail: "li@corp.example" } }), policy);
  assert.equal(branch.aiSignal, `branch commit ${"d".repeat(12)}: co-author noreply@anthropic.com`);
  assert.equal(branch.launcher, "Maria <maria@corp.example>");
  const copilot = assessChange(input({ commit: { authorEmail: "198982749+Copilot@users.noreply.github.com", authorName: "Copilot", attribution: { ...CLAUDE, agentProduct: "github-copilot", signal: "author" } },
    pr: { author: "app/copilot-swe-agent", commitAuthors: [{ name: "Sam", email: "sam@corp.example", login: "sam-o" }] }, reviews: [{ reviewer: "sam-o" }] }), policy);
  assert.equal(copilot.launcher, "@sam-o", "the developer who assigned the agent");
  assert.equal(copilot.review, "unreviewed");
  const prAuthor = assessChange(input({ pr: { headRef: "codex/refactor" } }), policy);
  assert.deepEqual([prAuthor.authorKind, prAuthor.agentProduct], ["agent", "codex"]);
});
