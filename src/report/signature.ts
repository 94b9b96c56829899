import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { InputError } from "../errors.ts";

/**
 * Package signatures: an in-toto Statement naming every file of the package with its SHA-256,
 * wrapped in a DSSE envelope and signed with the user's Ed25519 key, so in-toto and Sigstore
 * tooling can read it. DSSE signs PAE(payloadType, payload), never the raw JSON
 * (github.com/secure-systems-lab/dsse, protocol.md).
 */
export const PAYLOAD_TYPE = "application/vnd.in-toto+json";
export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const PREDICATE_TYPE = "urn:evidence:package-manifest:v1";
export const SIGNATURE_FILE = "manifest.sig.json";

export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: { keyid: string; sig: string }[];
}

export interface Statement {
  _type: string;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

/** DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

/** Key id: SHA-256 of the public key's DER (SubjectPublicKeyInfo), hex. */
export function keyId(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256").update(pub.export({ type: "spki", format: "der" })).digest("hex");
}

function ed25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`${what} is a ${key.asymmetricKeyType ?? "symmetric"} key; an Ed25519 key is needed`);
  return key;
}

/** Reads a PEM (or DER) Ed25519 private key; throws with a one-line reason otherwise. */
export function privateKeyFrom(bytes: Buffer): KeyObject {
  return ed25519(createPrivateKey(bytes.toString("utf8").includes("-----BEGIN") ? bytes : { key: bytes, format: "der", type: "pkcs8" }), "the signing key");
}

/** Reads a PEM (or DER) Ed25519 public key; a private key file is accepted too (its public half is used). */
export function publicKeyFrom(bytes: Buffer): KeyObject {
  const text = bytes.toString("utf8");
  const key = text.includes("PRIVATE KEY") ? createPublicKey(createPrivateKey(bytes)) : createPublicKey(text.includes("-----BEGIN") ? bytes : { key: bytes, format: "der", type: "spki" });
  return ed25519(key, "the public key");
}

/** Reads a key file for --sign-key (private) or --public-key (public); a missing or wrong key exits 2 with the reason. */
export function readKeyFile(file: string, kind: "private" | "public"): KeyObject {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new InputError(`${file}: ${kind} key file not found`);
  }
  try {
    return kind === "private" ? privateKeyFrom(bytes) : publicKeyFrom(bytes);
  } catch (error) {
    throw new InputError(`${file}: not an Ed25519 ${kind} key (${(error as Error).message.split("\n")[0]})`);
  }
}

export function statementFor(files: { path: string; sha256: string }[], predicate: Record<string, unknown>): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: [...files].sort((a, b) => a.path.localeCompare(b.path)).map((f) => ({ name: f.path, digest: { sha256: f.sha256 } })),
    predicateType: PREDICATE_TYPE,
    predicate,
  };
}

export function signStatement(statement: Statement, key: KeyObject): DsseEnvelope {
  const body = Buffer.from(JSON.stringify(statement), "utf8");
  const sig = sign(null, pae(PAYLOAD_TYPE, body), key);
  return { payload: body.toString("base64"), payloadType: PAYLOAD_TYPE, signatures: [{ keyid: keyId(key), sig: sig.toString("base64") }] };
}

export type EnvelopeCheck = { valid: true; statement: Statement; keyid: string } | { valid: false; reason: string };

/** Checks that one of the envelope's signatures verifies with `key` and that the payload is our statement. */
export function verifyEnvelope(envelope: DsseEnvelope, key: KeyObject): EnvelopeCheck {
  if (envelope.payloadType !== PAYLOAD_TYPE) return { valid: false, reason: `unexpected payloadType ${envelope.payloadType}` };
  // DSSE allows standard and URL-safe base64; Buffer.from(…, "base64") reads both.
  const body = Buffer.from(envelope.payload, "base64");
  const message = pae(envelope.payloadType, body);
  const ok = envelope.signatures.some((s) => {
    try {
      return verify(null, message, key, Buffer.from(s.sig, "base64"));
    } catch {
      return false;
    }
  });
  if (!ok) return { valid: false, reason: `no signature verifies with the given public key (key id ${keyId(key).slice(0, 16)}…)` };
  let statement: Statement;
  try {
    statement = JSON.parse(body.toString("utf8")) as Statement;
  } catch {
    return { valid: false, reason: "the signed payload is not JSON" };
  }
  if (statement._type !== STATEMENT_TYPE || statement.predicateType !== PREDICATE_TYPE || !Array.isArray(statement.subject)) {
    return { valid: false, reason: "the signed payload is not an evidence package statement" };
  }
  return { valid: true, statement, keyid: keyId(key) };
}
