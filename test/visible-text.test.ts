import { test } from "node:test";
import assert from "node:assert/strict";
import type { GateResult } from "../src/check/gate.ts";
import { summaryMarkdown, summaryText } from "../src/check/summary.ts";
import { output, type GlobalOptions } from "../src/commands/context.ts";
import { createProgress } from "../src/progress.ts";
import { visibleText } from "../src/visible-text.ts";

/** What a hostile commit message or command can carry to spoof a CI log: colour, erase line, bell, backspace, CR, OSC title. */
const HOSTILE = "fix\u001b[2K\r\u001b[32mPASS all controls\u0007\b\b\u001b]0;owned\u0007 \u009b31m \u202egnp.exe";
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

test("visibleText shows terminal escapes, bidi overrides and lone surrogates as code points and keeps tab and newline", () => {
  assert.equal(visibleText("a\u001b[31mb\u0007c\bd\re\tf\ng"), "a[U+001B][31mb[U+0007]c[U+0008]d[U+000D]e\tf\ng");
  assert.equal(visibleText("x\u202ey\ud800z"), "x[U+202E]y[U+D800]z");
  assert.equal(visibleText("Добавить 添加 😀 שלום"), "Добавить 添加 😀 שלום", "ordinary text of any script is untouched");
  assert.doesNotMatch(visibleText(HOSTILE), RAW);
});

function gate(message: string): GateResult {
  const line = { current: { tested: 1, inScope: 1, ratio: 1 }, baseline: null, delta: null, minimum: null };
  const change = { id: "f1", ruleId: "git-x", severity: "high", message, state: "open" as const };
  return {
    passed: false, period: "2026-10", buildId: "b1", baseline: null,
    failures: [{ kind: "new-finding", level: "fail", message: `new high finding: ${message}`, controls: ["CC8.1"] }],
    warnings: [{ kind: "acceptance-expiring", level: "warn", message, controls: [] }],
    notes: [message],
    coverage: { overall: line, byFramework: { soc2: line } },
    controls: [{ id: "CC8.1", framework: "soc2", status: "deficient", baselineStatus: null, coverage: { rules: 1, sufficient: 1 }, coverageDelta: null, newFindings: 1, fixedFindings: 0, recurringFindings: 0, failed: true }],
    findings: { new: [change], fixed: [], recurring: [], newOpen: [change] },
  };
}

/** Runs `fn` with stdout captured. */
function captureStdout(fn: () => void): string {
  const out: string[] = [];
  const { write } = process.stdout;
  process.stdout.write = ((chunk: unknown) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return out.join("");
}

test("check's text on stdout and its Markdown summary show a commit message's escapes instead of executing them", () => {
  const result = gate(HOSTILE);
  const options: GlobalOptions = { config: "c", json: false, quiet: true };
  const stdout = captureStdout(() => output(options, result, () => summaryText(result)));
  assert.doesNotMatch(stdout, RAW, JSON.stringify(stdout));
  assert.match(stdout, /fix\[U\+001B\]\[2K\[U\+000D\]\[U\+001B\]\[32mPASS all controls\[U\+0007\]/);
  const json = captureStdout(() => output({ ...options, json: true }, result, () => summaryText(result)));
  assert.doesNotMatch(json, RAW, "JSON escapes them itself");
  assert.equal(JSON.parse(json).notes[0], HOSTILE, "and keeps the value exact");
  const markdown = summaryMarkdown(result);
  assert.doesNotMatch(markdown, RAW, JSON.stringify(markdown));
  assert.match(markdown, /U\\\+001B/, "shown, Markdown-escaped");
});

test("progress lines on stderr show escapes; the live line keeps only its own erase sequence", () => {
  const written: string[] = [];
  const stream = { isTTY: true, columns: 200, write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream;
  const progress = createProgress({ quiet: false, stream });
  progress.update(`reading ${HOSTILE}\nsecond line`);
  progress.info(`ingested ${HOSTILE}`);
  progress.done();
  const own = "\r\u001b[2K";
  for (const chunk of written.filter((c) => c !== own)) assert.doesNotMatch(chunk, RAW, JSON.stringify(chunk));
  assert.ok(!written[0]!.includes("\n"), "the live line stays one line");
  assert.match(written.join(""), /ingested fix\[U\+001B\]/);
});
