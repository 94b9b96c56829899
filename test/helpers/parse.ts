import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseConfigText, type Config } from "../../src/config.ts";
import { createEnrichContext } from "../../src/ingest/enrich.ts";
import { parserInput } from "../../src/ingest/files.ts";
import type { ParsedItem, Parser } from "../../src/ingest/parser.ts";
import type { EvidenceEvent } from "../../src/event.ts";
import type { RejectRecord } from "../../src/store/index.ts";

export const TEST_CONFIG_YAML = `
organisation: { name: Test Co }
agents:
  - id: claude-code
    product: claude-code
    match: { logProducts: [claude-code], gitEmails: [noreply@anthropic.com] }
  - id: ops-agent
    product: kiro
    match: { awsRoles: ["arn:aws:iam::*:role/ai-agent-*"], awsSessionNames: ["kiro-*"], userAgentMarkers: ["app/claude-code"] }
environments:
  production: { awsAccounts: ["111122223333"], paths: ["/srv/prod/**"], resourcePatterns: ["prod-*"] }
`;

export function testConfig(): Config {
  return parseConfigText(TEST_CONFIG_YAML, "test.yaml");
}

export function testContext() {
  return createEnrichContext(testConfig());
}

export interface Parsed {
  events: EvidenceEvent[];
  rejects: RejectRecord[];
  notes: string[];
}

/** Runs a parser over a file and splits what it yields. */
export async function parseFile(parser: Parser, dir: string, file: string): Promise<Parsed> {
  const out: Parsed = { events: [], rejects: [], notes: [] };
  for await (const item of parser.parse(parserInput(dir, path.join(dir, file))) as AsyncIterable<ParsedItem>) {
    if (item.kind === "event") out.events.push(item.event);
    else if (item.kind === "reject") out.rejects.push(item.reject);
    else if (item.kind === "note") out.notes.push(item.text);
  }
  return out;
}

export function writeJsonl(dir: string, file: string, records: unknown[], extraLines: string[] = []): void {
  writeFileSync(path.join(dir, file), [...records.map((r) => JSON.stringify(r)), ...extraLines].join("\n") + "\n");
}
