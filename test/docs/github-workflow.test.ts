import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { REPO_ROOT, runCli } from "../helpers/workspace.ts";

interface Workflow {
  env: Record<string, string>;
  on: { schedule: { cron: string }[]; pull_request: { paths: string[] } };
  jobs: Record<string, { if: string; steps: { run?: string; uses?: string }[] }>;
}

/** The example workflow in docs/ stays runnable: valid YAML, the triggers the README promises, and only flags the CLI has. */
test("docs/github-workflow-evidence.yml builds monthly, gates pull requests on settings, IAM and registers, and uses real flags", () => {
  const wf = parse(readFileSync(path.join(REPO_ROOT, "docs", "github-workflow-evidence.yml"), "utf8")) as Workflow;
  assert.equal(wf.on.schedule.length, 1);
  for (const p of ["compliance/registers/**", "compliance/iam/**", "compliance/settings/**", "**/.claude/settings*.json"]) assert.ok(wf.on.pull_request.paths.includes(p), p);
  const runs = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
  // Installed as a user installs it, by the package's own name: `npx evidence` would run the unrelated npm package `evidence`.
  const name = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { name: string }).name;
  assert.equal(runs.filter((r) => r.includes(`npm install --global "${name}@$EVIDENCE_VERSION"`)).length, Object.keys(wf.jobs).length, "every job installs the package");
  assert.deepEqual(runs.filter((r) => /\bnpx evidence\b/.test(r)), []);
  const calls = runs.flatMap((r) => [...r.matchAll(/^evidence (\w+)((?: [^\n]*)?)/gm)].map((m) => ({ command: m[1]!, flags: [...m[2]!.matchAll(/ (--[a-z-]+)/g)].map((f) => f[1]!) })));
  assert.deepEqual([...new Set(calls.map((c) => c.command))].sort(), ["build", "check"]);
  // In a child: yargs ends the process after printing help.
  const help = new Map(["build", "check"].map((c) => [c, runCli([c, "--help"]).stdout]));
  for (const { command, flags } of calls) {
    assert.match(help.get(command)!, /Options:/);
    for (const flag of flags) assert.match(help.get(command)!, new RegExp(`${flag}\\b`), `evidence ${command} has ${flag}`);
  }
  assert.doesNotMatch(help.get("check")!, /--baselin\b/, "the match is on whole flags");
  assert.match(wf.env["EVIDENCE_VERSION"] ?? "", /^\d+\.\d+\.\d+$/, "a pinned version");
  const uses = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
  assert.ok(uses.includes("actions/upload-artifact@v4") && uses.includes("github/codeql-action/upload-sarif@v3"));
});
