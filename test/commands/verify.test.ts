import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { signStatement, statementFor, SIGNATURE_FILE, keyId } from "../../src/report/signature.ts";
import { runMain } from "../helpers/cli-main.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

/**
 * `evidence verify` on packages written here file by file and sealed the way build seals them
 * (manifest.json, then a DSSE envelope over the in-toto statement): real files, real Ed25519 keys.
 */
const sha = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

function keyPair(dir: string, name: string): { priv: KeyObject; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const pub = path.join(dir, `${name}.pub`);
  writeFileSync(pub, publicKey.export({ type: "spki", format: "pem" }));
  return { priv: privateKey, pub };
}

const FILES: Record<string, string> = {
  "controls.csv": "control,status\r\nCC6.1,effective\r\n",
  "findings.csv": "finding_id,rule\r\n",
  "memos/a.md": "# memo\n",
};

function manifestFor(dir: string, files: string[]) {
  return {
    tool: "evidence", toolVersion: "0.0.0-test", buildId: "0123456789abcdef", period: "2026-10", periodStart: "2026-10-01T00:00:00Z", periodEnd: "2026-11-01T00:00:00Z",
    generatedAt: "2026-11-01T00:00:00Z", configSha256: sha("config"), inputs: [],
    outputs: files.sort().map((p) => ({ path: p, sha256: sha(readFileSync(path.join(dir, p))), size: readFileSync(path.join(dir, p)).length })),
  };
}

/** Writes manifest.json (and, with a key, manifest.sig.json) over the files present, as build does. */
function seal(dir: string, key?: KeyObject, keyid?: string): void {
  const files = Object.keys(FILES);
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifestFor(dir, files), null, 2) + "\n");
  if (!key) return;
  const sealed = [...files, "manifest.json"].map((p) => ({ path: p, sha256: sha(readFileSync(path.join(dir, p))) }));
  const envelope = signStatement(statementFor(sealed, { buildId: "0123456789abcdef" }), key);
  if (keyid) envelope.signatures[0]!.keyid = keyid;
  writeFileSync(path.join(dir, SIGNATURE_FILE), JSON.stringify(envelope, null, 2) + "\n");
}

function makePackage(parent: string, name: string, key?: KeyObject): string {
  const dir = path.join(parent, name);
  for (const [p, content] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), content);
  }
  seal(dir, key);
  return dir;
}

const resultLine = (stdout: string) => stdout.split("\n").find((l) => l.startsWith("Result:")) ?? "";

test("a signed package with a changed file: the signature and the change are stated apart, the outcome is not intact, exit 1", async (t) => {
  const tmp = tempDir();
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const signer = keyPair(tmp, "signer");
  const dir = makePackage(tmp, "pkg", signer.priv);
  writeFileSync(path.join(dir, "controls.csv"), FILES["controls.csv"]!.replace("effective", "deficient"));
  const result = await runMain(["verify", dir, "--public-key", signer.pub]);
  assert.equal(result.status, 1, result.stdout);
  assert.match(result.stdout, /^ {2}changed: controls\.csv$/m);
  assert.doesNotMatch(result.stdout, /Signature valid/);
  assert.match(result.stdout, /^Signature: verifies with the given public key \(key id [0-9a-f]{64}\), but the files listed above are not the ones it signed\.$/m);
  assert.equal(resultLine(result.stdout), "Result: NOT intact.");
});

test("verify with the right key on an untouched signed package: intact, exit 0", async (t) => {
  const tmp = tempDir();
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const signer = keyPair(tmp, "signer");
  const dir = makePackage(tmp, "pkg", signer.priv);
  const result = await runMain(["verify", dir, "--public-key", signer.pub]);
  assert.equal(result.status, 0, result.stdout);
  assert.match(result.stdout, new RegExp(`key id ${keyId(signer.priv)}\\) and covers exactly these files`));
  assert.match(resultLine(result.stdout), /^Result: intact\. 3 files match manifest\.json, signed with the given key\.$/);
});

test("a package re-signed by someone else with the original key id copied in: without a key nothing is called signed or verified", async (t) => {
  const tmp = tempDir();
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const signer = keyPair(tmp, "signer");
  const forger = keyPair(tmp, "forger");
  const dir = makePackage(tmp, "pkg", signer.priv);
  const originalKeyid = keyId(signer.priv);
  // Edit controls.csv, fix its hash in manifest.json, re-sign with another key under the original key id.
  writeFileSync(path.join(dir, "controls.csv"), FILES["controls.csv"]!.replace("effective", "deficient"));
  seal(dir, forger.priv, originalKeyid);

  const without = await runMain(["verify", dir]);
  assert.equal(without.status, 0, "the files are internally consistent");
  assert.ok(!without.stdout.includes(originalKeyid), `no key id is printed as if verified:\n${without.stdout}`);
  assert.doesNotMatch(without.stdout, /Package intact|Signed \(|Signature valid/);
  assert.match(without.stdout, /^Signature: NOT checked \(no --public-key given\)/m);
  assert.match(resultLine(without.stdout), /^Result: internally consistent only\..*proves nothing against someone who could rewrite manifest\.json/);
  const json = JSON.parse((await runMain(["verify", dir, "--json"])).stdout) as { intact: boolean; signature: { checked: boolean; valid: boolean; signer: string | null } };
  assert.deepEqual([json.signature.checked, json.signature.valid, json.signature.signer], [false, false, null]);

  const withKey = await runMain(["verify", dir, "--public-key", signer.pub]);
  assert.equal(withKey.status, 1);
  assert.match(withKey.stdout, /^Signature: INVALID: no signature verifies with the given public key/m);
  assert.equal(resultLine(withKey.stdout), "Result: NOT intact.");
});

test("an unsigned package: no signature, internally consistent only", async (t) => {
  const tmp = tempDir();
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const dir = makePackage(tmp, "pkg");
  const result = await runMain(["verify", dir]);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /^Signature: none \(the package is not signed\)\.$/m);
  assert.match(resultLine(result.stdout), /^Result: internally consistent only\./);
});

/** The CLI in a child with a deadline: a FIFO opened for reading blocks the whole process, test runner included. */
function verifyInChild(dir: string) {
  const run = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "evidence.js"), "verify", dir], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(run.signal, null, `verify did not finish (killed by ${run.signal})`);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("a symbolic link loop and a FIFO in the package are reported by name, exit 1, and nothing hangs", { skip: process.platform === "win32" }, async (t) => {
  const tmp = tempDir();
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const dir = makePackage(tmp, "pkg");
  symlinkSync("loop", path.join(dir, "memos", "loop"));
  symlinkSync("..", path.join(dir, "memos", "up"));
  rmSync(path.join(dir, "findings.csv"));
  assert.equal(spawnSync("mkfifo", [path.join(dir, "findings.csv")]).status, 0, "mkfifo");
  const result = verifyInChild(dir);
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stderr, "");
  assert.match(result.stdout, /^ {2}not a regular file: findings\.csv \(a FIFO \(named pipe\); not followed or read\)$/m);
  assert.match(result.stdout, /^ {2}not a regular file: memos\/loop \(a symbolic link; not followed or read\)$/m);
  assert.match(result.stdout, /^ {2}not a regular file: memos\/up \(a symbolic link; not followed or read\)$/m);
  assert.equal(resultLine(result.stdout), "Result: NOT intact.");
});

test("a FIFO or a link loop in place of manifest.json is an input error naming it, exit 2", { skip: process.platform === "win32" }, async (t) => {
  const tmp = tempDir();
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const fifo = makePackage(tmp, "fifo");
  rmSync(path.join(fifo, "manifest.json"));
  assert.equal(spawnSync("mkfifo", [path.join(fifo, "manifest.json")]).status, 0, "mkfifo");
  const a = verifyInChild(fifo);
  assert.equal(a.status, 2);
  assert.match(a.stderr, /manifest\.json: cannot read the manifest \(a FIFO \(named pipe\), not a regular file\)/);
  const loop = makePackage(tmp, "loop");
  rmSync(path.join(loop, "manifest.json"));
  symlinkSync("manifest.json", path.join(loop, "manifest.json"));
  const b = verifyInChild(loop);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /manifest\.json: cannot read the manifest \(a symbolic link, not a regular file\)/);
});
