import { test } from "node:test";
import assert from "node:assert/strict";
import { awsCliCalls, chainFor, cloudEventsCausedBy, sessionCommits, sessionTimeline, toolCallsBehind } from "../src/correlate.ts";
import type { EvidenceEvent } from "../src/event.ts";
import { seededStore } from "./helpers/rule-tester.ts";

test("AWS CLI commands map to the CloudTrail actions they cause", () => {
  const actions = (cmd: string) => awsCliCalls(cmd).flatMap((c) => c.actions);
  assert.deepEqual(actions("aws cloudformation delete-stack --stack-name prod-api --profile prod"), ["cloudformation:deletestack"]);
  assert.deepEqual(actions("aws --profile prod --region eu-west-1 s3 rm s3://b/k --recursive"), ["s3:deleteobject", "s3:deleteobjects"]);
  assert.deepEqual(actions("cd infra && AWS_PROFILE=prod sudo /usr/local/bin/aws s3api delete-bucket --bucket b"), ["s3:deletebucket"]);
  assert.deepEqual(actions("aws rds describe-db-instances | jq . ; aws configservice stop-configuration-recorder"), ["rds:describedbinstances", "config:stopconfigurationrecorder"]);
  assert.deepEqual(actions("terraform destroy -auto-approve"), []);
  assert.deepEqual(actions("aws --version"), []);
});

const T = "2026-10-14T09:10:30.000Z";
const at = (s: number) => new Date(Date.parse(T) + s * 1000).toISOString();
const SESSION = "sess-1";
/** The sha the rule tester gives the first seeded commit. */
const SHA = `${"a".repeat(39)}0`;
const agentLog = (over: Partial<EvidenceEvent>): Partial<EvidenceEvent> => ({ sessionId: SESSION, ...over });
const cloud = (over: Partial<EvidenceEvent> & { attrs?: Record<string, unknown> }): Partial<EvidenceEvent> => ({
  sourceKind: "cloudtrail", actorKind: "unknown", agentId: null, agentProduct: null, action: "cloudformation:DeleteStack", target: "prod-api",
  actor: "arn:aws:sts::1:assumed-role/ops/x", command: null, sessionId: "ASIA", classes: ["destructive", "write"], ...over,
});

/** The deleted-stack story: a session, its prompt, the tool call, the CloudTrail events around it and the commit after it. */
function story(commitOver: Record<string, unknown> = {}, toolAttrs: Record<string, unknown> = {}) {
  return seededStore({
    events: [
      agentLog({ action: "session:SessionStart", actor: "Ops@acme.example", time: at(-120), classes: [], command: null }),
      agentLog({ action: "session:UserPromptSubmit", actor: null, actorKind: "human", time: at(-100), classes: [], command: null }),
      agentLog({ action: "Bash", command: "aws cloudformation describe-stacks --stack-name prod-api", time: at(-60), attrs: { endTime: at(-58) } }),
      agentLog({ action: "Bash", command: "aws cloudformation delete-stack --stack-name prod-api --profile prod", time: T, attrs: { endTime: at(10), ...toolAttrs } }),
      // 1: same person (sourceIdentity), inside the call's span, user agent names the command: high.
      cloud({ time: at(90), attrs: { sourceIdentity: "ops@acme.example", userAgent: "aws-cli/2 command/cloudformation.delete-stack" } }),
      // 2: another identity inside the span: low.
      cloud({ time: at(60), target: "prod-web", attrs: { sessionName: "someone-else" } }),
      // 3: another identity, outside the span: no link at all.
      cloud({ time: at(500), target: "prod-db", attrs: {} }),
      // 4: the same person, eight minutes later: medium.
      cloud({ time: at(480), target: "prod-queue", attrs: { sessionName: "ops" } }),
    ].map((e, i) => ({ ...e, eventKey: `e${i}` })),
    commits: [{ authorEmail: "ops@acme.example", authorKind: "agent", agentProduct: "claude-code", committerTime: at(35 * 60), subject: "Recreate prod-api", review: "unreviewed", ...commitOver }],
  });
}

test("a tool call links to the CloudTrail events it caused, each with its confidence and reasons", () => {
  const links = cloudEventsCausedBy(story(), 4);
  assert.deepEqual(links.map((l) => [l.event.target, l.confidence]), [["prod-api", "high"], ["prod-queue", "medium"], ["prod-web", "low"]]);
  assert.match(links[0]!.basis, /cloudformation:DeleteStack matches "aws cloudformation delete-stack"; sourceIdentity ops@acme\.example is the session's user; 90 s after the call started; user agent names cloudformation\.delete-stack/);
  assert.match(links[1]!.basis, /role session ops is the session's user; 480 s after the call \(outside its span\)/);
});

test("a CloudTrail event leads back to the tool call that probably caused it", () => {
  const db = story();
  assert.deepEqual(toolCallsBehind(db, 5).map((c) => [c.toolCallId, c.link.confidence]), [[4, "high"]]);
  assert.deepEqual(toolCallsBehind(db, 7), [], "an unrelated event links to nothing");
});

test("a session's commits: by recorded commit id (high), else agent co-author + same person + time (medium)", () => {
  const db = story();
  const [byTime] = sessionCommits(db, SESSION, T);
  assert.equal(byTime?.confidence, "medium");
  assert.match(byTime!.basis, /co-authored by claude-code, authored by the session's user ops@acme\.example, 35 min after the session's last activity/);
  assert.deepEqual(sessionCommits(story({ authorEmail: "someone@acme.example" }), SESSION, T), [], "another person's AI commit is not this session's");
  assert.deepEqual(sessionCommits(story({ committerTime: at(3 * 3600) }), SESSION, T), [], "too long after the session");
  const sha = "b".repeat(40);
  const recorded = sessionCommits(story({ authorEmail: "someone@acme.example", sha }, { gitCommitId: sha.slice(0, 12) }), SESSION, T);
  assert.deepEqual(recorded.map((l) => l.confidence), ["high"]);
});

test("a finding on the CloudTrail event cites the whole chain: session, prompt, tool call, CloudTrail, commit", () => {
  const chain = chainFor(story(), [{ ref: "event:5", file: "f", locator: "record 1" }]);
  assert.deepEqual(chain.map((l) => [l.role, l.ref]), [
    ["session", "event:1"], ["prompt", "event:2"], ["tool-call", "event:4"], ["cloud-event", "event:5"], ["cloud-event", "event:8"], ["commit", `commit:${SHA}`],
  ]);
  assert.equal(chain[3]!.confidence, "high");
  assert.match(chain[0]!.summary, /session sess-1 by ops@acme\.example/);
});

test("a finding on the commit leads back through the session to its cloud calls", () => {
  const chain = chainFor(story(), [{ ref: `commit:${SHA}`, file: "f", locator: "commit 1" }]);
  assert.deepEqual(chain.map((l) => l.role), ["session", "prompt", "tool-call", "cloud-event", "cloud-event", "commit"]);
  assert.equal(chain.at(-1)!.confidence, "medium");
});

test("the session timeline orders prompts and calls and attaches cloud events to calls", () => {
  const timeline = sessionTimeline(story(), SESSION, T)!;
  assert.deepEqual(timeline.entries.map((e) => e.kind), ["session", "prompt", "tool-call", "tool-call"]);
  assert.equal(timeline.user, "ops@acme.example");
  assert.equal(timeline.entries[3]!.cloud[0]!.confidence, "high");
  assert.equal(timeline.commits.length, 1);
  assert.deepEqual(chainFor(story(), [{ ref: "event:999", file: "f", locator: "x" }]), []);
});
