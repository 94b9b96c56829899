import { test } from "node:test";
import assert from "node:assert/strict";
import { buildOscal, OSCAL_VERSION, oscalTime, stableUuid } from "../../src/report/oscal.ts";
import { oscalSchema, oscalValidator as validator } from "../helpers/oscal-schema.ts";
import { syntheticModel } from "../helpers/report-model.ts";

function modelWithAcceptance() {
  const model = syntheticModel({ controls: 4, findings: 6 });
  const f = model.evaluation.findings[1]!;
  f.state = "accepted";
  f.acceptance = { id: "RA-7", status: "active", approved: "2026-09-15", expires: "2027-03-15", owner: "owner@example.com", approver: "ciso@example.com", file: "registers/risk-acceptances.yaml", locator: "row 1" };
  model.evaluation.controls[0]!.status = "effective";
  return model;
}

test("assessment-results.json validates against the OSCAL Assessment Results JSON schema", () => {
  const validate = validator();
  const doc = buildOscal(modelWithAcceptance()) as { "assessment-results": { metadata: { "oscal-version": string } } };
  assert.equal(validate(doc), true, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  // The version we declare is the version we validate against.
  assert.equal(oscalSchema().$id, `http://csrc.nist.gov/ns/oscal/${OSCAL_VERSION}/oscal-ar-schema.json`);
  assert.equal(doc["assessment-results"].metadata["oscal-version"], OSCAL_VERSION);
});

test("the schema check is not vacuous: documents breaking OSCAL 1.2 rules fail", () => {
  const validate = validator();
  type Doc = { "assessment-results": { uuid: string; results: Record<string, any>[] } };
  const broken = (change: (doc: Doc) => void) => {
    const doc = buildOscal(modelWithAcceptance()) as Doc;
    change(doc);
    return validate(doc);
  };
  assert.equal(broken((d) => delete d["assessment-results"].results[0]!.start), false, "a result needs start");
  assert.equal(broken((d) => delete d["assessment-results"].results[0]!.observations[0].collected), false, "an observation needs collected");
  assert.equal(broken((d) => (d["assessment-results"].results[0]!.findings[0].target.status.state = "not-assessed")), false, "target state is satisfied or not-satisfied");
  assert.equal(broken((d) => (d["assessment-results"].results[0]!.risks[0].status = "deviation approved")), false, "risk status is a token");
  assert.equal(broken((d) => (d["assessment-results"].uuid = "6fa459ea-ee8a-1ca4-894e-db77e160355e")), false, "UUIDs are version 4 or 5");
  assert.equal(broken((d) => (d["assessment-results"].results[0]!.end = "2026-11-01T00:00:00")), false, "date-times carry a timezone");
});

test("results, observations, risks and findings carry what the issue asks for", () => {
  const model = modelWithAcceptance();
  const ar = (buildOscal(model) as { "assessment-results": Record<string, any> })["assessment-results"];
  const result = ar.results[0];
  assert.equal(result.start, "2026-10-01T00:00:00Z");
  assert.equal(result.end, "2026-11-01T00:00:00Z");
  assert.ok(result.observations.every((o: { collected: string; methods: string[] }) => o.collected === "2026-11-01T00:00:00Z" && o.methods.includes("TEST")));
  const accepted = result.risks.find((r: { props: { value: string }[] }) => r.props.some((p) => p.value === model.evaluation.findings[1]!.id));
  assert.equal(accepted.status, "deviation-approved");
  assert.match(accepted["risk-log"].entries[0].description, /approved by ciso@example.com on 2026-09-15, expires 2027-03-15/);
  assert.equal(result.risks.filter((r: { status: string }) => r.status === "open").length, 5);
  const states = Object.fromEntries(result.findings.map((f: { target: { "target-id": string; status: { state: string } } }) => [f.target["target-id"], f.target.status.state]));
  assert.deepEqual(states, { "CTL.0": "satisfied", "CTL.1": "not-satisfied", "CTL.2": "not-satisfied", "CTL.3": "not-satisfied" });
  assert.equal(JSON.stringify(buildOscal(model)), JSON.stringify(buildOscal(model)), "deterministic");
});

test("stable UUIDs have the RFC 4122 version-5 layout and oscalTime trims zero fractions", () => {
  assert.match(stableUuid("a", "b"), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(stableUuid("a", "b"), stableUuid("ab"));
  assert.equal(oscalTime("2026-10-01T00:00:00.000Z"), "2026-10-01T00:00:00Z");
  assert.equal(oscalTime("2026-10-01T00:00:00.120Z"), "2026-10-01T00:00:00.12Z");
  assert.equal(oscalTime("2026-10-01T00:00:00.123Z"), "2026-10-01T00:00:00.123Z");
});
