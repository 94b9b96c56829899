import { test } from "node:test";
import assert from "node:assert/strict";
import aiReviewed from "../../src/rules/git-ai-changes-independently-reviewed.ts";
import approvalsFirst from "../../src/rules/git-approvals-precede-merge.ts";
import notSelfMerged from "../../src/rules/git-changes-not-self-merged.ts";
import emergency from "../../src/rules/git-emergency-changes-retro-reviewed.ts";
import reviewed from "../../src/rules/git-production-changes-reviewed.ts";
import noDirectPush from "../../src/rules/git-production-no-direct-push.ts";
import sensitive from "../../src/rules/git-sensitive-changes-reviewed.ts";
import type { Db } from "../../src/store/index.ts";
import { runRuleOn, seededStore } from "../helpers/rule-tester.ts";

/** A change row as `deriveChanges` writes it: a reviewed human PR unless overridden. */
interface Change {
  committed: string; author_kind: string; agent_product: string | null; ai_signal: string | null; launcher: string | null; pr_ref: string | null; pr_id: number | null;
  review: string; review_strength: string; review_evidence: string; reviewers: string | null; merged_by: string | null; approved_before_merge: number | null;
  approval_stale: number | null; self_merged: number | null; admin_bypass: number | null; direct_push: number; ai_reviewer_only: number;
  sensitive_paths: string | null; emergency: string | null; exceptions: string;
}
const DEFAULT: Change = {
  committed: "2026-10-10T10:00:00.000Z", author_kind: "human", agent_product: null, ai_signal: null, launcher: null, pr_ref: "#1", pr_id: null,
  review: "reviewed", review_strength: "platform", review_evidence: "PR #1 approved by @olga", reviewers: "@olga", merged_by: "olga",
  approved_before_merge: 1, approval_stale: 0, self_merged: 0, admin_bypass: 0, direct_push: 0, ai_reviewer_only: 0, sensitive_paths: null, emergency: null, exceptions: "",
};

function store(changes: Partial<Change>[]): Db {
  const db = seededStore({ commits: changes.map(() => ({})) });
  const commits = db.prepare("SELECT id, repo, sha, subject FROM commits ORDER BY id").all() as { id: number; repo: string; sha: string; subject: string }[];
  const cols = Object.keys(DEFAULT);
  const insert = db.prepare(`INSERT INTO changes (commit_id, repo, sha, subject, pr_join, ${cols.join(", ")}) VALUES (?, ?, ?, ?, 'merge-commit', ${cols.map(() => "?").join(", ")})`);
  changes.forEach((c, i) => {
    const row = { ...DEFAULT, ...c };
    insert.run(commits[i]!.id, commits[i]!.repo, commits[i]!.sha, commits[i]!.subject, ...cols.map((k) => row[k as keyof Change]));
  });
  return db;
}

const AI = { author_kind: "agent", agent_product: "claude-code", ai_signal: "co-author noreply@anthropic.com", launcher: "Maria <m@x>" };

test("git-production-changes-reviewed: unreviewed fails, unknown is no-evidence, out-of-period is ignored", () => {
  assert.equal(runRuleOn(reviewed, store([{}])).outcome, "pass");
  const run = runRuleOn(reviewed, store([{}, { review: "unreviewed", review_evidence: "PR #2 approved only by AI or bot reviewers (@coderabbitai)", exceptions: "unreviewed ai-reviewer-only" }]));
  assert.equal(run.outcome, "fail");
  assert.equal(run.population!.size, 2);
  assert.match(run.results[0]!.message, /approved only by AI or bot reviewers/);
  assert.equal(runRuleOn(reviewed, store([{ review: "unknown", review_strength: "merge-message" }])).outcome, "no-evidence");
  assert.equal(runRuleOn(reviewed, store([{ review: "unreviewed", committed: "2026-09-30T23:59:59.000Z" }])).outcome, "pass");
  assert.equal(runRuleOn(reviewed, seededStore({})).outcome, "no-evidence");
});

test("git-ai-changes-independently-reviewed: only AI changes count, and the message names the agent, signal and launcher", () => {
  assert.equal(runRuleOn(aiReviewed, store([{ review: "unreviewed" }])).outcome, "pass", "a human change is another rule's business");
  const run = runRuleOn(aiReviewed, store([{ ...AI, review: "unreviewed", review_evidence: "PR #3 approved only by people who made the change (@maria)" }]));
  assert.equal(run.outcome, "fail");
  assert.match(run.results[0]!.message, /AI-authored \(claude-code, signal: co-author noreply@anthropic.com\), run by Maria <m@x>/);
  assert.equal(run.results[0]!.evidence[0]!.ref.slice(0, 7), "commit:");
});

test("git-approvals-precede-merge: after-merge and stale approvals fail", () => {
  assert.equal(runRuleOn(approvalsFirst, store([{}])).outcome, "pass");
  const run = runRuleOn(approvalsFirst, store([{ approved_before_merge: 0, review: "unreviewed", exceptions: "unreviewed approved-after-merge" }, { approval_stale: 1, exceptions: "approval-stale" }, { approved_before_merge: null, pr_ref: null }]));
  assert.deepEqual(run.results.map((r) => r.outcome), ["fail", "fail"]);
  assert.equal(run.population!.size, 2, "changes without a platform approval are not in this population");
  assert.equal(runRuleOn(approvalsFirst, store([{ approved_before_merge: 0, emergency: "label emergency" }])).outcome, "pass", "an emergency reviewed afterwards is the emergency rule's business");
  assert.match(run.results[0]!.message, /approved only after it was merged/);
  assert.match(run.results[1]!.message, /commits were pushed after the last approval/);
});

test("git-changes-not-self-merged and git-production-no-direct-push", () => {
  assert.equal(runRuleOn(notSelfMerged, store([{ self_merged: 1, merged_by: "maria", review: "unreviewed" }])).results[0]!.message.includes("merged by @maria"), true);
  assert.equal(runRuleOn(notSelfMerged, store([{ self_merged: 1, merged_by: "maria" }])).outcome, "pass", "merging one's own change after an independent approval");
  const push = runRuleOn(noDirectPush, store([{ direct_push: 1, pr_ref: null, exceptions: "unreviewed direct-push" }, { admin_bypass: 1, exceptions: "admin-bypass" }, {}]));
  assert.equal(push.results.length, 2);
  assert.match(push.results[0]!.message, /pushed straight to the production branch/);
  assert.match(push.results[1]!.message, /admin bypass/);
});

test("git-sensitive-changes-reviewed lists the sensitive paths; git-emergency-changes-retro-reviewed accepts a retrospective approval", () => {
  const s = runRuleOn(sensitive, store([{ sensitive_paths: "infra/stack.yaml\n.github/workflows/ci.yml", review: "unreviewed" }, { review: "unreviewed" }]));
  assert.equal(s.population!.size, 1);
  assert.match(s.results[0]!.message, /changed infra\/stack.yaml, .github\/workflows\/ci.yml without independent review/);
  const e = runRuleOn(emergency, store([
    { emergency: "label emergency", review: "unreviewed", approved_before_merge: null, exceptions: "emergency unreviewed" },
    { emergency: "trailer Emergency: INC-1", review: "reviewed", approved_before_merge: 0, exceptions: "emergency approved-after-merge" },
  ]));
  assert.equal(e.population!.size, 2);
  assert.deepEqual(e.results.map((r) => r.outcome), ["fail"], "the one approved after the merge was reviewed retrospectively");
  assert.match(e.results[0]!.message, /needs a retrospective review/);
});

test("git-approvals-precede-merge: a pass states the changes it judged and counts the emergency changes it left to another rule", () => {
  const run = runRuleOn(approvalsFirst, store([{}, {}, { approved_before_merge: 0, emergency: "label:emergency", exceptions: "approved-after-merge" }]));
  assert.equal(run.outcome, "pass");
  assert.equal(run.results[0]!.message, "All 2 approvals were given before the merge, on the final code. 2 of the 3 changes were judged here; 1 emergency change approved after the merge is judged by git-emergency-changes-retro-reviewed.");
  assert.deepEqual(run.items?.map((i) => i.result), ["pass", "pass"], "the workpaper lists exactly the judged changes");
  const one = runRuleOn(approvalsFirst, store([{}]));
  assert.equal(one.results[0]!.message, "The 1 approval was given before the merge, on the final code.");
});
