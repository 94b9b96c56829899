import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePeriod, previousPeriod } from "../src/period.ts";
import { UsageError } from "../src/errors.ts";

const cases: [string, string, string][] = [
  ["2026-10", "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"],
  ["2026-Q4", "2026-10-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
  ["2026-H2", "2026-07-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
  ["2026", "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
  ["2026-W43", "2026-10-19T00:00:00.000Z", "2026-10-26T00:00:00.000Z"],
  ["2026-W01", "2025-12-29T00:00:00.000Z", "2026-01-05T00:00:00.000Z"],
  ["2026-W53", "2026-12-28T00:00:00.000Z", "2027-01-04T00:00:00.000Z"],
  ["2026-10-01..2026-10-15", "2026-10-01T00:00:00.000Z", "2026-10-16T00:00:00.000Z"],
  ["2024-02", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
];

for (const [label, start, end] of cases) {
  test(`period ${label} spans [${start}, ${end})`, () => {
    const p = parsePeriod(label);
    assert.equal(p.startIso, start);
    assert.equal(p.endIso, end);
  });
}

test("periods are read in the configured time zone, across a DST change", () => {
  const p = parsePeriod("2026-10", "Europe/Berlin");
  assert.equal(p.startIso, "2026-09-30T22:00:00.000Z"); // CEST, UTC+2
  assert.equal(p.endIso, "2026-10-31T23:00:00.000Z"); // CET, UTC+1 after 25 October
});

for (const bad of ["2026-13", "2026-00", "2026-Q5", "2026-H3", "2025-W53", "2026-02-30..2026-03-01", "2026-10-15..2026-10-01", "October", ""]) {
  test(`invalid period "${bad}" is a usage error listing the accepted forms`, () => {
    assert.throws(() => parsePeriod(bad), (e: unknown) => e instanceof UsageError && /Accepted forms: 2026-10 \(month\)/.test(e.message));
  });
}

test("previous period of a month, quarter and year", () => {
  assert.equal(previousPeriod(parsePeriod("2026-01"))?.label, "2025-12");
  assert.equal(previousPeriod(parsePeriod("2026-Q1"))?.label, "2025-Q4");
  assert.equal(previousPeriod(parsePeriod("2026"))?.label, "2025");
});
