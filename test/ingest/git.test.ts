import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { readGitHistory, materializeRepository } from "../../src/ingest/git/read.ts";
import type { CommitRecord } from "../../src/store/index.ts";
import { TestRepo } from "../helpers/git-repo.ts";
import { testContext } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

async function history(dir: string, branch = "main") {
  const commits: CommitRecord[] = [];
  const notes: string[] = [];
  for await (const item of readGitHistory(dir, "app", branch, testContext())) {
    if (item.kind === "commit") commits.push(item.commit);
    if (item.kind === "note") notes.push(item.text);
  }
  return { commits, notes, bySubject: new Map(commits.map((c) => [c.subject, c])) };
}

test("git history: AI attribution, review trailers, first-parent production membership", async () => {
  const repo = new TestRepo();
  repo.commit("Initial commit");
  repo.commit("Reviewed change\n\nReviewed-by: Rev Iewer <rev@example.com>");
  repo.commit("Claude change\n\nCo-Authored-By: Claude <noreply@anthropic.com>");
  repo.commit("Self review\n\nReviewed-by: Dev One <dev1@example.com>");
  repo.commit("Bump lodash", ["dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"]);
  repo.commit("aider: fix typo", ["Dev One (aider)", "dev1@example.com"]);
  repo.git(["checkout", "--quiet", "-b", "feature"]);
  repo.commit("Feature work", ["Dev Two", "dev2@example.com"]);
  repo.git(["checkout", "--quiet", "main"]);
  repo.git(["merge", "--quiet", "--no-ff", "--no-edit", "-m", "Merge pull request #7 from acme/feature", "feature"], {
    GIT_AUTHOR_NAME: "Dev One", GIT_AUTHOR_EMAIL: "dev1@example.com", GIT_COMMITTER_NAME: "Dev One", GIT_COMMITTER_EMAIL: "dev1@example.com",
    GIT_AUTHOR_DATE: "2026-10-02T10:00:00Z", GIT_COMMITTER_DATE: "2026-10-02T10:00:00Z",
  });
  const { commits, bySubject } = await history(repo.dir);
  assert.equal(commits.length, 8);
  assert.equal(bySubject.get("Reviewed change")!.review, "reviewed");
  assert.equal(bySubject.get("Reviewed change")!.reviewStrength, "trailer");
  const claude = bySubject.get("Claude change")!;
  assert.equal(claude.authorKind, "agent");
  assert.equal(claude.agentProduct, "claude-code");
  assert.equal(claude.aiSignal, "co-author noreply@anthropic.com");
  assert.equal(claude.review, "unreviewed");
  assert.equal(bySubject.get("Self review")!.review, "unreviewed");
  assert.equal(bySubject.get("Bump lodash")!.authorKind, "bot");
  assert.equal(bySubject.get("aider: fix typo")!.agentProduct, "aider");
  const merge = bySubject.get("Merge pull request #7 from acme/feature")!;
  assert.equal(merge.onProduction, true);
  assert.equal(merge.review, "unknown");
  assert.equal(merge.reviewStrength, "merge-message");
  assert.equal(bySubject.get("Feature work")!.onProduction, false, "second-parent commits did not land directly on main");
});

test("empty messages and non-UTF-8 messages do not break the stream", async () => {
  const repo = new TestRepo();
  repo.commit("first");
  repo.commit("");
  repo.git(["config", "i18n.commitEncoding", "ISO-8859-1"]);
  const latin1 = Buffer.from("Caf\xe9 cr\xe8me", "latin1").toString("latin1");
  execFileSync("git", ["-C", repo.dir, "commit", "--quiet", "--allow-empty", "-m", latin1], {
    env: { ...process.env, HOME: repo.dir, GIT_AUTHOR_NAME: "A", GIT_AUTHOR_EMAIL: "a@x", GIT_COMMITTER_NAME: "A", GIT_COMMITTER_EMAIL: "a@x", GIT_AUTHOR_DATE: "2026-10-03T00:00:00Z", GIT_COMMITTER_DATE: "2026-10-03T00:00:00Z" },
  });
  const { commits } = await history(repo.dir);
  assert.equal(commits.length, 3);
  assert.ok(commits.some((c) => c.subject === ""));
});

test("a shallow clone is reported as incomplete history", async () => {
  const repo = new TestRepo();
  for (let i = 0; i < 5; i++) repo.commit(`c${i}`);
  const clone = path.join(tempDir(), "shallow");
  execFileSync("git", ["clone", "--quiet", "--depth", "2", `file://${repo.dir}`, clone]);
  const { commits, notes } = await history(clone);
  assert.equal(commits.length, 2);
  assert.match(notes.join(" "), /shallow clone/);
});

test("a bundle is unpacked once into the cache and read like a repository", async () => {
  const repo = new TestRepo();
  repo.commit("one");
  const bundle = path.join(tempDir(), "app.bundle");
  repo.git(["bundle", "create", bundle, "main"]);
  const cache = tempDir();
  const dir = materializeRepository(bundle, "abc123", cache);
  assert.equal(materializeRepository(bundle, "abc123", cache), dir);
  const { commits } = await history(dir);
  assert.equal(commits[0]!.subject, "one");
});

test("a missing production branch is a clear input error", async () => {
  const repo = new TestRepo();
  repo.commit("one");
  await assert.rejects(history(repo.dir, "release"), /production branch "release" not found/);
});
