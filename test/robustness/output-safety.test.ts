import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import MarkdownIt from "markdown-it";
import { pdfPages } from "../helpers/pdf-text.ts";
import { runCli, tempDir } from "../helpers/workspace.ts";

/**
 * A hostile agent log through the real CLI: the command an agent ran (and the log's file name)
 * carry Markdown links and images, raw HTML, Handlebars syntax, a right-to-left override, C0/C1
 * control characters, line and paragraph separators and a long value (100 KB with SOAK=1). The risk-acceptance memo
 * is parsed with a CommonMark parser to prove none of it became a link, an image or HTML, and the
 * template syntax stayed text; the PDF's extracted text holds none of the control or bidi
 * characters, and the long value wraps inside its cells (it is whole in the CSV).
 */
const EVIL = "https://evil.example";
// 100 KB is drawn whole in six places of the PDF (about 160 pages, a minute to render): soak only;
// pdf-layout.test.ts draws a 100 KB value on its own in the default run.
const LONG = process.env.SOAK ? 100_000 : 12_000;
const HOSTILE =
  `rm -rf /srv/prod/api/tmp; echo "[click](${EVIL}) ![x](${EVIL}/x.png) <img src=x onerror=alert(1)> <script>alert(1)</script> ` +
  `<https://evil.example/auto> {{constructor.constructor('return process')()}} {{#each this}}LEAK{{/each}} {{> partial}} ` +
  `\u202egnp.exe a\u0000b\u0007c\u0085d\u2028e\u2029f | col | # heading\n\n# injected heading\n[ref]: ${EVIL}\n` +
  "x".repeat(LONG);
const FILE = "claude [evil](javascript:alert(1)) <img src=x onerror=alert(2)>.jsonl";

function hookLog(): string {
  const base = { session_id: "s-hostile", cwd: "/srv/prod/api", permission_mode: "bypassPermissions", tool_name: "Bash", tool_input: { command: HOSTILE }, tool_use_id: "toolu_hostile" };
  return [
    { ...base, timestamp: "2026-10-14T09:00:00.000Z", hook_event_name: "PreToolUse" },
    { ...base, timestamp: "2026-10-14T09:00:01.000Z", hook_event_name: "PostToolUse", tool_response: { stdout: "", stderr: "", interrupted: false } },
  ].map((l) => JSON.stringify(l)).join("\n") + "\n";
}

interface Token {
  type: string;
  content: string;
  attrs: [string, string][] | null;
  children: Token[] | null;
}

function flatten(tokens: Token[]): Token[] {
  return tokens.flatMap((t) => [t, ...flatten(t.children ?? [])]);
}

test("a hostile log cannot inject links, images, HTML or template syntax into a memo, nor break the PDF", async () => {
  const ws = tempDir("evidence-hostile-");
  mkdirSync(path.join(ws, "logs"));
  writeFileSync(path.join(ws, "logs", FILE), hookLog());
  writeFileSync(
    path.join(ws, "evidence.config.yaml"),
    `organisation: { name: Hostile Co }
sources:
  - { name: claude-code, kind: claude-code-hooks, paths: ["logs/*.jsonl"] }
agents:
  - { id: claude-code, product: claude-code, match: { logProducts: [claude-code] } }
environments:
  production: { paths: ["/srv/prod/**"] }
`,
  );
  const out = path.join(ws, "out");
  const result = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out]);
  assert.equal(result.status, 0, result.stderr);

  const memoFile = readdirSync(path.join(out, "memos")).find((f) => f.startsWith("agent-destructive-actions-human-approved") && f.endsWith(".md"));
  assert.ok(memoFile, "the destructive action produced a risk-acceptance memo");
  const memo = readFileSync(path.join(out, "memos", memoFile), "utf8");
  assert.ok(memo.includes("gnp.exe") && memo.includes("LEAK"), "the hostile command is in the memo, as text");

  const md = new MarkdownIt({ html: true, linkify: false });
  const tokens = flatten(md.parse(memo, {}) as unknown as Token[]);
  const links = tokens.filter((t) => t.type === "link_open" || t.type === "image").map((t) => JSON.stringify(t.attrs));
  assert.deepEqual(links.filter((l) => /evil|javascript/.test(l)), [], "no link or image from the log");
  const html = tokens.filter((t) => t.type === "html_inline" || t.type === "html_block").map((t) => t.content);
  assert.deepEqual(html, [], "no raw HTML from the log");
  const headings = tokens.filter((t) => t.type === "inline" && /injected heading/.test(t.content));
  assert.ok(headings.every((t) => !/^#/.test(t.content)), "no heading injected by a newline");
  const rendered = md.render(memo);
  assert.ok(rendered.includes(`[click](${EVIL})`), "the link syntax is shown as text");
  assert.ok(rendered.includes("{{constructor.constructor(&#x27;return process&#x27;)()}}") || rendered.includes("{{constructor.constructor('return process')()}}"), "template syntax stays text");
  assert.ok(!/\[object |function Function|process\.env/.test(memo), "nothing was evaluated");

  const pages = await pdfPages(path.join(out, "report.pdf"));
  const text = pages.join("\n");
  assert.ok(text.includes("gnp.exe"), "the hostile command is in the PDF");
  // eslint-disable-next-line no-control-regex
  const bad = [...text.matchAll(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g)].map((m) => `U+${m[0].charCodeAt(0).toString(16).padStart(4, "0")}`);
  assert.deepEqual([...new Set(bad)], [], "no control or bidi characters reach the PDF text");
  // Wrapped inside its table cells: every line of extracted text stays short.
  const longest = Math.max(...text.split("\n").map((l) => l.length));
  assert.ok(longest < 400, `a line of ${longest} characters ran past its column`);
  const csv = readFileSync(path.join(out, "agent-actions.csv"), "utf8");
  assert.ok(csv.includes("x".repeat(LONG)), "the long value is whole in the CSV");
});
