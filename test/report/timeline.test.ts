import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { chainFor } from "../../src/correlate.ts";
import type { EvidenceEvent } from "../../src/event.ts";
import type { Finding } from "../../src/evaluate.ts";
import { collectTimeline, type TimelineRow } from "../../src/report/collect/timeline.ts";
import { loadPdfFonts } from "../../src/report/fonts.ts";
import { renderPdf } from "../../src/report/pdf.ts";
import { sessionStories } from "../../src/report/sections/timeline.ts";
import { timelineCsv } from "../../src/report/timeline-csv.ts";
import { pdfLayout } from "../helpers/pdf-items.ts";
import { syntheticModel } from "../helpers/report-model.ts";
import { seededStore } from "../helpers/rule-tester.ts";

/**
 * timeline.csv from a real store and the real correlation: a Claude Code session deletes a stack
 * with the AWS CLI; CloudTrail records the DeleteStack under an agent role attributed to Kiro, so
 * the correlated link is flagged as a conflict.
 */
const T = "2026-10-14T09:10:30.000Z";
const at = (s: number) => new Date(Date.parse(T) + s * 1000).toISOString();

test("timeline: every link of a finding's chain with time, file and line, link rule and confidence; a CloudTrail call attributed to another agent is a conflict", async (t) => {
  const events: Partial<EvidenceEvent>[] = [
    { action: "session:SessionStart", actor: "ops@acme.example", time: at(-120), classes: [], command: null, sessionId: "s1" },
    { action: "Bash", command: "aws cloudformation delete-stack --stack-name prod-api --profile prod", time: T, sessionId: "s1", classes: ["destructive"], attrs: { endTime: at(10) } },
    {
      sourceKind: "cloudtrail", actorKind: "agent", agentId: "kiro-operator", agentProduct: "kiro", action: "cloudformation:DeleteStack", target: "prod-api",
      actor: "arn:aws:sts::1:assumed-role/ai-agent-operator/kiro-1", command: null, sessionId: "ASIA", classes: ["destructive", "write"], time: at(90),
      attrs: { sourceIdentity: "ops@acme.example", userAgent: "aws-cli/2 command/cloudformation.delete-stack", attribution: { signal: "role ai-agent-operator", confidence: "high" } },
    },
  ];
  const db = seededStore({ events: events.map((e, i) => ({ ...e, eventKey: `e${i}` })) });
  t.after(() => {
    db.close();
    rmSync(path.dirname(db.name), { recursive: true, force: true });
  });
  const evidence = [{ ref: "event:2", file: "fixture.jsonl", locator: "line 2" }];
  const finding = { id: "f1", ruleId: "agent-destructive-actions-human-approved", evidence, chain: chainFor(db, evidence) } as unknown as Finding;
  const unchained = { id: "f0", ruleId: "other", evidence: [] } as unknown as Finding;
  const rows = collectTimeline(db, { findings: [finding, unchained] });
  assert.deepEqual(rows.map((r) => [r.step, r.role, r.time, `${r.file} ${r.locator}`, r.key, r.confidence]), [
    [1, "session", at(-120), "fixture.jsonl line 1", "event:agent-log:e0", "recorded"],
    [2, "tool-call", T, "fixture.jsonl line 2", "event:agent-log:e1", "recorded"],
    [3, "cloud-event", at(90), "fixture.jsonl line 3", "event:cloudtrail:e2", "high"],
  ]);
  assert.equal(rows[1]!.linkRule, "recorded in the source: same session id");
  assert.match(rows[2]!.linkRule, /cloudformation:DeleteStack matches "aws cloudformation delete-stack"/);
  assert.deepEqual(rows.map((r) => r.conflict), ["", "", "CloudTrail attributes this call to kiro (by role ai-agent-operator), but the tool call it is correlated to is claude-code's"]);
  // The PDF shows the chain once for every finding that shares it, the conflict spelled out.
  const twin = { ...finding, id: "f2", ruleId: "cloudtrail-agent-calls-within-boundary" } as Finding;
  const text = (await pdfLayout(await renderPdf({ ...syntheticModel(), timeline: collectTimeline(db, { findings: [finding, twin] }) }, { fonts: loadPdfFonts() })))
    .pages.map((p) => p.text).join("\n").replace(/\s+/g, " ");
  assert.match(text, /1 story behind the findings, one per agent session/);
  assert.match(text, /Chain 1: Bash: aws cloudformation delete-stack --stack-name prod-api --profile prod/);
  assert.match(text, /Findings: f1 \(agent-destructive-actions-human-approved\), f2 \(cloudtrail-agent-calls-within-boundary\)\./);
  assert.match(text, /CONFLICT: CloudTrail attributes this call to kiro \(by role ai-agent-operator\)/);
  const csv = timelineCsv(rows).split("\r\n");
  assert.equal(csv[0], "finding_id,rule,step,role,time,file,locator,ref,summary,link_rule,confidence,conflict");
  assert.equal(csv.length, 5, "a header, three links and the final line break");
});

test("timeline: a CloudTrail call attributed to the same agent as its tool call is no conflict", (t) => {
  const db = seededStore({
    events: ([
      { action: "Bash", command: "aws s3 rm s3://b/k", time: T, sessionId: "s1", classes: ["destructive"], attrs: { endTime: at(5) } },
      { sourceKind: "cloudtrail", actorKind: "agent", agentId: "claude-code", agentProduct: "claude-code", action: "s3:DeleteObject", target: "b", command: null, sessionId: "ASIA", time: at(3), attrs: { sourceIdentity: "x" } },
    ] satisfies Partial<EvidenceEvent>[]).map((e, i) => ({ ...e, eventKey: `e${i}` })),
  });
  t.after(() => {
    db.close();
    rmSync(path.dirname(db.name), { recursive: true, force: true });
  });
  const evidence = [{ ref: "event:1", file: "fixture.jsonl", locator: "line 1" }];
  const rows = collectTimeline(db, { findings: [{ id: "f", ruleId: "r", evidence, chain: chainFor(db, evidence) } as unknown as Finding] });
  assert.ok(rows.some((r) => r.role === "cloud-event"), JSON.stringify(rows));
  assert.ok(rows.every((r) => r.conflict === ""));
});

test("timeline PDF: the chains of findings in one session are one story, each link once, in time order; a chain without a session stands alone", () => {
  const row = (findingId: string, step: number, role: string, key: string, time: string): TimelineRow => ({
    findingId, ruleId: `rule-${findingId}`, step, role, time, file: "f.jsonl", locator: `line ${step}`, key, summary: key, linkRule: "recorded", confidence: "recorded", conflict: "",
  });
  const rows = [
    row("a", 1, "session", "s1", "2026-10-14T09:00:00Z"), row("a", 2, "tool-call", "delete", "2026-10-14T09:10:00Z"), row("a", 3, "cloud-event", "DeleteStack", "2026-10-14T09:10:30Z"),
    row("b", 1, "session", "s1", "2026-10-14T09:00:00Z"), row("b", 2, "tool-call", "create", "2026-10-14T09:12:00Z"), row("b", 3, "commit", "c1", "2026-10-14T09:58:00Z"),
    row("c", 1, "tool-call", "lone", "2026-10-13T08:00:00Z"), row("c", 2, "cloud-event", "Put", "2026-10-13T08:00:05Z"),
  ];
  const stories = sessionStories(rows);
  assert.deepEqual(stories.map((s) => s.links.map((l) => l.key)), [["lone", "Put"], ["s1", "delete", "DeleteStack", "create", "c1"]]);
  assert.deepEqual(stories[1]!.findings, ["a (rule-a)", "b (rule-b)"]);
});
