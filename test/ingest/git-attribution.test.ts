import { test } from "node:test";
import assert from "node:assert/strict";
import { attributeCommit, attributePullRequest, isAutomatedReviewer, type CommitIdentity } from "../../src/git/attribution.ts";
import { emergencyTrailer, prRefOf, reviewFromGit } from "../../src/git/review.ts";

const base: CommitIdentity = {
  authorName: "Dev One", authorEmail: "dev1@example.com", committerName: "Dev One", committerEmail: "dev1@example.com",
  subject: "Change", message: "Change", parents: ["a".repeat(40)], trailers: [],
};
const co = (value: string) => ({ trailers: [{ key: "Co-authored-by", value }] });
const none = () => null;

// [case, commit overrides, expected kind, product, signal pattern]
const CASES: [string, Partial<CommitIdentity>, string, string | null, RegExp | null][] = [
  ["Claude Code co-author", co("Claude <noreply@anthropic.com>"), "agent", "claude-code", /^co-author noreply@anthropic.com$/],
  ["Claude Code with a model name", co("Claude Opus 4.7 (1M context) <noreply@anthropic.com>"), "agent", "claude-code", /co-author/],
  ["Claude Code on the web as author", { authorName: "Claude", authorEmail: "noreply@anthropic.com" }, "agent", "claude-code", /^author noreply@anthropic.com$/],
  ["Claude GitHub App", { authorName: "claude[bot]", authorEmail: "209825114+claude[bot]@users.noreply.github.com" }, "agent", "claude-code", /author/],
  ["Cursor agent author", { authorName: "Cursor Agent", authorEmail: "cursoragent@cursor.com" }, "agent", "cursor", /author/],
  ["Cursor IDE co-author", co("Cursor <cursoragent@cursor.com>"), "agent", "cursor", /co-author/],
  ["Cursor Made-with trailer", { trailers: [{ key: "Made-with", value: "Cursor" }] }, "agent", "cursor", /^trailer Made-with: Cursor$/],
  ["Copilot coding agent author", { authorName: "Copilot", authorEmail: "198982749+Copilot@users.noreply.github.com" }, "agent", "github-copilot", /author/],
  ["Copilot CLI co-author", co("Copilot <223556219+Copilot@users.noreply.github.com>"), "agent", "github-copilot", /co-author/],
  ["Copilot renamed login, same id", co("X <198982749+renamed@users.noreply.github.com>"), "agent", "github-copilot", /co-author/],
  ["Codex co-author", co("Codex <noreply@openai.com>"), "agent", "codex", /co-author/],
  ["Aider name suffix", { authorName: "Dev One (aider)" }, "agent", "aider", /author name suffix/],
  ["Aider committer-only suffix", { committerName: "Dev One (aider)" }, "agent", "aider", /committer name suffix/],
  ["Aider subject prefix", { subject: "aider: fix typo", message: "aider: fix typo" }, "agent", "aider", /subject prefix/],
  ["Aider co-author", co("aider (gpt-4o) <noreply@aider.chat>"), "agent", "aider", /co-author/],
  ["Devin bot", { authorName: "devin-ai-integration[bot]", authorEmail: "158243242+devin-ai-integration[bot]@users.noreply.github.com" }, "agent", "devin", /author/],
  ["Jules bot", { authorName: "google-labs-jules[bot]", authorEmail: "161369871+google-labs-jules[bot]@users.noreply.github.com" }, "agent", "jules", /author/],
  ["Generated with Claude Code in its own paragraph", { message: "Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nSigned-off-by: A <a@x>" }, "agent", "claude-code", /message/],
  ["kernel Assisted-by", { trailers: [{ key: "Assisted-by", value: "gemini:2.5-pro [tool]" }] }, "agent", "gemini", /Assisted-by/],
  // AI apps outside the first list (issue: they came out `bot` as author and `human` as committer), keyed by numeric id.
  ["Gemini Code Assist author", { authorName: "gemini-code-assist[bot]", authorEmail: "176961590+gemini-code-assist[bot]@users.noreply.github.com" }, "agent", "gemini-code-assist", /^author /],
  ["Gemini Code Assist committer only", { committerName: "gemini-code-assist[bot]", committerEmail: "176961590+gemini-code-assist[bot]@users.noreply.github.com" }, "agent", "gemini-code-assist", /^committer /],
  ["CodeRabbit by id, renamed login", { authorName: "CodeRabbitAI[bot]", authorEmail: "136622811+CodeRabbitAI[bot]@users.noreply.github.com" }, "agent", "coderabbit", /author/],
  ["CodeRabbit by id alone", { committerEmail: "136622811+renamed@users.noreply.github.com" }, "agent", "coderabbit", /^committer /],
  ["CodeRabbit by login, any case", { authorName: "CodeRabbitAI[bot]", authorEmail: "bot@coderabbit.invalid" }, "agent", "coderabbit", /^author CodeRabbitAI\[bot\]$/],
  ["Sourcegraph Cody by id", { authorEmail: "201248094+cody@users.noreply.github.com" }, "agent", "sourcegraph-cody", /author/],
  ["JetBrains AI by id", { committerEmail: "220155983+jetbrains-ai[bot]@users.noreply.github.com" }, "agent", "jetbrains-ai", /committer/],
  ["anthropic-claude[bot]", { authorEmail: "215619710+anthropic-claude[bot]@users.noreply.github.com" }, "agent", "claude-code", /author/],
  ["claude-code-action[bot] committer only", { committerName: "claude-code-action[bot]", committerEmail: "208546643+claude-code-action[bot]@users.noreply.github.com" }, "agent", "claude-code", /committer/],
  ["AI app committer by name only", { committerName: "claude-code-action[bot]", committerEmail: "action@example.invalid" }, "agent", "claude-code", /^committer claude-code-action\[bot\]$/],
  // Markers that were too narrow.
  ["Aider prefix, capital A", { subject: "Aider: refactor", message: "Aider: refactor" }, "agent", "aider", /subject prefix/],
  ["plain Generated with Claude Code", { message: "Fix\n\nGenerated with Claude Code" }, "agent", "claude-code", /message "Generated with Claude Code"/],
  ["Entire trailer", { message: "Fix\n\nEntire-Checkpoint: 4f2a", trailers: [{ key: "Entire-Checkpoint", value: "4f2a" }] }, "agent", "entire", /Entire-Checkpoint/],
  ["Replit Assistant", { trailers: [{ key: "Replit-Commit-Author", value: "Assistant" }, { key: "Replit-Commit-Session-Id", value: "0c1d" }] }, "agent", "replit", /Replit-Commit-Author: Assistant/],
  ["Replit Agent by name", { trailers: [{ key: "Replit-Commit-Author", value: "Replit Agent" }] }, "agent", "replit", /Replit Agent/],
  ["Replit deployment is not the agent", { trailers: [{ key: "Replit-Commit-Author", value: "Deployment" }, { key: "Replit-Commit-Session-Id", value: "0c1d" }] }, "human", null, null],
  ["co-author under the subject, no blank line", { message: "Fix login\nCo-authored-by: Claude <noreply@anthropic.com>" }, "agent", "claude-code", /co-author/],
  ["trailer under body text, no blank line", { message: "Fix login\n\nRetry twice.\nMade-with: Cursor" }, "agent", "cursor", /Made-with/],
  ["Dependabot", { authorName: "dependabot[bot]", authorEmail: "49699333+dependabot[bot]@users.noreply.github.com" }, "bot", null, /bot author/],
  ["Renovate by name", { authorName: "renovate[bot]", authorEmail: "bot@renovateapp.com" }, "bot", null, /bot author/],
  ["a person named Claude", { authorName: "Claude Monet", authorEmail: "claude@example.com" }, "human", null, null],
  ["a person named Devin", co("Devin Smith <devin@example.com>"), "human", null, null],
  ["a look-alike domain", co("Claude <noreply@anthropic.com.evil.net>"), "human", null, null],
];

test("commit attribution: each tool's signal, bots, and look-alikes that are people", () => {
  for (const [name, over, kind, product, signal] of CASES) {
    const a = attributeCommit({ ...base, ...over }, none);
    assert.equal(a.authorKind, kind, name);
    assert.equal(a.agentProduct, product, name);
    if (signal) assert.match(a.signal ?? "", signal, name);
    else assert.equal(a.signal, null, name);
  }
});

test("a configured agent e-mail counts, and identity outranks message markers", () => {
  const a = attributeCommit({ ...base, authorEmail: "ops-bot@acme.example" }, (e) => (e === "ops-bot@acme.example" ? "kiro" : null));
  assert.equal(a.agentProduct, "kiro");
  assert.match(a.signal!, /configured agent e-mail/);
  const both = attributeCommit({ ...base, ...co("Codex <noreply@openai.com>"), subject: "aider: x", message: "aider: x" }, none);
  assert.equal(both.agentProduct, "codex");
});

test("pull-request level signals and automated reviewers", () => {
  assert.equal(attributePullRequest("app/copilot-swe-agent", "copilot/fix-1")!.agentProduct, "github-copilot");
  assert.equal(attributePullRequest("alice", "codex/refactor")!.signal, "PR head branch codex/refactor");
  assert.equal(attributePullRequest("app/dependabot", "dependabot/npm/x")!.authorKind, "bot");
  assert.equal(attributePullRequest("alice", "feature/x"), null);
  assert.equal(isAutomatedReviewer("coderabbitai[bot]", false, new Set()), true);
  assert.equal(isAutomatedReviewer("copilot-pull-request-reviewer", false, new Set()), true);
  assert.equal(isAutomatedReviewer("acme-review-ai", false, new Set(["acme-review-ai"])), true);
  assert.equal(isAutomatedReviewer("alice", false, new Set()), false);
});

test("git-only review evidence is labelled with its strength", () => {
  const r = (message: string, author = "dev1@example.com") => {
    const [subject] = message.split("\n");
    const trailers = [...message.matchAll(/^([\w-]+): (.+)$/gm)].map((m) => ({ key: m[1]!, value: m[2]! }));
    return reviewFromGit({ authorEmail: author, committerEmail: author, subject: subject!, message, trailers });
  };
  assert.deepEqual([r("x\n\nReviewed-by: R <r@x>").review, r("x\n\nReviewed-by: R <r@x>").strength], ["reviewed", "trailer"]);
  assert.equal(r("x\n\nAcked-by: D <dev1@example.com>").review, "unreviewed", "self-ack is not independent");
  assert.equal(r("x\n\nCo-authored-by: R <r@x>\nReviewed-by: R <r@x>").review, "unreviewed", "a co-author is not an independent reviewer");
  assert.match(r("x\n\nReviewed-on: https://gerrit/c/1\nReviewed-by: R <r@x>").evidence!, /Gerrit/);
  assert.deepEqual([r("Fix (#12)").review, r("Fix (#12)").strength], ["unknown", "merge-message"]);
  assert.equal(r("x\n\nDifferential Revision: https://phab/D123\nReviewed By: bob").evidence, "Reviewed By: bob (Phabricator D123)");
  assert.deepEqual([r("Hotfix").review, r("Hotfix").strength, r("Hotfix").viaPlatform], ["unreviewed", "none", false]);
  assert.equal(prRefOf("Merge pull request #5 from a/b", ""), "#5");
  assert.equal(prRefOf("Fix #5 in parser", ""), null, "an issue reference is not a PR merge");
  assert.equal(emergencyTrailer([{ key: "change-type", value: "Emergency" }], ["Change-Type: emergency"]), "change-type: Emergency");
  assert.equal(emergencyTrailer([{ key: "Change-Type", value: "standard" }], ["Change-Type: emergency"]), null);
});
