import { test } from "node:test";
import assert from "node:assert/strict";
import { gateOptions, parseFailOn, parseMinCoverage } from "../../src/check/options.ts";
import { Config, parseConfigText } from "../../src/config.ts";
import { UsageError } from "../../src/errors.ts";

const THRESHOLDS = Config.parse({ organisation: { name: "t" } }).thresholds;

test("config thresholds are the defaults and flags override them", () => {
  const o = gateOptions(THRESHOLDS, {});
  assert.deepEqual(o, {
    minCoverage: { overall: 0, byFramework: {} }, coverageTolerance: 0, failOnSeverity: "high", failOnStatuses: [], maxNewFindings: null,
    acceptanceWarningDays: 30, acceptanceExpiring: "warn", allowIncomplete: false,
  });
  const config = parseConfigText(
    "organisation: { name: t }\nthresholds:\n  minCoverageByFramework: { soc2: 0.9 }\n  failOn: [deficient, medium]\n  coverageTolerance: 0.05\n  acceptanceExpiring: fail\n",
    "c.yaml",
  );
  const merged = gateOptions(config.thresholds, { minCoverage: ["iso27001=95%", "0.7"], maxNewFindings: 3 });
  assert.deepEqual(merged.minCoverage, { overall: 0.7, byFramework: { soc2: 0.9, iso27001: 0.95 } });
  assert.deepEqual([merged.failOnSeverity, merged.failOnStatuses, merged.coverageTolerance, merged.maxNewFindings, merged.acceptanceExpiring], ["medium", ["deficient"], 0.05, 3, "fail"]);
  assert.throws(() => parseConfigText("organisation: { name: t }\nthresholds:\n  failOn: [severe]\n", "c.yaml"), /c\.yaml: thresholds\.failOn\.0/);
});

test("--fail-on takes the lowest severity named, statuses, comma lists and none; anything else is a usage error", () => {
  assert.deepEqual(parseFailOn(["critical,medium", "Deficient", "not-tested"]), { failOnSeverity: "medium", failOnStatuses: ["not-tested", "deficient"] });
  assert.deepEqual(parseFailOn(["none"]), { failOnSeverity: null, failOnStatuses: [] });
  assert.throws(() => parseFailOn(["hgih"]), (e: unknown) => e instanceof UsageError && /invalid --fail-on "hgih": expected severities \(low, medium, high, critical\)/.test(e.message));
  assert.throws(() => parseFailOn(["effective"]), UsageError);
});

test("--min-coverage reads shares, percentages and framework=value", () => {
  assert.deepEqual(parseMinCoverage([0.5, "soc2=0.9,iso27001=80%"], { overall: 0.8, byFramework: {} }), { overall: 0.5, byFramework: { soc2: 0.9, iso27001: 0.8 } });
  for (const bad of ["ninety", "120%", "=0.5", "soc2=", "-1"]) assert.throws(() => parseMinCoverage([bad], { overall: 0.8, byFramework: {} }), UsageError, bad);
  assert.throws(() => gateOptions(THRESHOLDS, { maxNewFindings: -1 }), /invalid --max-new-findings/);
});
