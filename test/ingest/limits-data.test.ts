import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import limits from "../../src/ingest/limits.json" with { type: "json" };
import windows from "../../src/correlate-windows.json" with { type: "json" };
import { MAX_RECORD_LINES } from "../../src/ingest/cloudtrail/csv-rows.ts";
import { DEFAULT_LIMITS } from "../../src/ingest/cloudtrail/s3-delivery.ts";
import { REPO_ROOT } from "../helpers/workspace.ts";

test("the CloudTrail size caps come from limits.json, each with a note of why", () => {
  assert.deepEqual(DEFAULT_LIMITS, { wholeFileBytes: limits.cloudtrailWholeFileBytes, absoluteBytes: limits.cloudtrailAbsoluteBytes });
  assert.equal(MAX_RECORD_LINES, limits.csvMaxRecordLines);
  for (const key of ["cloudtrailWholeFileBytes", "cloudtrailAbsoluteBytes", "csvMaxRecordLines"] as const) {
    assert.ok((limits.$notes[key] ?? "").length > 40, `limits.json $notes.${key} says why`);
  }
});

/** Every TypeScript file under src/. */
function sources(dir = path.join(REPO_ROOT, "src")): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => path.join(dir, f));
}

test("no SQL time window is written as a literal: correlation and approval windows come from correlate-windows.json", () => {
  assert.ok(windows.wideMs > 0 && windows.attributionBeforeMs > 0 && windows.attributionAfterMs > 0);
  // strftime(..., '-10 minutes') in a query is a window the data file does not know about.
  const literal = /strftime\([^)]*'[-+]\s*\d+(\.\d+)?\s+(seconds?|minutes?|hours?|days?)'/;
  const offenders = sources().filter((f) => literal.test(readFileSync(f, "utf8"))).map((f) => path.relative(REPO_ROOT, f));
  assert.deepEqual(offenders, []);
});
