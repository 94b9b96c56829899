/**
 * Evidence-package render benchmark: a temp store is seeded directly through FileWriter
 * with `size` agent tool calls, `size` CloudTrail events by an agent identity and `size` production
 * commits (with their change rows), and a report model with 5,000 findings is written as a full
 * package: population CSVs, samples, PDF, memos (Markdown + PDF), OSCAL and the manifest.
 * Prints the time (target < 20 s for size 100,000) and the peak RSS.
 *
 * Run alone: node --import tsx bench/render.ts [size] [findings]   (defaults 100,000 and 5,000)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { EvidenceEvent } from "../src/event.ts";
import { parsePeriod } from "../src/period.ts";
import { writeReport } from "../src/report/index.ts";
import { FileWriter, listSourceFiles, openStore, type Db } from "../src/store/index.ts";
import { syntheticModel } from "../test/helpers/report-model.ts";

export interface RenderBenchResult {
  size: number;
  findings: number;
  files: number;
  seconds: number;
  cpuSeconds: number;
  seedSeconds: number;
  peakRssMb: number;
}

const START = Date.parse("2026-10-01T00:00:00Z");
const MONTH = 31 * 86_400_000;

function header(source: string, file: string, kind: string) {
  return { source, path: file, kind, sha256: "0".repeat(64), size: 0, parser: "bench", parserVersion: "1", contextHash: "bench", ingestedAt: "2026-11-01T00:00:00.000Z" };
}

function event(i: number, size: number, cloud: boolean): EvidenceEvent {
  const destructive = i % 20 === 0;
  return {
    sourceKind: cloud ? "cloudtrail" : "agent-log", eventKey: `${cloud ? "ct" : "al"}-${i}`, time: new Date(START + Math.floor((i / size) * MONTH)).toISOString(),
    actor: cloud ? "arn:aws:sts::111122223333:assumed-role/ai-agent-operator/kiro-1" : "dev@example.com", actorKind: "agent", agentId: cloud ? "kiro-operator" : "claude-code",
    agentProduct: cloud ? "kiro" : "claude-code", sessionId: `s-${i % 500}`, action: cloud ? (destructive ? "cloudformation:DeleteStack" : "cloudformation:DescribeStacks") : "Bash",
    classes: destructive ? ["destructive", "execute"] : ["read"], target: `prod-stack-${i % 40}`, environment: i % 3 ? "non-production" : "production",
    outcome: "succeeded", approval: i % 4 ? "policy" : "human", approvalEvidence: i % 4 ? "permission_mode=acceptEdits" : "PermissionRequest confirmed",
    command: cloud ? null : destructive ? `terraform destroy -auto-approve -target=module.stack_${i % 40}` : `git status && ls -la src/module_${i % 97}`,
    account: cloud ? "111122223333" : null, region: cloud ? "eu-west-1" : null, locator: `line ${i + 1}`, attrs: {},
  };
}

/** Seeds the store: one "file" per source, each written in one FileWriter transaction. */
function seed(db: Db, size: number): void {
  for (const cloud of [false, true]) {
    const w = new FileWriter(db, header(cloud ? "cloudtrail" : "claude-code", cloud ? "cloudtrail/bench.json.gz" : "logs/bench.jsonl", cloud ? "cloudtrail" : "claude-code-hooks"));
    for (let i = 0; i < size; i++) w.event(event(i, size, cloud));
    w.commit();
  }
  const g = new FileWriter(db, header("api-repo", "git/bench.bundle", "git"));
  for (let i = 0; i < size; i++) {
    g.commit_({
      repo: "api", sha: i.toString(16).padStart(40, "0"), parents: [], authorName: `Dev ${i % 30}`, authorEmail: `dev${i % 30}@example.com`, authorTime: null,
      committerName: null, committerEmail: null, committerTime: new Date(START + Math.floor((i / size) * MONTH)).toISOString(), subject: `Change number ${i}`, body: "",
      onProduction: true, authorKind: i % 5 ? "human" : "agent", agentProduct: i % 5 ? null : "claude-code", aiSignal: null, review: i % 7 ? "reviewed" : "unreviewed",
      reviewEvidence: null, reviewStrength: "trailer", filesChanged: 1, locator: `commit ${i}`,
    });
  }
  g.commit();
  // The change rows derived from git after ingest (src/changes/derive.ts), written directly: the bench measures rendering, not derivation.
  db.exec(`INSERT INTO changes (commit_id, repo, sha, committed, subject, author, pr_join, author_kind, review, review_strength, direct_push, ai_reviewer_only, exceptions)
    SELECT id, repo, sha, committer_time, subject, author_name, 'none', author_kind, review, review_strength, 0, 0, CASE review WHEN 'unreviewed' THEN 'unreviewed' ELSE '' END FROM commits`);
}

export async function run(size = 100_000, findings = 5_000): Promise<RenderBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "evidence-bench-render-"));
  try {
    const db = openStore(path.join(dir, "evidence.db"));
    const seedStart = performance.now();
    seed(db, size);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const period = parsePeriod("2026-10");
    const model = { ...syntheticModel({ controls: 9, findings }), sources: listSourceFiles(db) };
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const written = await writeReport(model, {
      db, period, outDir: path.join(dir, "out"), maxAcceptanceDays: 365, sampleSeed: "bench", inputs: [],
    });
    const seconds = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu);
    db.close();
    return { size, findings, files: written.length, seconds, cpuSeconds: (used.user + used.system) / 1e6, seedSeconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function report(r: RenderBenchResult): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    `render: ${n(r.findings)} findings, ${n(r.size)}-row populations -> ${r.files} files in ${r.seconds.toFixed(2)} s (target < 20 s: ${r.seconds < 20 ? "met" : "NOT met"}); ${r.cpuSeconds.toFixed(2)} CPU s`,
    `  seeding the store took ${r.seedSeconds.toFixed(2)} s (not counted)`,
    `  peak RSS  ${n(r.peakRssMb)} MB`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(report(await run(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 5_000))));
}
