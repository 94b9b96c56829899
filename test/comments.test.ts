import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./helpers/workspace.ts";

/**
 * Comments and data-file notes must stand alone: a reader of the repository (or of the installed
 * package) has neither the team's private reference notes nor its issue tracker, so a comment
 * states the fact and names a public source (a URL, a vendor doc, a repository file) instead.
 */
const CITATIONS = [/shared\/reference/, /\b[Ii]ssues? #?\d/];
const FOLDERS = ["src", "test", "bench", "tools", "bin"];

test("no comment in src/, test/, bench/, tools/ or bin/ cites the private reference notes or an issue number", () => {
  const found: string[] = [];
  for (const folder of FOLDERS) {
    for (const entry of readdirSync(path.join(REPO_ROOT, folder), { recursive: true, withFileTypes: true })) {
      const file = path.join(entry.parentPath ?? entry.path, entry.name);
      const rel = path.relative(REPO_ROOT, file);
      // bench/out holds the benches' results (gitignored output, not code).
      if (!entry.isFile() || rel.startsWith(path.join("test", "fixtures")) || rel.startsWith(path.join("bench", "out")) || !/\.(ts|mjs|js|json)$/.test(entry.name)) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          // Another project's public issue tracker is a public source: "secretlint/secretlint GitHub issue #200".
          if (CITATIONS.some((re) => re.test(line)) && !/[\w-]+\/[\w-]+ (GitHub )?issue #\d/.test(line)) found.push(`${rel}:${i + 1}: ${line.trim().slice(0, 120)}`);
        });
    }
  }
  assert.deepEqual(found, []);
});
