import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deriveChanges } from "../../src/changes/derive.ts";
import { loadConfig } from "../../src/config.ts";
import { createEnrichContext } from "../../src/ingest/enrich.ts";
import { parserInput } from "../../src/ingest/files.ts";
import { readGitHistory } from "../../src/ingest/git/read.ts";
import type { ParsedItem } from "../../src/ingest/parser.ts";
import { createGithubPullRequestsParser } from "../../src/ingest/pull-requests/github.ts";
import { FileWriter, openStore, type Db } from "../../src/store/index.ts";
import { TestRepo, type Who } from "../helpers/git-repo.ts";
import { event } from "../helpers/rule-tester.ts";
import { tempDir } from "../helpers/workspace.ts";

const MARIA: Who = ["Maria Garcia", "maria@acme.example"];
const OLGA: Who = ["Olga Ivanova", "olga@acme.example"];
const SAM: Who = ["Sam Okafor", "sam@acme.example"];

interface ChangeRow { sha: string; subject: string; pr_ref: string | null; pr_join: string; author_kind: string; agent_product: string | null; ai_signal: string | null; review: string; review_strength: string; exceptions: string; sensitive_paths: string | null; launcher: string | null }

function workspace() {
  const root = tempDir("evidence-changes-");
  const repo = new TestRepo();
  repo.commit("Initial commit", MARIA);
  repo.checkout("f1", true);
  const claude = repo.commit("Add infra stack\n\nCo-Authored-By: Claude <noreply@anthropic.com>", MARIA, "infra/stack.yaml");
  repo.checkout("main");
  const m1 = repo.merge("f1", "Merge pull request #1 from acme/f1");
  repo.checkout("f2", true);
  repo.commit("Tweak", MARIA, "src/tweak.ts");
  repo.checkout("main");
  const s2 = repo.squash("f2", "Tweak (#2)", MARIA);
  const direct = repo.commit("Hotfix straight to main", SAM, "src/hotfix.ts");
  repo.commit("Unexported change (#3)", OLGA, "src/c.ts");
  const gh = [
    { number: 1, author: { login: "maria-g" }, mergedBy: { login: "maria-g" }, mergeCommit: { oid: m1 }, mergedAt: "2026-10-01T12:00:00Z", headRefOid: claude, reviewDecision: "APPROVED",
      labels: [], reviews: [{ author: { login: "olga-i" }, state: "APPROVED", submittedAt: "2026-10-01T11:30:00Z", commit: { oid: claude } }],
      commits: [{ oid: claude, committedDate: "2026-10-01T10:00:00Z", authors: [{ name: "Maria Garcia", email: "maria@acme.example", login: "maria-g" }] }] },
    { number: 2, author: { login: "maria-g" }, mergedBy: { login: "olga-i" }, mergeCommit: { oid: s2 }, mergedAt: "2026-10-01T15:00:00Z", reviewDecision: "APPROVED",
      labels: [{ name: "emergency" }], reviews: [{ author: { login: "maria-g" }, state: "APPROVED", submittedAt: "2026-10-01T14:00:00Z", commit: { oid: "0".repeat(40) } }], commits: [] },
  ];
  writeFileSync(path.join(root, "prs.json"), JSON.stringify(gh));
  writeFileSync(
    path.join(root, "evidence.config.yaml"),
    `organisation: { name: T }
sources:
  - { name: app, kind: git, repository: ${JSON.stringify(repo.dir)} }
  - { name: app-prs, kind: github-pull-requests, paths: [prs.json] }
changeManagement:
  identities: [{ emails: [maria@acme.example], logins: [maria-g] }]
`,
  );
  return { root, repo, direct, m1, s2, claude };
}

/** The git source and the PR export through the store writer, then the derivation, as `ingestSources` runs them. */
async function ingest(db: Db, root: string) {
  const { config } = loadConfig(path.join(root, "evidence.config.yaml"));
  const write = async (source: string, kind: string, items: AsyncIterable<ParsedItem>) => {
    const w = new FileWriter(db, { source, path: source, kind, sha256: "0", size: 0, parser: kind, parserVersion: "1", contextHash: "x", ingestedAt: "2026-11-01T00:00:00Z" });
    for await (const item of items) {
      if (item.kind === "commit") w.commit_(item.commit);
      else if (item.kind === "pull-request") w.pullRequest(item.pullRequest);
      else if (item.kind === "review") w.review(item.review);
      else if (item.kind === "reject") w.reject(item.reject);
    }
    return w.commit();
  };
  const git = config.sources[0]!;
  const cm = config.changeManagement;
  await write("app", "git", readGitHistory(git.repository!, "app", "main", createEnrichContext(config), { lineCounts: true, verifySignatures: false, sensitivePaths: cm.sensitivePaths, emergencyTrailers: cm.emergencyTrailers }));
  const prs = await write("app-prs", "github-pull-requests", createGithubPullRequestsParser().parse(parserInput(root, path.join(root, "prs.json"))));
  return { rejected: prs.rejected, changes: deriveChanges(db, config) };
}

const changes = (db: Db) => new Map((db.prepare("SELECT * FROM changes").all() as ChangeRow[]).map((r) => [r.subject, r]));

test("production changes are joined to PRs by merge commit, judged on platform approvals, and re-judged when inputs change", async () => {
  const { root, direct } = workspace();
  const db = openStore(path.join(root, "evidence.db"));
  // An agent session that recorded the hotfix's commit id (as an OTel tool_result git_commit_id).
  const w = new FileWriter(db, { source: "otel", path: "otel.jsonl", kind: "claude-code-otel", sha256: "0", size: 0, parser: "t", parserVersion: "1", contextHash: "x", ingestedAt: "2026-11-01T00:00:00Z" });
  w.event(event({ eventKey: "k1", sessionId: "sess-9", actor: "sam@acme.example", attrs: { gitCommitId: direct.slice(0, 10) } }));
  w.commit();
  const summary = await ingest(db, root);
  assert.deepEqual(summary, { rejected: 0, changes: 5 });
  const rows = changes(db);
  assert.equal(rows.size, 5, "every first-parent commit on main, none of the branch commits");

  const pr1 = rows.get("Merge pull request #1 from acme/f1")!;
  assert.deepEqual([pr1.pr_ref, pr1.pr_join, pr1.review, pr1.review_strength], ["#1", "merge-commit", "reviewed", "platform"]);
  assert.deepEqual([pr1.author_kind, pr1.agent_product], ["agent", "claude-code"], "the Claude commit came in through the merge");
  assert.match(pr1.ai_signal!, /^branch commit [0-9a-f]{12}: co-author noreply@anthropic.com$/);
  assert.equal(pr1.sensitive_paths, "infra/stack.yaml");
  assert.equal(pr1.exceptions, "", "maria-g merged her own PR after olga-i approved it: ordinary practice");
  assert.equal(pr1.launcher, "Maria Garcia <maria@acme.example>");

  const pr2 = rows.get("Tweak (#2)")!;
  assert.deepEqual([pr2.review, pr2.exceptions], ["unreviewed", "emergency unreviewed"], "self-approved through an alias, and an emergency label");

  const hotfix = rows.get("Hotfix straight to main")!;
  assert.deepEqual([hotfix.author_kind, hotfix.agent_product, hotfix.ai_signal], ["agent", "claude-code", "agent session sess-9 recorded this commit id"]);
  assert.deepEqual([hotfix.review, hotfix.exceptions], ["unreviewed", "unreviewed direct-push"]);

  const missing = rows.get("Unexported change (#3)")!;
  assert.deepEqual([missing.pr_ref, missing.pr_join, missing.review], ["#3", "none", "unknown"]);

  // Without the export, the same merges fall back to what git alone shows.
  rmSync(path.join(root, "prs.json"));
  writeFileSync(path.join(root, "prs.json"), "[]");
  await ingest(db, root);
  const after = changes(db);
  assert.deepEqual([after.get("Merge pull request #1 from acme/f1")!.review, after.get("Merge pull request #1 from acme/f1")!.review_strength], ["unknown", "merge-message"]);
  db.close();
});

test("several repositories: a #N joins only the export of its own repository", async () => {
  const { root, repo } = workspace();
  const other = new TestRepo();
  other.commit("Other initial", SAM);
  other.commit("Other change (#2)", SAM, "src/o.ts");
  writeFileSync(path.join(root, "evidence.config.yaml"), `organisation: { name: T }
sources:
  - { name: app, kind: git, repository: ${JSON.stringify(repo.dir)} }
  - { name: other, kind: git, repository: ${JSON.stringify(other.dir)} }
  - { name: app-prs, kind: github-pull-requests, paths: [prs.json], gitSource: app }
`);
  writeFileSync(path.join(root, "prs.json"), JSON.stringify([{ number: 2, author: { login: "maria-g" }, mergedBy: { login: "olga-i" }, mergedAt: "2026-10-01T15:00:00Z",
    mergeCommit: null, reviews: [{ author: { login: "olga-i" }, state: "APPROVED", submittedAt: "2026-10-01T14:00:00Z" }] }]));
  const db = openStore(path.join(root, "evidence.db"));
  const { config } = loadConfig(path.join(root, "evidence.config.yaml"));
  await ingest(db, root);
  const w = new FileWriter(db, { source: "other", path: "other", kind: "git", sha256: "0", size: 0, parser: "git", parserVersion: "1", contextHash: "x", ingestedAt: "2026-11-01T00:00:00Z" });
  for await (const item of readGitHistory(other.dir, "other", "main", createEnrichContext(config))) if (item.kind === "commit") w.commit_(item.commit);
  w.commit();
  deriveChanges(db, config);
  const rows = db.prepare("SELECT repo, subject, pr_join, review FROM changes WHERE subject LIKE '%(#2)'").all() as { repo: string; subject: string; pr_join: string; review: string }[];
  assert.deepEqual(rows.sort((a, b) => a.repo.localeCompare(b.repo)), [
    { repo: "app", subject: "Tweak (#2)", pr_join: "message", review: "reviewed" },
    { repo: "other", subject: "Other change (#2)", pr_join: "none", review: "unknown" },
  ]);
  db.close();
});

test("a PR is found by the #N in its squash message when the export lacks its merge commit", async () => {
  const { root, s2 } = workspace();
  const db = openStore(path.join(root, "evidence.db"));
  writeFileSync(path.join(root, "prs.json"), JSON.stringify([{ number: 2, author: { login: "maria-g" }, mergedBy: { login: "olga-i" }, mergedAt: "2026-10-01T15:00:00Z",
    mergeCommit: null, reviews: [{ author: { login: "olga-i" }, state: "APPROVED", submittedAt: "2026-10-01T14:00:00Z" }] }]));
  await ingest(db, root);
  const pr2 = changes(db).get("Tweak (#2)")!;
  assert.equal(pr2.sha, s2);
  assert.deepEqual([pr2.pr_join, pr2.review, pr2.exceptions], ["message", "reviewed", ""]);
  db.close();
});
