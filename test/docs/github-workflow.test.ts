import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { REPO_ROOT, runCli } from "../helpers/workspace.ts";

interface Workflow {
  on: { schedule: { cron: string }[]; pull_request: { paths: string[] } };
  jobs: Record<string, { if: string; steps: { run?: string; uses?: string }[] }>;
}

/** The example workflow in docs/ stays runnable: valid YAML, the triggers the README promises, and only flags the CLI has. */
test("docs/github-workflow-evidence.yml builds monthly, gates pull requests on settings, IAM and registers, and uses real flags", () => {
  const wf = parse(readFileSync(path.join(REPO_ROOT, "docs", "github-workflow-evidence.yml"), "utf8")) as Workflow;
  assert.equal(wf.on.schedule.length, 1);
  for (const p of ["compliance/registers/**", "compliance/iam/**", "compliance/settings/**", "**/.claude/settings*.json"]) assert.ok(wf.on.pull_request.paths.includes(p), p);
  const runs = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
  const calls = runs.flatMap((r) => [...r.matchAll(/npx evidence (\w+)((?: [^\n]*)?)/g)].map((m) => ({ command: m[1]!, flags: [...m[2]!.matchAll(/ (--[a-z-]+)/g)].map((f) => f[1]!) })));
  assert.deepEqual([...new Set(calls.map((c) => c.command))].sort(), ["build", "check"]);
  // In a child: yargs ends the process after printing help.
  const help = new Map(["build", "check"].map((c) => [c, runCli([c, "--help"]).stdout]));
  for (const { command, flags } of calls) {
    assert.match(help.get(command)!, /Options:/);
    for (const flag of flags) assert.match(help.get(command)!, new RegExp(`${flag}\\b`), `evidence ${command} has ${flag}`);
  }
  assert.doesNotMatch(help.get("check")!, /--baselin\b/, "the match is on whole flags");
  const uses = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
  assert.ok(uses.includes("actions/upload-artifact@v4") && uses.includes("github/codeql-action/upload-sarif@v3"));
});
