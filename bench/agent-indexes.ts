/**
 * What each index of `events` costs the single writer per stored agent action, measured apart from
 * parsing: the bench's hook log is ingested once, then its stored rows are inserted again into a
 * fresh store per variant, as one file (as the ingest writes one log), with one index dropped:
 *
 * - all: the store as it is (UNIQUE (source_kind, event_key), (source_kind, time), file_id, and the
 *   partial (session_id, time) index of agent-log rows);
 * - -session, -time, -file: without that one index;
 * - none: without the three (the UNIQUE stays: it is how a repeated action is recognised and joined).
 *
 * Alternating rounds (the order reversed every other round), CPU microseconds per row.
 *
 * Run: node --import tsx bench/agent-indexes.ts [hook events] [rounds]   (default 200,000 and 3)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../src/config.ts";
import { ingestSources } from "../src/ingest/index.ts";
import { EVENT_COLUMNS } from "../src/store/event-row.ts";
import { FileWriter, openStore } from "../src/store/index.ts";
import { writeHookLog } from "./agent-logs.ts";

const VARIANTS: Record<string, string[]> = {
  all: [],
  "-session": ["events_agent_session"],
  "-time": ["events_kind_time"],
  "-file": ["events_file"],
  none: ["events_agent_session", "events_kind_time", "events_file"],
};

export async function run(size = 200_000, rounds = 3): Promise<Record<string, number[]>> {
  const dir = mkdtempSync(path.join(tmpdir(), "evidence-bench-agent-indexes-"));
  try {
    mkdirSync(path.join(dir, "logs"));
    await writeHookLog(path.join(dir, "logs", "hooks.jsonl"), size);
    const config = path.join(dir, "evidence.config.yaml");
    writeFileSync(config, 'organisation: { name: Bench }\nsources:\n  - { name: cursor, kind: cursor-hooks, paths: ["logs/*.jsonl"] }\nagents:\n  - { id: cursor, product: cursor, match: { logProducts: [cursor] } }\n');
    const source = openStore(path.join(dir, "source.db"));
    await ingestSources(source, loadConfig(config), { cacheDir: path.join(dir, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: { info() {}, update() {}, done() {} } });
    const rows = source.prepare(`SELECT ${EVENT_COLUMNS.join(", ")} FROM events ORDER BY id`).raw().all() as never[];
    source.close();
    const out: Record<string, number[]> = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? Object.keys(VARIANTS) : Object.keys(VARIANTS).reverse();
      for (const variant of order) {
        const file = path.join(dir, `${variant}-${round}.db`);
        const db = openStore(file);
        for (const index of VARIANTS[variant]!) db.exec(`DROP INDEX ${index}`);
        const c0 = process.cpuUsage();
        db.exec("BEGIN IMMEDIATE");
        const writer = new FileWriter(db, {
          source: "cursor", path: "logs/hooks.jsonl", kind: "cursor-hooks", sha256: "0".repeat(64), size: 0, parser: "bench", parserVersion: "1",
          contextHash: "-", ingestedAt: "2026-11-01T00:00:00.000Z",
        });
        for (const row of rows) writer.eventRow(row);
        writer.commit();
        db.exec("COMMIT");
        const c = process.cpuUsage(c0);
        out[variant]!.push(Math.round(((c.user + c.system) / rows.length) * 100) / 100);
        db.close();
        rmSync(file, { force: true });
        rmSync(`${file}-wal`, { force: true });
        rmSync(`${file}-shm`, { force: true });
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await run(Number(process.argv[2] ?? 200_000), Number(process.argv[3] ?? 3));
  for (const [variant, us] of Object.entries(result)) console.log(`${variant.padEnd(9)} ${us.join(", ")} CPU µs per stored row`);
}
