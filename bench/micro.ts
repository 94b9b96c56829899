/**
 * Per-call speed of two hot paths that every ingested record goes through, in CPU time (steadier
 * than wall time on a shared machine). These figures used to be floors asserted by unit tests, which
 * then failed whenever the machine was busy; here they are reported and compared with the floor by
 * eye. The tests keep the complexity checks (2n against n) that catch a pathological regression.
 *
 * - redaction of ordinary log lines: the keyword pre-check should reject them (floor 20 MB/s);
 * - the shell classifier on the labelled commands of test/fixtures/classify (floor 50,000 simple
 *   commands/s; the target is 200,000/s), and on a 64 KB line of nested command substitutions
 *   (floor: under 100 ms; it once took 11.6 s at 16 KB because a glob backtracked over every `$`).
 *
 * Run: node --import tsx bench/micro.ts [scale]   (scale 1 by default; `npm run bench` runs it too)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { classifyCommand } from "../src/classify/shell.ts";
import { createRedactor } from "../src/redact/index.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface MicroResult {
  id: string;
  figure: number;
  unit: string;
  /** The floor the tests once asserted, for comparison. */
  floor: string;
}

function cpuSeconds(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

function redactionOfOrdinaryLines(scale: number): MicroResult {
  const lines: string[] = [];
  for (let i = 0; i < 5000 * scale; i++) {
    lines.push(
      JSON.stringify({
        eventVersion: "1.09",
        userIdentity: { type: "AssumedRole", principalId: "AROAEXAMPLEID:agent", arn: "arn:aws:sts::111122223333:assumed-role/agent/s1", accountId: "111122223333" },
        eventSource: "s3.amazonaws.com",
        eventName: `GetObject${i}`,
        requestParameters: { bucketName: "acme-prod", key: "exports/2026-10.csv" },
      }),
    );
    lines.push(JSON.stringify({ session_id: "s1", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: `npm test -- --grep "case ${i}"` } }));
    lines.push(`commit ${i.toString(16).padStart(40, "0")}\n\n    Fix pagination in the report builder (#${i})`);
  }
  const bytes = lines.reduce((n, l) => n + l.length, 0);
  const redactor = createRedactor();
  const seconds = cpuSeconds(() => {
    for (const line of lines) redactor.redact(line);
  });
  if (redactor.total() !== 0) throw new Error(`ordinary lines were redacted ${redactor.total()} times`);
  return { id: "redaction, ordinary log lines", figure: Math.round(bytes / 1e6 / seconds), unit: "MB/s", floor: "20 MB/s" };
}

function shellClassifier(scale: number): MicroResult[] {
  const table = JSON.parse(readFileSync(path.join(ROOT, "test", "fixtures", "classify", "shell-commands.json"), "utf8")) as { cases: { command: string }[] };
  const commands = table.cases.map((c) => c.command);
  const simple = commands.reduce((n, c) => n + Math.max(1, classifyCommand(c).segments.length), 0);
  for (let w = 0; w < 50; w++) for (const c of commands) classifyCommand(c);
  const reps = 100 * scale;
  const seconds = cpuSeconds(() => {
    for (let k = 0; k < reps; k++) for (const c of commands) classifyCommand(c);
  });
  const nested = "echo " + '$(echo "'.repeat(6_600) + '")'.repeat(6_600);
  const nestedMs = Math.min(...[0, 1, 2].map(() => cpuSeconds(() => classifyCommand(nested)) * 1000));
  return [
    { id: "shell classifier, labelled commands", figure: Math.round((reps * simple) / seconds), unit: "simple commands/s", floor: "50,000/s" },
    { id: "shell classifier, 64 KB nested substitution", figure: Math.round(nestedMs * 10) / 10, unit: "ms", floor: "under 100 ms" },
  ];
}

export function runMicro(scale = 1): MicroResult[] {
  return [redactionOfOrdinaryLines(scale), ...shellClassifier(scale)];
}

export function formatMicro(results: MicroResult[]): string {
  return results.map((r) => `${r.id}: ${r.figure.toLocaleString("en-US")} ${r.unit} CPU (floor ${r.floor})`).join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(formatMicro(runMicro(Number(process.argv[2] ?? 1))));
}
