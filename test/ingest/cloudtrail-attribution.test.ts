import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { parseConfigText } from "../../src/config.ts";
import { deriveCloudTrailAttribution } from "../../src/ingest/cloudtrail/derived-attribution.ts";
import { cloudTrailRecordToEvent } from "../../src/ingest/cloudtrail/record.ts";
import { createEnrichContext } from "../../src/ingest/enrich.ts";
import type { EvidenceEvent } from "../../src/event.ts";
import { FileWriter, openStore } from "../../src/store/index.ts";
import { event } from "../helpers/rule-tester.ts";
import { tempDir } from "../helpers/workspace.ts";

const ctx = createEnrichContext(parseConfigText(`
organisation: { name: T }
agents:
  - id: claude-code
    product: claude-code
    match: { logProducts: [claude-code], awsSourceIdentities: ["agent:*"], awsSessionTags: ["ai-agent=claude*"], awsMcpMarkers: ["awslabs/mcp", "aws-mcp.amazonaws.com"] }
  - id: kiro
    product: kiro
    match: { awsRoles: ["ai-agent-*"], awsSessionNames: ["kiro-*"], userAgentMarkers: ["app/kiro"] }
environments: { production: { awsAccounts: ["111122223333"] } }
`, "t.yaml"));

let n = 0;
function call(over: Record<string, unknown>, identity: Record<string, unknown> = {}): EvidenceEvent {
  const rec = {
    eventVersion: "1.11", eventTime: "2026-10-14T09:12:03Z", eventSource: "cloudformation.amazonaws.com", eventName: "DeleteStack", awsRegion: "eu-west-1",
    eventID: `e${n++}`, recipientAccountId: "111122223333", requestParameters: { stackName: "prod-api" },
    userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/developer/dev@example.com", accessKeyId: "ASIADEV", sessionContext: { sessionIssuer: { arn: "arn:aws:iam::111122223333:role/developer", userName: "developer" } }, ...identity },
    ...over,
  };
  const e = cloudTrailRecordToEvent(rec, 0, ctx);
  assert.equal(typeof e, "object");
  return e as EvidenceEvent;
}
const signal = (e: EvidenceEvent) => [e.agentId, (e.attrs.attribution as { signal: string; confidence: string } | undefined)?.signal, (e.attrs.attribution as { confidence: string } | undefined)?.confidence];

test("record signals, strongest first: role, sourceIdentity, session name, AWS MCP server, user agent", () => {
  assert.deepEqual(signal(call({}, { sessionContext: { sessionIssuer: { arn: "arn:aws:iam::1:role/ai-agent-ops", userName: "ai-agent-ops" }, sourceIdentity: "agent:claude" } })), ["kiro", "role", "high"]);
  assert.deepEqual(signal(call({}, { sessionContext: { sessionIssuer: { userName: "developer" }, sourceIdentity: "agent:claude-code" } })), ["claude-code", "source-identity", "high"]);
  assert.deepEqual(signal(call({}, { arn: "arn:aws:sts::1:assumed-role/developer/kiro-77" })), ["kiro", "session-name", "medium"]);
  assert.deepEqual(signal(call({}, { invokedBy: "aws-mcp.amazonaws.com" })), ["claude-code", "mcp", "medium"]);
  assert.deepEqual(signal(call({ userAgent: "aws-cli/2.17 app/kiro#1.0" })), ["kiro", "user-agent", "low"]);
  assert.deepEqual(signal(call({})), [null, undefined, undefined]);
});

test("session tags on AssumeRole follow the issued access key; an agent-log command attributes the developer's call; both re-derive idempotently", () => {
  const db = openStore(path.join(tempDir(), "e.db"));
  const w = new FileWriter(db, { source: "ct", path: "ct.json", kind: "cloudtrail", sha256: "0", size: 0, parser: "cloudtrail", parserVersion: "2", contextHash: "x", ingestedAt: "x" });
  w.event(call({
    eventSource: "sts.amazonaws.com", eventName: "AssumeRole", eventTime: "2026-10-14T09:00:00Z",
    requestParameters: { roleArn: "arn:aws:iam::111122223333:role/deployer", roleSessionName: "s1", tags: [{ key: "ai-agent", value: "claude-code" }] },
    responseElements: { credentials: { accessKeyId: "ASIATAGGED" } },
  }));
  const tagged = call({ eventName: "UpdateStack", eventTime: "2026-10-14T09:05:00Z" }, { accessKeyId: "ASIATAGGED", arn: "arn:aws:sts::111122223333:assumed-role/deployer/s1" });
  w.event(tagged);
  w.event(call({ eventTime: "2026-10-14T10:00:30Z" })); // the developer's DeleteStack, 30 s after the agent's command
  w.event(call({ eventTime: "2026-10-14T15:00:00Z" })); // hours later: not correlated
  w.commit();
  const a = new FileWriter(db, { source: "cc", path: "cc.jsonl", kind: "claude-code-hooks", sha256: "1", size: 0, parser: "x", parserVersion: "1", contextHash: "x", ingestedAt: "x" });
  a.event(event({ time: "2026-10-14T10:00:00.000Z", command: "aws cloudformation delete-stack --stack-name prod-api --profile prod" }));
  a.commit();
  const rows = () => db.prepare("SELECT event_key, agent_id, actor_kind, json_extract(attrs, '$.attribution.signal') AS signal FROM events WHERE source_kind = 'cloudtrail' ORDER BY time").all();
  assert.deepEqual(deriveCloudTrailAttribution(db, ctx), { sessionTag: 1, timeCorrelation: 1 });
  const first = rows();
  assert.deepEqual(deriveCloudTrailAttribution(db, ctx), { sessionTag: 1, timeCorrelation: 1 });
  assert.deepEqual(rows(), first);
  assert.deepEqual(first.map((r) => (r as { signal: string | null }).signal), [null, "session-tag", "time-correlation", null]);
  assert.equal((first[3] as { actor_kind: string }).actor_kind, "unknown");
  assert.equal((first[1] as { agent_id: string }).agent_id, "claude-code");
});
