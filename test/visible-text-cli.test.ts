import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runMain } from "./helpers/cli-main.ts";

/** Escapes in what the CLI prints, through the CLI itself (the functions: visible-text.test.ts). */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

test("an error message that quotes input shows its escapes on stderr", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "evidence-visible-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runMain(["controls", "--config", path.join(dir, `evil\u001b[2K\u0007.yaml`)]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /evil\[U\+001B\]\[2K\[U\+0007\]\.yaml/);
  assert.doesNotMatch(r.stderr, RAW, JSON.stringify(r.stderr));
});
