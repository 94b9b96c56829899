import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { lineOf, repositoryLocations } from "../../src/repository-locations.ts";
import { uriPrefix } from "../../src/commands/check.ts";
import { tempDir } from "../helpers/workspace.ts";

test("locations keep settings, IAM and register evidence with the first line of the locator", () => {
  const evidence = [
    { ref: "event:146", file: "logs/claude-code/2026-10/ops-oncall.jsonl", locator: "line 3" },
    { ref: "settings:2", file: "settings/claude/ops-oncall/settings.local.json", locator: "file" },
    { ref: "register:aiTools:2", file: "registers/ai-tools.yaml", locator: "row 2 (line 14)" },
    { ref: "register:aiTools:2", file: "registers/ai-tools.yaml", locator: "row 2 (line 14)" },
    { ref: "iam:arn:aws:iam::111122223333:role/x", file: "iam/authorization-details.json", locator: "RoleDetailList[0]" },
    { ref: "commit:a93e5169451b", file: "git/api.bundle", locator: "commit 29" },
  ];
  assert.deepEqual(repositoryLocations(evidence), [
    { file: "settings/claude/ops-oncall/settings.local.json", ref: "settings:2" },
    { file: "registers/ai-tools.yaml", line: 14, ref: "register:aiTools:2" },
    { file: "iam/authorization-details.json", ref: "iam:arn:aws:iam::111122223333:role/x" },
  ]);
  assert.deepEqual([lineOf("lines 5, 6"), lineOf("line 3 log record 1"), lineOf("line 0"), lineOf("RoleDetailList[0]")], [5, 3, undefined, undefined]);
});

test("SARIF paths are relative to the repository holding the workspace, or to the workspace outside one", () => {
  const repo = tempDir();
  mkdirSync(path.join(repo, ".git"));
  mkdirSync(path.join(repo, "compliance", "acme"), { recursive: true });
  assert.equal(uriPrefix(path.join(repo, "compliance", "acme")), "compliance/acme/");
  assert.equal(uriPrefix(repo), "");
  const worktree = tempDir();
  writeFileSync(path.join(worktree, ".git"), "gitdir: /elsewhere\n");
  assert.equal(uriPrefix(worktree), "");
});
