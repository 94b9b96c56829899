import { test } from "node:test";
import assert from "node:assert/strict";
import { InputError } from "../../src/errors.ts";
import { loadRegisterTexts } from "../helpers/registers.ts";

const ACCEPTANCE = `acceptances:
  - id: RA-1
    controls: [CC8.1]
    scope: one commit
    risk: unreviewed change
    justification: emergency
    owner: sre-lead@acme.example
    approver: ciso@acme.example
    approved: 2026-10-16
    expires: 2026-12-15
`;

function loadError(texts: Parameters<typeof loadRegisterTexts>[0], maxDays?: number): InputError {
  try {
    loadRegisterTexts(texts, maxDays);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the register to be rejected");
}

test("a valid risk acceptance loads with defaults and its position", () => {
  const { riskAcceptances } = loadRegisterTexts({ riskAcceptances: ACCEPTANCE });
  const a = riskAcceptances![0]!;
  assert.equal(a.value.id, "RA-1");
  assert.deepEqual(a.value.compensatingControls, []);
  assert.equal(a.value.status, "approved");
  assert.equal(a.row, 1);
  assert.equal(a.line, 2);
  assert.equal(a.locator, "row 1 (line 2)");
});

const invalid = [
  { name: "a bad date", edit: (t: string) => t.replace("approved: 2026-10-16", "approved: 2026-02-30"), message: /risk-acceptances\.yaml: row 1 \(RA-1\), line 9: approved: expected a calendar date YYYY-MM-DD/ },
  { name: "a missing owner", edit: (t: string) => t.replace("    owner: sre-lead@acme.example\n", ""), message: /risk-acceptances\.yaml: row 1 \(RA-1\), line 2: owner: is required but missing/ },
  { name: "an approver equal to the owner", edit: (t: string) => t.replace("ciso@acme.example", "SRE-lead@acme.example"), message: /row 1 \(RA-1\), line 8: approver: must be someone other than the owner/ },
  { name: "an expiry beyond the maximum", edit: (t: string) => t.replace("2026-12-15", "2027-12-15"), message: /line 10: expires: is 425 days after approval; at most 365 \(thresholds\.maxAcceptanceDays\)/ },
  { name: "an expiry before the approval", edit: (t: string) => t.replace("2026-12-15", "2026-10-01"), message: /expires: must be after the approval date \(2026-10-16\)/ },
  { name: "a misspelt field", edit: (t: string) => t.replace("justification:", "justificaton:"), message: /row 1 \(RA-1\), line 2: \(row\): unknown field "justificaton"/ },
  { name: "no findings and no controls", edit: (t: string) => t.replace("    controls: [CC8.1]\n", ""), message: /findings: name the findings or the controls/ },
];
for (const c of invalid) {
  test(`a risk acceptance with ${c.name} is an input error naming file, row, line and field`, () => {
    assert.match(loadError({ riskAcceptances: c.edit(ACCEPTANCE) }).message, c.message);
  });
}

test("every problem is listed, one per line", () => {
  const text = ACCEPTANCE + ACCEPTANCE.replace("acceptances:\n", "").replace("RA-1", "RA-2").replace("approved: 2026-10-16", "approved: 16/10/2026").replace("    owner: sre-lead@acme.example\n", "");
  const lines = loadError({ riskAcceptances: text }).message.split("\n");
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /row 2 \(RA-2\), line \d+: owner: is required/);
  assert.match(lines[1]!, /row 2 \(RA-2\), line \d+: approved: expected a calendar date/);
});

test("a duplicate acceptance id is rejected naming both rows", () => {
  assert.match(loadError({ riskAcceptances: ACCEPTANCE + ACCEPTANCE.replace("acceptances:\n", "") }).message, /row 2, line 11: id: duplicate "RA-1" \(first in row 1\)/);
});

test("a CSV register splits ';' lists, nests flat columns and reports CSV lines", () => {
  const { aiTools, vendors } = loadRegisterTexts({
    aiTools: "product,owner,environments,permitted,confirmFirst\nclaude-code,platform@acme.example,production;non-production,read;write;destructive,destructive\n",
    vendors: "vendor,tier,services,lastAssessed,nextDue\nAnthropic,1,claude-code;mcp:github,2026-03-02,2027-03-02\n",
  });
  assert.deepEqual(aiTools![0]!.value.permissionBoundary, { permitted: ["read", "write", "destructive"], prohibited: [], confirmFirst: ["destructive"] });
  assert.deepEqual(aiTools![0]!.value.environments, ["production", "non-production"]);
  assert.deepEqual(vendors![0]!.value.services, ["claude-code", "mcp:github"]);
  assert.equal(vendors![0]!.value.tier, "1");
  const error = loadError({ vendors: "vendor,tier,services,lastAssessed,nextDue\nAnthropic,1,claude-code,2026-03-02,2027-03-02\nOpenAI,2,codex,2026-13-01,2027-01-01\n" });
  assert.match(error.message, /vendors\.csv: row 2 \(OpenAI\), line 3: lastAssessed: expected a calendar date/);
});

test("a CSV risk acceptance with an empty owner cell names the field", () => {
  const csv = "id,controls,scope,risk,justification,owner,approver,approved,expires\nRA-9,CC8.1,x,y,z,,ciso@acme.example,2026-10-01,2026-11-01\n";
  assert.match(loadError({ riskAcceptances: csv }).message, /risk-acceptances\.csv: row 1 \(RA-9\), line 2: owner: is required but missing/);
});

test("an unknown action category in a permission boundary is rejected", () => {
  const yaml = "tools:\n  - product: kiro\n    owner: sre@acme.example\n    environments: [production]\n    permissionBoundary:\n      permitted: [read, delete-everything]\n";
  assert.match(loadError({ aiTools: yaml }).message, /ai-tools\.yaml: row 1 \(kiro\), line 6: permissionBoundary\.permitted\.1: /);
});

test("policies: acknowledgements must name a document; versions written as numbers stay labels", () => {
  const docs = "documents:\n  - { id: AI-USE, title: AI policy, type: ai-usage-policy, version: 2.1, owner: ciso@x, reviewed: 2026-01-01, nextReview: 2027-01-01 }\n";
  const ok = loadRegisterTexts({ policies: `${docs}acknowledgements:\n  - { document: AI-USE, version: 2.1, person: A@x, acknowledged: 2026-02-01 }\n` });
  assert.equal(ok.policies!.documents[0]!.value.version, "2.1");
  assert.equal(ok.policies!.acknowledgements[0]!.value.version, "2.1");
  const bad = loadError({ policies: `${docs}acknowledgements:\n  - { document: AI-USED, version: 2.1, person: a@x, acknowledged: 2026-02-01 }\n` });
  assert.match(bad.message, /policies\.yaml: row 1, line 4: document: no document "AI-USED"/);
});

test("an empty register is configured but holds no rows", () => {
  const r = loadRegisterTexts({ aiTools: "# nothing yet\ntools: []\n", vendors: "vendors:\n" });
  assert.deepEqual(r.aiTools, []);
  assert.deepEqual(r.vendors, []);
  assert.equal(r.files.length, 2);
});

test("baseline requirements: includes only on rule lists, one operator required", () => {
  assert.match(
    loadError({ configBaselines: "baselines:\n  - id: b\n    product: claude-code\n    requirements:\n      - { setting: defaultMode, includes: [x] }\n" }).message,
    /requirements\.0\.setting: includes and excludes apply to the deny, ask and allow rule lists/,
  );
  assert.match(
    loadError({ configBaselines: "baselines:\n  - id: b\n    product: claude-code\n    requirements:\n      - { setting: defaultMode }\n" }).message,
    /requirements\.0: give one of equals, notEquals, includes or excludes/,
  );
});
