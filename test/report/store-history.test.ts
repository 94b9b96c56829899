import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { copySample, runCli } from "../helpers/workspace.ts";
import { pdfText } from "../helpers/pdf-text.ts";

/**
 * The package depends on the inputs only, never on the store's history: the same inputs ingested
 * after another file came and went (so every internal row id differs) give the same findings.csv,
 * samples.csv, memos and PDF text, the run record aside.
 */
test("the same inputs with a different store history give the same findings, samples, memos and PDF text", async () => {
  const a = copySample();
  const b = copySample();
  const config = (ws: string) => path.join(ws, "evidence.config.yaml");
  // Store B first ingests an extra copy of a log under another name, then loses it again.
  const logs = path.join(b, "logs", "claude-code");
  const first = readdirSync(logs, { recursive: true, encoding: "utf8" }).find((f) => f.endsWith(".jsonl"))!;
  cpSync(path.join(logs, first), path.join(logs, `aaa-early-${path.basename(first)}`));
  assert.equal(runCli(["ingest", "--config", config(b)]).status, 0);
  rmSync(path.join(logs, `aaa-early-${path.basename(first)}`));
  const outA = path.join(a, "pkg");
  const outB = path.join(b, "pkg");
  for (const [ws, out] of [[a, outA], [b, outB]] as const) {
    const r = runCli(["build", "--config", config(ws), "--period", "2026-10", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
  }
  for (const f of ["findings.csv", "samples.csv", "controls.csv"]) assert.equal(readFileSync(path.join(outA, f), "utf8"), readFileSync(path.join(outB, f), "utf8"), `${f} depends on the store's history`);
  for (const m of readdirSync(path.join(outA, "memos")).filter((x) => x.endsWith(".md"))) {
    assert.equal(readFileSync(path.join(outA, "memos", m), "utf8"), readFileSync(path.join(outB, "memos", m), "utf8"), `memo ${m} depends on the store's history`);
  }
  const text = async (out: string) => (await pdfText(path.join(out, "report.pdf"))).replace(/Extraction ran .*?(?=Prepared by)/s, "");
  assert.equal(await text(outA), await text(outB), "the PDF text depends on the store's history");
});
