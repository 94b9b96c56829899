import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { readGitHistory, materializeRepository, type GitReadOptions } from "../../src/ingest/git/read.ts";
import type { CommitRecord, RejectRecord } from "../../src/store/index.ts";
import { TestRepo, GITHUB, type Who } from "../helpers/git-repo.ts";
import { testContext } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

const DEV1: Who = ["Dev One", "dev1@example.com"];
const DEV2: Who = ["Dev Two", "dev2@example.com"];

async function history(dir: string, branch = "main", options?: Partial<GitReadOptions>) {
  const commits: CommitRecord[] = [];
  const notes: string[] = [];
  const rejects: RejectRecord[] = [];
  const opts = { lineCounts: true, verifySignatures: false, sensitivePaths: ["infra/**", ".github/workflows/**"], emergencyTrailers: ["Emergency"], ...options };
  for await (const item of readGitHistory(dir, "app", branch, testContext(), opts)) {
    if (item.kind === "commit") commits.push(item.commit);
    if (item.kind === "note") notes.push(item.text);
    if (item.kind === "reject") rejects.push(item.reject);
  }
  return { commits, notes, rejects, bySubject: new Map(commits.map((c) => [c.subject, c])) };
}

test("git history: AI attribution, review trailers, first-parent production membership", async () => {
  const repo = new TestRepo();
  repo.commit("Initial commit");
  repo.commit("Reviewed change\n\nReviewed-by: Rev Iewer <rev@example.com>");
  repo.commit("Claude change\n\nCo-Authored-By: Claude <noreply@anthropic.com>");
  repo.commit("Self review\n\nReviewed-by: Dev One <dev1@example.com>");
  repo.commit("Bump lodash", ["dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"]);
  repo.commit("aider: fix typo", ["Dev One (aider)", "dev1@example.com"]);
  repo.commit("Require MFA", ["Copilot", "198982749+Copilot@users.noreply.github.com"], "src/auth.ts", GITHUB);
  repo.commit("Retry upstream\n\nCo-authored-by: Cursor <cursoragent@cursor.com>");
  repo.checkout("feature", true);
  repo.commit("Feature work", DEV2);
  repo.checkout("main");
  repo.merge("feature", "Merge pull request #7 from acme/feature", DEV1);
  const { commits, bySubject } = await history(repo.dir);
  assert.equal(commits.length, 10);
  assert.deepEqual([bySubject.get("Require MFA")!.agentProduct, bySubject.get("Require MFA")!.aiSignal], ["github-copilot", "author 198982749+Copilot@users.noreply.github.com"]);
  assert.deepEqual(bySubject.get("Require MFA")!.sensitivePaths, [], "src/auth.ts is not under the test's sensitive globs");
  assert.equal(bySubject.get("Retry upstream")!.agentProduct, "cursor");
  assert.equal(bySubject.get("Reviewed change")!.review, "reviewed");
  assert.equal(bySubject.get("Reviewed change")!.reviewStrength, "trailer");
  const claude = bySubject.get("Claude change")!;
  assert.equal(claude.authorKind, "agent");
  assert.equal(claude.agentProduct, "claude-code");
  assert.equal(claude.aiSignal, "co-author noreply@anthropic.com");
  assert.equal(claude.aiConfidence, "high");
  assert.equal(claude.review, "unreviewed");
  assert.equal(bySubject.get("Self review")!.review, "unreviewed");
  assert.equal(bySubject.get("Bump lodash")!.authorKind, "bot");
  assert.equal(bySubject.get("aider: fix typo")!.agentProduct, "aider");
  const merge = bySubject.get("Merge pull request #7 from acme/feature")!;
  assert.equal(merge.onProduction, true);
  assert.equal(merge.review, "unknown");
  assert.equal(merge.reviewStrength, "merge-message");
  assert.equal(merge.prRef, "#7");
  assert.equal(bySubject.get("Feature work")!.onProduction, false, "second-parent commits did not land directly on main");
});

test("merges carry their landed diff; squash merges name their PR and aggregate co-authors", async () => {
  const repo = new TestRepo();
  repo.commit("Initial commit");
  repo.checkout("infra-change", true);
  repo.commit("Add stack", DEV2, "infra/stack.yaml");
  repo.commit("Add workflow", DEV2, ".github/workflows/ci.yml");
  repo.checkout("main");
  repo.merge("infra-change", "Merge pull request #3 from acme/infra-change");
  repo.checkout("squashed", true);
  repo.commit("wip 1", DEV2, "src/a.ts");
  repo.commit("wip 2\n\nCo-authored-by: Cursor <cursoragent@cursor.com>", DEV2, "src/b.ts");
  repo.checkout("main");
  repo.squash("squashed", "Add a and b (#4)\n\n* wip 1\n* wip 2\n\nCo-authored-by: Cursor <cursoragent@cursor.com>", DEV2);
  const { bySubject } = await history(repo.dir);
  const merge = bySubject.get("Merge pull request #3 from acme/infra-change")!;
  assert.equal(merge.parents.length, 2);
  assert.equal(merge.filesChanged, 2, "a merge's diff is against its first parent: what landed");
  assert.deepEqual(merge.sensitivePaths, [".github/workflows/ci.yml", "infra/stack.yaml"]);
  assert.equal(merge.linesAdded, 4);
  const squash = bySubject.get("Add a and b (#4)")!;
  assert.equal(squash.onProduction, true);
  assert.equal(squash.prRef, "#4");
  assert.equal(squash.agentProduct, "cursor");
  assert.equal(squash.aiScope, "squash-aggregate", "a platform squash lists every PR commit's co-authors");
  assert.equal(bySubject.has("wip 2"), false, "a squashed branch's own commits are not reachable from main");
});

test("each branch commit records the production merge that landed it, the oldest when merged twice", async () => {
  const repo = new TestRepo();
  repo.commit("A");
  repo.checkout("g", true);
  const g1 = repo.commit("G1", DEV2, "g.txt");
  repo.checkout("main");
  repo.checkout("f", true);
  const e = repo.commit("E", DEV2, "e.txt");
  repo.checkout("main");
  const m1 = repo.merge("f", "Merge pull request #1 from acme/f");
  repo.checkout("f");
  const f1 = repo.commit("F1", DEV2, "f1.txt");
  repo.checkout("main");
  const m2 = repo.merge("f", "Merge pull request #2 from acme/f");
  const m3 = repo.merge("g", "Merge pull request #3 from acme/g");
  const { commits } = await history(repo.dir);
  const landed = new Map(commits.map((c) => [c.sha, c.landedBy]));
  assert.equal(landed.get(e), m1, "E is reachable from both merges but landed with the first");
  assert.equal(landed.get(f1), m2);
  assert.equal(landed.get(g1), m3);
  assert.equal(landed.get(m2), undefined, "production commits land themselves");
});

test("a force-pushed branch: the rewritten commit is gone, its replacement lands", async () => {
  const repo = new TestRepo();
  repo.commit("Initial commit");
  repo.checkout("topic", true);
  const before = repo.commit("Topic v1", DEV2, "src/topic.ts");
  repo.git(["reset", "--quiet", "--hard", "HEAD~1"]);
  const after = repo.commit("Topic v2", DEV2, "src/topic.ts");
  repo.checkout("main");
  repo.merge("topic", "Merge pull request #9 from acme/topic");
  const { commits } = await history(repo.dir);
  assert.ok(!commits.some((c) => c.sha === before), "the commit replaced by the force-push is not history");
  assert.ok(commits.some((c) => c.sha === after));
});

test("empty messages and non-UTF-8 messages, with and without an encoding header", async () => {
  const repo = new TestRepo();
  repo.commit("first");
  repo.commit("");
  const latin1 = Buffer.from("Caf\xe9 cr\xe8me\n\nR\xe9sum\xe9\n", "latin1");
  repo.commitBytes(latin1);
  repo.commitBytes(Buffer.from("Na\xefve fa\xe7ade\n", "latin1"), undefined, "ISO-8859-1");
  repo.commit("Добавить перевод 你好");
  const { commits, notes, rejects } = await history(repo.dir);
  assert.equal(commits.length, 5);
  assert.equal(rejects.length, 0);
  assert.ok(commits.some((c) => c.subject === "" && c.body === ""));
  assert.ok(commits.some((c) => c.subject === "Café crème"), "raw Latin-1 bytes without a header are read as Latin-1");
  assert.ok(commits.some((c) => c.subject === "Naïve façade"), "a declared encoding is re-encoded by git");
  assert.ok(commits.some((c) => c.subject === "Добавить перевод 你好"));
  assert.match(notes.join(" "), /1 commit message\(s\) were not valid UTF-8/);
});

test("commit times in any offset are stored in UTC", async () => {
  const repo = new TestRepo();
  repo.write("a.txt", "a");
  repo.git(["commit", "--quiet", "--no-gpg-sign", "-m", "east"], { ...repo.env(DEV1, DEV1), GIT_AUTHOR_DATE: "2026-10-01T23:30:00+05:30", GIT_COMMITTER_DATE: "2026-10-02T01:15:00-07:00" });
  const [c] = (await history(repo.dir)).commits;
  assert.equal(c!.authorTime, "2026-10-01T18:00:00.000Z");
  assert.equal(c!.committerTime, "2026-10-02T08:15:00.000Z");
});

test("a shallow clone is reported as incomplete history", async () => {
  const repo = new TestRepo();
  for (let i = 0; i < 5; i++) repo.commit(`c${i}`);
  const clone = path.join(tempDir(), "shallow");
  execFileSync("git", ["clone", "--quiet", "--depth", "2", `file://${repo.dir}`, clone]);
  const { commits, notes } = await history(clone);
  assert.equal(commits.length, 2);
  assert.ok(commits.every((c) => c.onProduction));
  assert.match(notes.join(" "), /shallow clone/);
});

test("a blobless partial clone is read from names only and never fetches a blob", async () => {
  const repo = new TestRepo();
  repo.git(["config", "uploadpack.allowFilter", "true"]);
  repo.commit("one", DEV1, "infra/main.tf");
  repo.commit("two", DEV1, "src/app.ts");
  repo.git(["mv", "src/app.ts", "src/main.ts"]);
  repo.git(["commit", "--quiet", "--no-gpg-sign", "-m", "rename"], repo.env(DEV1, DEV1));
  const clone = path.join(tempDir(), "blobless");
  execFileSync("git", ["clone", "--quiet", "--no-checkout", "--filter=blob:none", `file://${repo.dir}`, clone]);
  const objects = () => execFileSync("git", ["-C", clone, "count-objects", "-v"], { encoding: "utf8" });
  const before = objects();
  const { commits, notes, rejects } = await history(clone);
  assert.equal(rejects.length, 0);
  assert.equal(objects(), before, "no object was fetched");
  assert.match(notes.join(" "), /partial clone \(filter blob:none\).*only file names were read.*nothing was downloaded/);
  const one = commits.find((c) => c.subject === "one")!;
  assert.equal(one.linesAdded, null);
  assert.equal(one.filesChanged, 1);
  assert.deepEqual(one.sensitivePaths, ["infra/main.tf"]);
  assert.equal(commits.find((c) => c.subject === "rename")!.filesChanged, 2, "without rename detection a rename is a delete and an add");
});

test("a missing object is reported as a reject, not a crash", async () => {
  const repo = new TestRepo();
  const first = repo.commit("first");
  repo.commit("second");
  const objects = path.join(repo.dir, ".git", "objects", first.slice(0, 2));
  rmSync(path.join(objects, first.slice(2)));
  assert.equal(readdirSync(objects).includes(first.slice(2)), false);
  const { rejects } = await history(repo.dir);
  assert.equal(rejects.length, 1);
  assert.match(rejects[0]!.reason, /git log exited 128/);
});

/** Deletes one loose object from a repository built by TestRepo (whose objects are all loose). */
function deleteObject(repo: TestRepo, sha: string): void {
  const file = path.join(repo.dir, ".git", "objects", sha.slice(0, 2), sha.slice(2));
  rmSync(file);
  assert.throws(() => repo.git(["cat-file", "-e", sha]), "the object is gone");
}

test("a missing blob stops --numstat; the history is read again by names and every commit is kept", async (t) => {
  const repo = new TestRepo();
  t.after(() => rmSync(repo.dir, { recursive: true, force: true }));
  for (let i = 1; i <= 60; i++) repo.commit(`c${i}`, DEV1, i === 20 || i === 21 ? "shared.txt" : `f${i}.txt`);
  // c21 changes shared.txt from c20's content: both diffs need that blob.
  const blob = repo.git(["rev-parse", "HEAD~39:shared.txt"]).trim();
  deleteObject(repo, blob);
  assert.throws(() => repo.git(["log", "--numstat", "HEAD"]), /unable to read/, "bare git log --numstat dies on this repository");
  const { commits, notes, rejects } = await history(repo.dir);
  assert.deepEqual(rejects, [], "no record is lost, so nothing is rejected");
  assert.equal(commits.length, 60, "every commit is kept");
  assert.deepEqual(commits.map((c) => c.subject), Array.from({ length: 60 }, (_, i) => `c${60 - i}`), "each commit once, in order");
  const bySubject = new Map(commits.map((c) => [c.subject, c]));
  assert.equal(bySubject.get("c22")!.linesAdded, 2, "commits read before the stop keep their line counts");
  for (const subject of ["c21", "c20", "c1"]) {
    const c = bySubject.get(subject)!;
    assert.equal(c.linesAdded, null, `${subject}: line counts unknown, not zero`);
    assert.equal(c.linesDeleted, null);
    assert.equal(c.filesChanged, 1, `${subject}: its changed file is still known`);
  }
  assert.ok(commits.every((c) => c.onProduction), "the first-parent chain is followed across the two reads");
  assert.match(notes.join("\n"), /git log --numstat stopped after 39 commits \(exit 128: fatal: unable to read [0-9a-f]{40}\); the same history was read again with --name-status --no-renames.*21 more commits kept without line counts/);
});

test("when the names-only read fails too, the history is incomplete: a reject that says so", async (t) => {
  const repo = new TestRepo();
  t.after(() => rmSync(repo.dir, { recursive: true, force: true }));
  for (let i = 1; i <= 6; i++) repo.commit(`c${i}`, DEV1, i === 3 || i === 4 ? "shared.txt" : `f${i}.txt`);
  deleteObject(repo, repo.git(["rev-parse", "HEAD~3:shared.txt"]).trim());
  // c2's tree is needed even to list names: without it, the second read stops too.
  deleteObject(repo, repo.git(["rev-parse", "HEAD~4^{tree}"]).trim());
  const { commits, rejects, notes } = await history(repo.dir);
  assert.deepEqual(commits.map((c) => c.subject), ["c6", "c5", "c4"], "what was read is kept");
  assert.deepEqual(commits.map((c) => c.filesChanged), [1, 1, null], "the commit git was writing when it stopped: changes unknown");
  assert.equal(rejects.length, 1);
  assert.match(rejects[0]!.locator, /after 3 commits/);
  assert.match(rejects[0]!.incomplete ?? "", /^history read stopped after 3 commits: fatal: unable to read tree/);
  assert.match(notes.join("\n"), /--numstat stopped after 2 commits/);
});

test("signatures are verified only when asked, as %G? letters", async () => {
  const repo = new TestRepo();
  repo.commit("unsigned");
  assert.equal((await history(repo.dir)).commits[0]!.signature, null);
  const verified = await history(repo.dir, "main", { verifySignatures: true });
  assert.equal(verified.commits[0]!.signature, "N");
  assert.match(verified.notes.join(" "), /signatures verified/);
});

test("emergency trailers and GitLab merge requests are read from the message", async () => {
  const repo = new TestRepo();
  repo.commit("Hotfix login outage\n\nEmergency: INC-42");
  repo.commit("Merge branch 'fix' into 'main'\n\nFix it\n\nSee merge request acme/api!12", GITHUB);
  const { bySubject } = await history(repo.dir);
  assert.equal(bySubject.get("Hotfix login outage")!.emergency, "Emergency: INC-42");
  assert.equal(bySubject.get("Merge branch 'fix' into 'main'")!.prRef, "!12");
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
