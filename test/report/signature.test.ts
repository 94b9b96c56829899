import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { keyId, pae, PAYLOAD_TYPE, signStatement, statementFor, verifyEnvelope } from "../../src/report/signature.ts";

test("PAE matches the DSSE specification's test vector", () => {
  assert.equal(pae("http://example.com/HelloWorld", Buffer.from("hello world")).toString(), "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  // Lengths are byte lengths, not character counts.
  assert.equal(pae("t", Buffer.from("é")).toString("utf8"), "DSSEv1 1 t 2 é");
});

test("a signed statement verifies with its key and fails with another key or an altered payload", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const other = generateKeyPairSync("ed25519").publicKey;
  const envelope = signStatement(statementFor([{ path: "b.csv", sha256: "bb" }, { path: "a.csv", sha256: "aa" }], { buildId: "x" }), privateKey);
  assert.equal(envelope.payloadType, PAYLOAD_TYPE);
  assert.equal(envelope.signatures[0]!.keyid, keyId(publicKey));
  const ok = verifyEnvelope(envelope, publicKey);
  assert.ok(ok.valid);
  assert.deepEqual(ok.statement.subject.map((s) => s.name), ["a.csv", "b.csv"]);
  assert.equal(verifyEnvelope(envelope, other).valid, false);
  const payload = JSON.parse(Buffer.from(envelope.payload, "base64").toString()) as { subject: { digest: { sha256: string } }[] };
  payload.subject[0]!.digest.sha256 = "cc";
  assert.equal(verifyEnvelope({ ...envelope, payload: Buffer.from(JSON.stringify(payload)).toString("base64") }, publicKey).valid, false);
  assert.equal(verifyEnvelope({ ...envelope, payloadType: "application/json" }, publicKey).valid, false, "the payload type is signed too");
});
