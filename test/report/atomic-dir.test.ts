import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { assertSafeOutDir, cleanStaleSiblings, insideDir, safeFileName, workspaceId } from "../../src/report/atomic-dir.ts";
import { UsageError } from "../../src/errors.ts";
import { tempDir } from "../helpers/workspace.ts";

test("file names from data become one safe path segment", () => {
  const cases: [string, string][] = [
    ["git-production-changes-reviewed", "git-production-changes-reviewed"],
    ["../../etc/passwd", "etc-passwd"],
    ["/abs/path", "abs-path"],
    ["..\\..\\win", "win"],
    [".hidden", "hidden"],
    ["a\u0000b\nc", "a-b-c"],
    ["", "unnamed"],
    ["...", "unnamed"],
    ["Policy: Access Control (v2)", "Policy-Access-Control-v2"],
    ["x".repeat(500), "x".repeat(100)],
  ];
  for (const [input, expected] of cases) assert.equal(safeFileName(input), expected, JSON.stringify(input));
});

test("insideDir refuses paths that leave the output folder", () => {
  const dir = tempDir();
  assert.equal(insideDir(dir, "memos/a.md"), path.join(dir, "memos", "a.md"));
  for (const bad of ["../x.md", "memos/../../x.md", "/etc/passwd", "", "."]) {
    assert.throws(() => insideDir(dir, bad), /outside the output folder/, bad);
  }
});

test("stale temp folders of dead runs are removed; a package left only as .old-<pid> is moved back", () => {
  const parent = tempDir();
  const out = path.join(parent, "2026-10");
  for (const name of ["2026-10.tmp-111", "2026-10.tmp-222", "2026-10.old-333", "2026-11.tmp-111", "other"]) mkdirSync(path.join(parent, name));
  writeFileSync(path.join(parent, "2026-10.old-333", "manifest.json"), "{}");
  const alive = (pid: number) => pid === 222;
  assert.deepEqual(cleanStaleSiblings(out, alive), ["2026-10.old-333", "2026-10.tmp-111"]);
  assert.deepEqual(readdirSync(parent).sort(), ["2026-10", "2026-10.tmp-222", "2026-11.tmp-111", "other"]);
  assert.equal(readFileSync(path.join(out, "manifest.json"), "utf8"), "{}");
  // With the package in place, a stale .old- is just removed.
  mkdirSync(path.join(parent, "2026-10.old-444"));
  assert.deepEqual(cleanStaleSiblings(out, alive), ["2026-10.old-444"]);
  assert.ok(existsSync(path.join(out, "manifest.json")));
});

test("the output folder may not hold the workspace or be a foreign non-empty folder", () => {
  const ws = tempDir();
  writeFileSync(path.join(ws, "evidence.config.yaml"), "");
  assert.throws(() => assertSafeOutDir(ws, [ws]), /holds .*replaced on every build/);
  assert.throws(() => assertSafeOutDir(path.dirname(ws), [ws]), /holds/);
  assertSafeOutDir(path.join(ws, "reports", "2026-10"), [ws]);
  const foreign = path.join(ws, "docs");
  mkdirSync(foreign);
  writeFileSync(path.join(foreign, "notes.txt"), "mine");
  assert.throws(() => assertSafeOutDir(foreign, [ws]), /not an evidence package \(no manifest\.json\)/);
  writeFileSync(path.join(foreign, "manifest.json"), "{}");
  assert.throws(() => assertSafeOutDir(foreign, [ws]), /not an evidence package \(manifest\.json: not an evidence manifest/);
  rmSync(ws, { recursive: true, force: true });
});

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** A folder laid out as build writes a package: files, memos/, and a manifest.json listing them. */
function ourPackage(dir: string, extra: Record<string, unknown> = {}): string {
  const files: Record<string, string> = { "findings.csv": "finding_id\r\n", "memos/a.md": "# a\n", "suggested-policies/agent-x.json": "{}" };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), text);
  }
  const manifest = {
    tool: "evidence", toolVersion: "0.1.0", buildId: "0123456789abcdef", period: "2026-10", generatedAt: "2026-11-01T00:00:00Z", configSha256: sha("config"),
    inputs: [{ path: "evidence.config.yaml", sha256: sha("config"), size: 0 }],
    outputs: Object.entries(files).map(([p, text]) => ({ path: p, sha256: sha(text), size: text.length })),
    ...extra,
  };
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  return dir;
}

/** Every entry under `dir`, links not followed, with each file's content: to prove that nothing was touched. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .sort()
    .map((p) => {
      const full = path.join(dir, p);
      const st = lstatSync(full);
      return st.isFile() ? `${p}=${readFileSync(full, "utf8")}` : `${p}:${st.isDirectory() ? "dir" : "other"}`;
    });
}

test("only an empty folder or a folder that is provably an earlier package of ours may be replaced", async (t) => {
  const root = tempDir();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const ws = path.join(root, "ws");
  mkdirSync(ws);

  await t.test("an empty folder and an earlier package (with an empty memos/ and a signature) are accepted", () => {
    const empty = path.join(root, "empty");
    mkdirSync(empty);
    assertSafeOutDir(empty, [ws]);
    const pkg = ourPackage(path.join(root, "pkg"));
    writeFileSync(path.join(pkg, "manifest.sig.json"), "{}");
    rmSync(path.join(pkg, "memos", "a.md"));
    assertSafeOutDir(pkg, [ws]);
  });

  await t.test("a web extension folder under git (manifest.json of another tool) is refused and left untouched", () => {
    const x = path.join(root, "X");
    mkdirSync(path.join(x, "src"), { recursive: true });
    mkdirSync(path.join(x, ".git"));
    writeFileSync(path.join(x, "manifest.json"), JSON.stringify({ manifest_version: 3 }));
    writeFileSync(path.join(x, "src", "a.js"), "c\n");
    const before = snapshot(x);
    assert.throws(() => assertSafeOutDir(x, [ws]), (e: Error) => e instanceof UsageError && /not an evidence package \(manifest\.json: not an evidence manifest \(tool: /.test(e.message));
    assert.deepEqual(snapshot(x), before);
  });

  await t.test("our manifest beside files it does not list: refused, naming them", () => {
    const pkg = ourPackage(path.join(root, "mixed"));
    writeFileSync(path.join(pkg, "notes.txt"), "mine");
    mkdirSync(path.join(pkg, ".git"));
    mkdirSync(path.join(pkg, "memos", "drafts"));
    const before = snapshot(pkg);
    assert.throws(() => assertSafeOutDir(pkg, [ws]), /does not list \(\.git\/, memos\/drafts\/, notes\.txt\).*refusing to replace it, nothing was changed/);
    assert.deepEqual(snapshot(pkg), before);
  });

  await t.test("a symbolic link in it is not ours either", { skip: process.platform === "win32" }, () => {
    const pkg = ourPackage(path.join(root, "linked"));
    symlinkSync(ws, path.join(pkg, "memos", "ws"));
    assert.throws(() => assertSafeOutDir(pkg, [ws]), /does not list \(memos\/ws\)/);
    assert.ok(existsSync(ws));
  });

  await t.test("a file in place of the folder is refused", () => {
    const file = path.join(root, "file");
    writeFileSync(file, "x");
    assert.throws(() => assertSafeOutDir(file, [ws]), /exists and is not a folder/);
  });
});

test("a package another workspace wrote is refused unless forced; the same workspace, or an edited config, may replace it", () => {
  const root = tempDir();
  try {
    const out = path.join(root, "reports", "2026-10");
    const mine = { workspace: "../../acme/evidence.config.yaml", configSha256: sha("config") };
    assert.equal(workspaceId(out, path.join(root, "acme", "evidence.config.yaml")), mine.workspace);
    ourPackage(out, { workspace: mine.workspace });
    assertSafeOutDir(out, [], mine);
    assertSafeOutDir(out, [], { ...mine, configSha256: sha("edited config") });
    const other = { workspace: "../../other/evidence.config.yaml", configSha256: sha("config") };
    assert.throws(() => assertSafeOutDir(out, [], other), (e: Error) =>
      e instanceof UsageError && e.message.includes(`the workspace of ${path.join(root, "acme", "evidence.config.yaml")} wrote`) && /pass --force/.test(e.message));
    assertSafeOutDir(out, [], { ...other, force: true });
    // Written before the workspace was recorded: the config hash decides.
    ourPackage(out);
    assertSafeOutDir(out, [], other);
    assert.throws(() => assertSafeOutDir(out, [], { ...other, configSha256: sha("another config") }), /a workspace with another config wrote.*--force/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
