import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePeriod } from "../../src/period.ts";
import { acceptanceCovers, acceptanceFor, acceptanceState, lastDayOf } from "../../src/registers/acceptance.ts";
import type { RiskAcceptance } from "../../src/registers/schema.ts";
import type { RegisterRow } from "../../src/registers/read.ts";

const base: RiskAcceptance = {
  id: "RA-1", findings: [], controls: ["CC8.1"], resources: [], scope: "s", risk: "r", justification: "j", compensatingControls: [],
  owner: "o@x", approver: "a@x", approved: "2026-10-16", expires: "2026-12-15", status: "approved", reviewLog: [],
};
const row = (over: Partial<RiskAcceptance>): RegisterRow<RiskAcceptance> => ({ value: { ...base, ...over }, row: 1, line: 2, file: "ra.yaml", locator: "row 1 (line 2)" });
const finding = { id: "abc123abc123", controlIds: ["A.8.9", "CC8.1"], subject: "api-repo@096707792f0f", evidence: [{ ref: "commit:096707792f0f65b1" }] };

test("the period's last day is read in the period's time zone", () => {
  assert.equal(lastDayOf(parsePeriod("2026-10")), "2026-10-31");
  assert.equal(lastDayOf(parsePeriod("2026-Q4")), "2026-12-31");
  assert.equal(lastDayOf(parsePeriod("2026-10", "Pacific/Auckland")), "2026-10-31");
});

const states = [
  { name: "in force on the period's last day", over: {}, lastDay: "2026-10-31", state: "active" },
  { name: "expiring on the last day still covers the period", over: { expires: "2026-10-31" }, lastDay: "2026-10-31", state: "active" },
  { name: "expired before the period's end", over: {}, lastDay: "2026-12-31", state: "expired" },
  { name: "approved after the period", over: { approved: "2026-11-02" }, lastDay: "2026-10-31", state: "pending" },
  { name: "revoked", over: { status: "revoked" as const }, lastDay: "2026-10-31", state: "revoked" },
];
for (const s of states) {
  test(`acceptance state: ${s.name}`, () => assert.equal(acceptanceState({ ...base, ...s.over }, s.lastDay), s.state));
}

test("an acceptance covers a finding by id, or by control narrowed to resource patterns", () => {
  assert.ok(acceptanceCovers({ ...base, controls: [], findings: ["abc123abc123"] }, finding));
  assert.ok(acceptanceCovers(base, finding), "by control, no resources: every finding of the control");
  assert.ok(acceptanceCovers({ ...base, resources: ["commit:096707792f0f*"] }, finding), "pattern on an evidence ref");
  assert.ok(acceptanceCovers({ ...base, resources: ["API-REPO@*"] }, finding), "pattern on the subject, case-insensitive");
  assert.ok(!acceptanceCovers({ ...base, resources: ["commit:deadbeef*"] }, finding));
  assert.ok(!acceptanceCovers({ ...base, controls: ["CC6.1"] }, finding));
  assert.ok(acceptanceCovers({ ...base, controls: ["CC6.1"], resources: ["arn:aws:*"] }, { ...finding, controlIds: ["CC6.1"], subject: "arn:aws:sts::1:assumed-role/r/s" }), "* crosses '/'");
});

test("an active acceptance wins over an expired one; otherwise the expired one explains why the finding is open", () => {
  const expired = row({ id: "RA-OLD", expires: "2026-10-20" });
  const active = row({ id: "RA-NEW", approved: "2026-10-21", expires: "2027-01-31" });
  assert.equal(acceptanceFor([expired, active], finding, "2026-10-31")?.id, "RA-NEW");
  const only = acceptanceFor([expired], finding, "2026-10-31");
  assert.deepEqual([only?.id, only?.status, only?.expires], ["RA-OLD", "expired", "2026-10-20"]);
  assert.equal(acceptanceFor([row({ controls: ["CC6.1"] })], finding, "2026-10-31"), undefined);
});
