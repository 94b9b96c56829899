import { test } from "node:test";
import assert from "node:assert/strict";
import { clipAtTokenBoundary, clipWithLength } from "../../src/redact/clip.ts";
import { createRedactor } from "../../src/redact/index.ts";
import { argsText } from "../../src/ingest/agent/calls.ts";
import { resultOf } from "../../src/ingest/agent/claude-code-transcript.ts";
import { storeItems } from "../../src/ingest/file-task.ts";
import type { ParsedItem } from "../../src/ingest/parser.ts";
import type { IamPrincipalRecord } from "../../src/store/iam.ts";

/**
 * Parsers shorten long text (tool arguments, error lines) before the redactor runs. A secret that
 * straddles the cut must not leave its first characters behind: cut mid-token, the rest no longer
 * matches the secret's pattern and the prefix would be stored as is.
 */
// A GitHub token is redacted wherever it appears (an AWS access key id alone is an identifier, kept).
const KEY = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";
const GITHUB = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";

/** Text of `length` whose `secret` starts `before` characters ahead of the cut at `cut`. */
function straddling(secret: string, cut: number, before: number, length = cut + 100): string {
  const head = "x ".repeat(cut).slice(0, cut - before - 1) + " ";
  return (head + secret + " " + "y ".repeat(length)).slice(0, length);
}

test("a cut inside a token drops the whole token; a cut between tokens keeps both sides' whole tokens", () => {
  assert.equal(clipAtTokenBoundary("alpha beta gamma", 8), "alpha ");
  assert.equal(clipAtTokenBoundary("alpha beta gamma", 6), "alpha ");
  assert.equal(clipAtTokenBoundary("alpha beta gamma", 5), "alpha");
  assert.equal(clipAtTokenBoundary("short", 10), "short");
  // A URL with credentials is one token: kept whole or not at all.
  assert.equal(clipAtTokenBoundary("git clone https://u:p4ss@host/r.git now", 20), "git clone ");
  // One token longer than the limit leaves nothing of it.
  assert.equal(clipAtTokenBoundary("A".repeat(50), 10), "");
  assert.equal(clipWithLength("A".repeat(50), 10), "…(50 chars)");
  assert.equal(clipWithLength('say "hello world"', 11), 'say "hello …(17 chars)');
});

test("a token straddling the 200-character cut of a transcript error is not partly stored", () => {
  const redactor = createRedactor();
  for (const before of [1, 8, 12, 39]) {
    const text = straddling(KEY, 200, before);
    assert.ok(text.indexOf(KEY) < 200 && text.indexOf(KEY) + KEY.length > 200, "the token straddles the cut");
    const result = resultOf({ type: "tool_result", tool_use_id: "t1", is_error: true, content: text }, undefined, 3);
    assert.equal(result.outcome, "failed");
    const stored = redactor.redact((result as { error: string }).error);
    assert.ok(!stored.includes(KEY.slice(0, before)), `no prefix of the key is left (${before} characters before the cut): ${stored.slice(-30)}`);
  }
});

test("a token straddling the cut of a long tool argument is not partly stored", () => {
  const redactor = createRedactor();
  const cmd = straddling(`https://x-access-token:${GITHUB}@github.com/acme/api.git`, 200, 40, 400);
  const shown = redactor.redact(argsText({ command: cmd })!);
  assert.ok(!shown.includes("ghp_"), shown);
  assert.ok(!shown.includes("x-access-token"), "the token's URL is dropped whole");
  assert.match(shown, /…\(400 chars\)/);
  // Long string arguments (up to 1,000 characters) are cut the same way.
  const plain = straddling(KEY, 1000, 10, 1200);
  assert.ok(!redactor.redact(argsText(plain)!).includes(KEY.slice(0, 10)));
});

test("tool arguments render the same with and without a string to cut: short ones as plain JSON, long ones cut wherever they nest", () => {
  const long = "x".repeat(250);
  const cut = clipWithLength(long, 200);
  assert.equal(argsText({ file_path: "/srv/api/a.ts", n: 3, ok: true, none: null }), '{"file_path":"/srv/api/a.ts","n":3,"ok":true,"none":null}');
  assert.equal(argsText({ a: { b: ["s", { c: long }] } }), JSON.stringify({ a: { b: ["s", { c: cut }] } }));
  assert.equal(argsText([1, "x".repeat(200), long]), JSON.stringify([1, "x".repeat(200), cut]));
  // A value with toJSON is rendered by it, as JSON.stringify does; a long string it yields is cut.
  assert.equal(argsText({ at: { toJSON: () => long } }), JSON.stringify({ at: cut }));
  assert.equal(argsText({ at: new Date("2026-10-14T09:00:00Z") }), '{"at":"2026-10-14T09:00:00.000Z"}');
});

test("IAM principals are redacted before they reach the store; action names are not touched", async () => {
  const principal: IamPrincipalRecord = {
    arn: "arn:aws:iam::111122223333:role/ai-agent-operator", kind: "role", name: "ai-agent-operator", account: "111122223333",
    agentId: "agent", environment: "production",
    trustPolicy: { Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Condition: { StringEquals: { "aws:PrincipalTag/note": `rotate ${KEY}` } } }] },
    policies: [{ name: "deploy", source: "inline" }], unresolved: [], locator: "RoleDetailList[0]",
    statements: [{ policy: "deploy", role: "policy", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], notActions: null, allResources: true, conditional: false }],
  };
  async function* one(): AsyncIterable<ParsedItem> {
    yield { kind: "iam-principal", principal };
  }
  const redactor = createRedactor();
  const batches = [];
  for await (const b of storeItems(one(), redactor, null)) batches.push(...b);
  const stored = batches[0] as { kind: "iam-principal"; principal: IamPrincipalRecord };
  const text = JSON.stringify(stored.principal);
  assert.ok(!text.includes(KEY), text);
  assert.match(text, /\[REDACTED:github-token:/);
  assert.equal(redactor.total(), 1);
  assert.deepEqual(stored.principal.statements[0]!.actions, ["secretsmanager:GetSecretValue"]);
  assert.equal(stored.principal.arn, principal.arn);
});
