import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createCloudTrailS3Parser } from "../../src/ingest/cloudtrail/s3-delivery.ts";
import { dayBucketer } from "../../src/ingest/summary/day.ts";
import { keepsFullRow, type StoragePolicy } from "../../src/ingest/summary/policy.ts";
import { FileSummariser } from "../../src/ingest/summary/summarise.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "cloudtrail", "records");
const parser = () => createCloudTrailS3Parser(testContext());
// The narrowest storage policy: nothing but what must be a row whatever the config says.
const NOTHING_KEPT: StoragePolicy = { keep: new Set(), keepAssumedRoleSessions: false };

test("a sign-in that failed without errorCode (responseElements.ConsoleLogin = Failure, errorMessage) is failed, and kept as a row", async () => {
  const { events, rejects } = await parseFile(parser(), FIXTURES, "failed-console-login.json");
  assert.deepEqual(rejects, []);
  assert.deepEqual(events.map((e) => [e.action, e.outcome]), [
    ["signin:ConsoleLogin", "failed"],
    ["signin:ConsoleLogin", "failed"],
    ["signin:ConsoleLogin", "succeeded"],
  ]);
  assert.equal(events[0]!.attrs.errorMessage, "Failed authentication");
  // The hidden user name does not stand for a user: the principal id does.
  assert.equal(events[0]!.actor, "AIDACKCEVSQ6C2EXAMPLE");
  for (const e of events.slice(0, 2)) assert.equal(keepsFullRow(e, NOTHING_KEPT), true, "failures are never only counted");
  assert.equal(keepsFullRow(events[2]!, NOTHING_KEPT), false);
  const s = new FileSummariser(NOTHING_KEPT, dayBucketer("UTC"));
  assert.deepEqual(events.map((e) => s.add(e)), [false, false, true]);
});

test("identities without an ARN are named from onBehalfOf, userName (with its provider) or principalId, never the bare type", async () => {
  const { events, rejects } = await parseFile(parser(), FIXTURES, "identities-without-arn.json");
  assert.deepEqual(rejects, []);
  assert.deepEqual(events.map((e) => [e.attrs.identityType, e.actor]), [
    ["SAMLUser", "SAMLUser:arn:aws:iam::111122223333:saml-provider/Okta/maria@acme.example"],
    ["SAMLUser", "SAMLUser:arn:aws:iam::111122223333:saml-provider/Okta/li@acme.example"],
    ["WebIdentityUser", "WebIdentityUser:token.actions.githubusercontent.com/repo:acme/api:ref:refs/heads/main"],
    ["IdentityCenterUser", "arn:aws:identitystore::111122223333:identitystore/d-9067c20053/user/94482488-3041-7026-18f3-be45837cd0e4"],
    ["AWSAccount", "AIDAEXAMPLEOTHERACCT"],
    ["Unknown", "Unknown:ASIAEXAMPLEUNKNOWN01"],
  ]);
});

test("two SAML users making the same call on the same day stay two count rows", async () => {
  const { events } = await parseFile(parser(), FIXTURES, "identities-without-arn.json");
  const [maria, li] = events;
  const s = new FileSummariser(NOTHING_KEPT, dayBucketer("UTC"));
  // The same read-only call by each user, as a summarised population would hold it.
  for (const e of [maria!, li!]) assert.equal(s.add({ ...e, action: "s3:ListBuckets", classes: ["read"] }), true);
  assert.deepEqual(s.rows().map((r) => [r.actor, r.n]), [
    ["SAMLUser:arn:aws:iam::111122223333:saml-provider/Okta/maria@acme.example", 1],
    ["SAMLUser:arn:aws:iam::111122223333:saml-provider/Okta/li@acme.example", 1],
  ]);
});

test("a Records element that is a string is rejected as not a record; its own text never becomes the reason", async (t) => {
  const dir = tempDir("evidence-ct-string-record-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "strings.json"), JSON.stringify({ Records: ["", "AKIA-looking text", { eventTime: "2026-10-14T09:00:00Z" }] }));
  const { rejects } = await parseFile(parser(), dir, "strings.json");
  assert.deepEqual(rejects.map((r) => [r.locator, r.reason]), [
    ["record 0", "expected a JSON object (a CloudTrail record), not a string"],
    ["record 1", "expected a JSON object (a CloudTrail record), not a string"],
    ["record 2", 'missing "eventSource" or "eventName"'],
  ]);
});
