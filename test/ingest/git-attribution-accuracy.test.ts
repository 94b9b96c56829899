import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { readGitHistory } from "../../src/ingest/git/read.ts";
import type { CommitRecord } from "../../src/store/index.ts";
import { TestRepo, type Who } from "../helpers/git-repo.ts";
import { testContext } from "../helpers/parse.ts";

interface Case {
  id: string;
  author: string;
  committer?: string;
  message: string;
  expected: "agent" | "bot" | "human";
  product?: string;
  reason: string;
}

const CORPUS = JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "fixtures", "git-attribution", "corpus.json"), "utf8")) as { cases: Case[] };

function who(value: string): Who {
  const m = /^(.*?)\s*<([^<>]+)>$/.exec(value);
  assert.ok(m, `not "Name <email>": ${value}`);
  return [m[1]!, m[2]!];
}

/**
 * Precision and recall of "an AI agent wrote or co-wrote this commit" over the labelled corpus.
 * Every case is a real commit in a real repository, read back through the ingest's own git pass,
 * so git's trailer parsing is measured too. A detection with the wrong product counts as a false
 * positive (the evidence would name the wrong tool) and as a miss.
 */
test("git attribution accuracy on the labelled corpus: precision >= 0.98, recall >= 0.95", async (t) => {
  const repo = new TestRepo();
  t.after(() => rmSync(repo.dir, { recursive: true, force: true }));
  for (const [i, c] of CORPUS.cases.entries()) repo.commit(c.message, who(c.author), `case-${i}.txt`, who(c.committer ?? c.author));
  const commits: CommitRecord[] = [];
  const opts = { lineCounts: false, verifySignatures: false, sensitivePaths: [], emergencyTrailers: [] };
  for await (const item of readGitHistory(repo.dir, "corpus", "main", testContext(), opts)) if (item.kind === "commit") commits.push(item.commit);
  commits.reverse();
  assert.equal(commits.length, CORPUS.cases.length);

  let tp = 0;
  let fp = 0;
  let fn = 0;
  const wrong: string[] = [];
  for (const [i, c] of CORPUS.cases.entries()) {
    const got = commits[i]!;
    const productOk = !c.product || got.agentProduct === c.product;
    if (c.expected === "agent" && got.authorKind === "agent" && productOk) tp++;
    else {
      if (got.authorKind === "agent") fp++;
      if (c.expected === "agent") fn++;
    }
    if (got.authorKind !== c.expected || (c.expected === "agent" && !productOk)) {
      wrong.push(`${c.id}: expected ${c.expected}${c.product ? ` (${c.product})` : ""}, got ${got.authorKind}${got.agentProduct ? ` (${got.agentProduct})` : ""} [${got.aiSignal ?? "no signal"}] (${c.reason})`);
    }
  }
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  const bots = CORPUS.cases.filter((c) => c.expected === "bot").length;
  console.log(
    `git attribution corpus: ${CORPUS.cases.length} commits (${tp + fn} agent, ${bots} bot, ${CORPUS.cases.length - tp - fn - bots} human): ` +
      `precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}, ${wrong.length} misclassified${wrong.length ? `\n  ${wrong.join("\n  ")}` : ""}`,
  );
  assert.ok(precision >= 0.98, `precision ${precision.toFixed(3)} < 0.98:\n${wrong.join("\n")}`);
  assert.ok(recall >= 0.95, `recall ${recall.toFixed(3)} < 0.95:\n${wrong.join("\n")}`);
  assert.deepEqual(wrong.filter((w) => / expected bot/.test(w) || / got bot/.test(w)), [], "automation is never mistaken for a person or an agent");
});
