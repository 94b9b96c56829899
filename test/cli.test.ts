import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./helpers/workspace.ts";

/** Phrases from the help that a mid-word wrap would split, one per command. */
const PHRASES: [string[], string[]][] = [
  [["--help"], ["refuse at once", "Turns AI coding-agent audit logs, CloudTrail and git history into SOC 2 / ISO 27001 evidence", "never overwrites"]],
  [["check", "--help"], ["a control got worse, a new finding reached the fail level or a risk acceptance expired", "2026-10-01..2026-10-15 (inclusive date range)", "(default: thresholds.maxNewFindings)"]],
  [["build", "--help"], ["Hash every input, even one whose size and modification time are unchanged", "writes manifest.sig.json (DSSE, in-toto statement)"]],
  [["purge", "--help"], ["Delete raw records older than a date from the store (builds and file provenance are kept)"]],
];

// yargs ends the process after printing help, so each runs in a child (stdout a pipe, as in a redirect).
test("help text piped to a file wraps at spaces and never breaks a word", () => {
  for (const [args, phrases] of PHRASES) {
    const r = runCli(args);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.ok(lines.every((l) => l.length <= 100), `${args.join(" ")}: lines of at most 100 characters when not a TTY`);
    // Undo the wrap: a line break and the column's indent become one space, as a reader sees it.
    const flowed = r.stdout.replace(/\s+/g, " ");
    for (const p of phrases) assert.ok(flowed.includes(p), `${args.join(" ")}: "${p}" intact in:\n${r.stdout}`);
    // Examples sit in two columns, so their wrapped halves interleave: check whole tokens instead.
    if (args[0] === "check") for (const token of ["baseline.json", "out/evidence.xml", "high,deficient"]) assert.match(r.stdout, new RegExp(`(^|\\s)${token.replace(".", "\\.")}(\\s|$)`, "m"), token);
  }
});
