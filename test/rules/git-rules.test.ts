import { test } from "node:test";
import assert from "node:assert/strict";
import reviewed from "../../src/rules/git-production-changes-reviewed.ts";
import aiReviewed from "../../src/rules/git-ai-changes-independently-reviewed.ts";
import { runRuleOn, seededStore } from "../helpers/rule-tester.ts";

test("git-production-changes-reviewed: reviewed passes, direct push fails, unknown is no-evidence", () => {
  assert.equal(runRuleOn(reviewed, seededStore({ commits: [{}] })).outcome, "pass");
  const direct = runRuleOn(reviewed, seededStore({ commits: [{}, { review: "unreviewed", reviewEvidence: "direct push", reviewStrength: "none" }] }));
  assert.equal(direct.outcome, "fail");
  assert.equal(direct.population!.size, 2);
  const unknown = runRuleOn(reviewed, seededStore({ commits: [{ review: "unknown", reviewStrength: "merge-message" }] }));
  assert.equal(unknown.outcome, "no-evidence");
  assert.equal(runRuleOn(reviewed, seededStore({ commits: [{ onProduction: false, review: "unreviewed" }] })).outcome, "pass", "feature-branch commits are not production changes");
  assert.equal(runRuleOn(reviewed, seededStore({})).outcome, "no-evidence");
});

test("git-ai-changes-independently-reviewed: only AI-authored unreviewed changes fail", () => {
  assert.equal(runRuleOn(aiReviewed, seededStore({ commits: [{ review: "unreviewed" }] })).outcome, "pass", "a human change is another rule's business");
  const run = runRuleOn(aiReviewed, seededStore({ commits: [{ authorKind: "agent", agentProduct: "claude-code", aiSignal: "co-author noreply@anthropic.com", review: "unreviewed" }] }));
  assert.equal(run.outcome, "fail");
  assert.match(run.results[0]!.message, /claude-code, signal: co-author noreply@anthropic.com/);
});
