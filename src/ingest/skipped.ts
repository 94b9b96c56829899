import { FileWriter, SKIPPED_PARSER, type Db, type SourceFileRecord } from "../store/index.ts";
import type { FileResult } from "./index.ts";

/**
 * Lists a file the parser declined (a CloudTrail digest, Insights or Config file) in the evidence
 * inventory with its hash and the reason, so the inventory accounts for every file in the folders.
 * Rewritten only when its bytes changed.
 */
export function recordSkippedFile(
  db: Db,
  file: { source: string; path: string; kind: string; sha256: string; size: number; ingestedAt: string },
  reason: string,
  known: SourceFileRecord | undefined,
): FileResult {
  const result: FileResult = { source: file.source, path: file.path, status: "skipped", accepted: 0, duplicates: 0, rejected: 0, redacted: 0, notes: [] };
  if (known && known.sha256 === file.sha256 && known.parser === SKIPPED_PARSER && known.notes === JSON.stringify([reason])) return result;
  const writer = new FileWriter(db, { ...file, parser: SKIPPED_PARSER, parserVersion: "1", contextHash: "-" });
  writer.note(reason);
  writer.commit();
  return result;
}
