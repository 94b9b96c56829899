import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { copySmallSample, runCli } from "../helpers/workspace.ts";

test("build --include-store puts the store in the package, the manifest covers it, and a query file re-runs on it to the population size it states", () => {
  const ws = copySmallSample();
  const out = path.join(ws, "pkg");
  const r = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out, "--include-store"]);
  assert.equal(r.status, 0, r.stderr);
  const store = path.join(out, "store", "evidence.db");
  assert.ok(existsSync(store));
  const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as { outputs: { path: string }[] };
  assert.ok(manifest.outputs.some((o) => o.path === "store/evidence.db"), "the manifest hashes the store copy");
  assert.equal(runCli(["verify", out]).status, 0);
  const sql = readFileSync(path.join(out, "queries", "git-production-changes-reviewed.sql"), "utf8");
  const stated = Number(/Population of (\d+) in/.exec(sql)![1]);
  const db = new Database(store, { readonly: true });
  try {
    const rows = db.prepare(sql.split("\n").filter((l) => !l.startsWith("--")).join("\n").replace(/;\s*$/, "")).all({ start: "2026-10-01T00:00:00.000Z", end: "2026-11-01T00:00:00.000Z" });
    assert.equal(rows.length, stated, "the query re-run on the copied store gives the population the package states");
    // Every query file runs on the copy, register-based tests included (their registers are copied in).
    for (const f of readdirSync(path.join(out, "queries"))) {
      const text = readFileSync(path.join(out, "queries", f), "utf8");
      // A test may rest on several queries, one statement each.
      for (const statement of text.split("\n").filter((l) => !l.startsWith("--")).join("\n").split(/;\s*\n/).map((x) => x.trim().replace(/;$/, "")).filter(Boolean)) {
        const rows = db.prepare(statement).all({ start: "2026-10-01T00:00:00.000Z", end: "2026-11-01T00:00:00.000Z" });
        assert.ok(Array.isArray(rows), f);
      }
    }
  } finally {
    db.close();
  }
});
