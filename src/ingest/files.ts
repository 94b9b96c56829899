import { createReadStream, existsSync, readFileSync, statSync, realpathSync } from "node:fs";
import { pipeline, Transform } from "node:stream";
import { createHash } from "node:crypto";
import { createGunzip } from "node:zlib";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { glob } from "tinyglobby";
import { InputError } from "../errors.ts";
import { DEFAULT_INPUT_LIMITS, type InputLimits } from "./lines.ts";
import type { ParsedItem, ParserInput, ReadAllResult } from "./parser.ts";

/** Whole-file reads above this many decompressed bytes are refused (gzip bombs, merged exports). */
export const MAX_WHOLE_FILE_BYTES = 512 * 1024 * 1024;

/**
 * Finds a source's files: globs relative to the workspace root, sorted so that ingest order and
 * therefore store contents are deterministic. Symlinks are followed (so none is skipped without a
 * word), then judged by where they lead: a file that resolves outside the root (a `../` glob, an
 * absolute path, a symlink leaving the workspace) is refused unless the source allows it, and a
 * file reached by several paths (a symlink loop, an alias) is read once, under its first path.
 */
export async function findSourceFiles(root: string, patterns: string[], options: { allowOutside?: boolean } = {}): Promise<string[]> {
  const files = (await glob(patterns, { cwd: root, absolute: true, onlyFiles: true, dot: false, followSymbolicLinks: true })).sort();
  const seen = new Set<string>();
  const out: string[] = [];
  for (const file of files) {
    if (!options.allowOutside) assertInsideWorkspace(root, file);
    const real = realpathSync(file);
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(file);
  }
  return out;
}

/** Refuses a path whose real location (symlinks resolved) is outside the workspace root; a missing path is left to the reader. */
export function assertInsideWorkspace(root: string, file: string): void {
  if (!existsSync(file)) return;
  const realRoot = realpathSync(root);
  const real = realpathSync(file);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new InputError(
      `${path.relative(root, file)}: resolves outside the workspace (${real}); refusing to read it (set allowOutsidePaths: true on the source to allow this)`,
    );
  }
}

export function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  // A small file is hashed from one synchronous read. Files are hashed in a parsing worker, where a
  // blocking read holds up nothing, while a stream costs a round trip through libuv's thread pool
  // per 64 KiB chunk (plus open and close) during which the worker sits idle.
  const size = statSync(file).size;
  if (size <= SYNC_HASH_BYTES) {
    const bytes = readFileSync(file);
    return Promise.resolve({ sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length });
  }
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    let size = 0;
    createReadStream(file)
      .on("data", (chunk) => {
        hash.update(chunk);
        size += chunk.length;
      })
      .on("error", reject)
      .on("end", () => resolve({ sha256: hash.digest("hex"), size }));
  });
}

const SYNC_HASH_BYTES = 16 << 20;

function isGzip(file: string): boolean {
  return file.endsWith(".gz");
}

/**
 * Inflates a gzip stream, refusing it as soon as it is a bomb: past `gzipRatioFloorBytes` of
 * output, when the output exceeds `gzipMaxRatio` times the compressed bytes the inflater has
 * consumed so far (zlib's `bytesWritten`, https://nodejs.org/api/zlib.html#zlibbyteswritten), or
 * past `gzipMaxBytes` in all. Judged on the bytes read so far, not the file's size, so refusing a
 * 6 MB file that would inflate to 6 GB costs the floor's worth of output, not a ratio times 6 MB.
 * Every gzipped input goes through here: line streams, whole-file reads and CloudTrail files.
 */
export function inflateGuarded(raw: Readable, relPath: string, limits: InputLimits): Readable {
  const gunzip = createGunzip();
  let total = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      const consumed = gunzip.bytesWritten;
      if (total > limits.gzipMaxBytes || (total > limits.gzipRatioFloorBytes && total > consumed * limits.gzipMaxRatio)) {
        callback(new InputError(
          `${relPath}: decompresses to more than ${total} bytes from the first ${consumed} compressed bytes (over ${limits.gzipMaxRatio}x, or over ${limits.gzipMaxBytes} bytes): a gzip bomb or a merged export; refusing the rest`,
        ));
      } else callback(null, chunk);
    },
  });
  // pipeline, not pipe: a read error or a corrupt stream reaches the reader instead of stalling it.
  return pipeline(raw, gunzip, guard, () => {});
}

/**
 * Why a file's population is incomplete when its stream stopped early: refused by a cap (an
 * InputError) or truncated/corrupt; it is stored in `source_files.incomplete`.
 */
export function incompleteReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof InputError ? `${REFUSED_PART_WAY}${message}` : `${ENDS_EARLY}${message} (truncated or corrupt)`;
}

const REFUSED_PART_WAY = "refused part-way: ";
const ENDS_EARLY = "file ends early: ";

/** Whether a reject's reason is one incompleteReason wrote: the stream stopped there, and the file's population is incomplete. */
export function isIncompleteReason(reason: string): boolean {
  return reason.startsWith(REFUSED_PART_WAY) || reason.startsWith(ENDS_EARLY);
}

/** Notes starting with this mark a file whose population is incomplete (what follows is the reason). */
export const INCOMPLETE_NOTE = "incomplete: ";

/**
 * The note a parser yields (or the writer adds) when a file stopped early, so the store says the
 * file's population is incomplete; the writer also stores the reason in `source_files.incomplete`.
 */
export function incompleteNote(reason: string): ParsedItem {
  return { kind: "note", text: `${INCOMPLETE_NOTE}${reason}` };
}

export function parserInput(root: string, file: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): ParserInput {
  const relPath = path.relative(root, file).split(path.sep).join("/");
  return {
    file,
    relPath,
    openStream(): Readable {
      const raw = createReadStream(file);
      return isGzip(file) ? inflateGuarded(raw, relPath, limits) : raw;
    },
    async readAll(): Promise<ReadAllResult> {
      const size = statSync(file).size;
      if (size > MAX_WHOLE_FILE_BYTES) throw new InputError(`${relPath}: ${size} bytes is over the ${MAX_WHOLE_FILE_BYTES}-byte limit`);
      if (!isGzip(file)) return { text: (await readFile(file)).toString("utf8") };
      const parts: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of inflateGuarded(createReadStream(file), relPath, limits) as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > MAX_WHOLE_FILE_BYTES) throw new InputError(`${relPath}: decompresses to more than ${MAX_WHOLE_FILE_BYTES} bytes, over the whole-file limit; refusing`);
          parts.push(chunk);
        }
      } catch (error) {
        if (error instanceof InputError) throw error;
        // A truncated or corrupt gzip: keep what decompressed so the complete records before the damage survive.
        return { text: Buffer.concat(parts).toString("utf8"), truncatedAt: size };
      }
      return { text: Buffer.concat(parts).toString("utf8") };
    },
  };
}
