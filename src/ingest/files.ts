import { createReadStream, existsSync, statSync, realpathSync } from "node:fs";
import { pipeline, Transform } from "node:stream";
import { createHash } from "node:crypto";
import { createGunzip, gunzip, constants as zlibConstants } from "node:zlib";
import { promisify } from "node:util";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { glob } from "tinyglobby";
import { InputError } from "../errors.ts";
import { DEFAULT_INPUT_LIMITS, type InputLimits } from "./lines.ts";
import type { ParserInput, ReadAllResult } from "./parser.ts";

const gunzipAsync = promisify(gunzip);

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

function isGzip(file: string): boolean {
  return file.endsWith(".gz");
}

/** Most bytes a gzip file of `compressed` bytes may inflate to before it is called a bomb. */
export function gzipCap(compressed: number, limits: InputLimits): number {
  return Math.min(limits.gzipMaxBytes, Math.max(limits.gzipRatioFloorBytes, compressed * limits.gzipMaxRatio));
}

/** Passes decompressed bytes through, failing the stream with an InputError past the cap. */
function inflationGuard(relPath: string, compressed: number, limits: InputLimits): Transform {
  const cap = gzipCap(compressed, limits);
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > cap) {
        callback(new InputError(`${relPath}: decompresses to more than ${cap} bytes from ${compressed} (over ${limits.gzipMaxRatio}x or ${limits.gzipMaxBytes} bytes): a gzip bomb or a merged export; refusing the rest`));
      } else callback(null, chunk);
    },
  });
}

export function parserInput(root: string, file: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): ParserInput {
  const relPath = path.relative(root, file).split(path.sep).join("/");
  return {
    file,
    relPath,
    openStream(): Readable {
      const raw = createReadStream(file);
      if (!isGzip(file)) return raw;
      // pipeline, not pipe: a read error or a corrupt stream reaches the reader instead of stalling it.
      return pipeline(raw, createGunzip(), inflationGuard(relPath, statSync(file).size, limits), () => {});
    },
    async readAll(): Promise<ReadAllResult> {
      const size = statSync(file).size;
      if (size > MAX_WHOLE_FILE_BYTES) throw new InputError(`${relPath}: ${size} bytes is over the ${MAX_WHOLE_FILE_BYTES}-byte limit`);
      const bytes = await readFile(file);
      if (!isGzip(file)) return { text: bytes.toString("utf8") };
      const cap = Math.min(MAX_WHOLE_FILE_BYTES, gzipCap(size, limits));
      try {
        const out = await gunzipAsync(bytes, { maxOutputLength: cap });
        return { text: out.toString("utf8") };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ERR_BUFFER_TOO_LARGE") {
          throw new InputError(`${relPath}: decompresses to more than ${cap} bytes from ${size} (gzip bomb or merged export); refusing`);
        }
        // A truncated or corrupt gzip: keep what decompresses so the complete records before the damage survive.
        const partial = await gunzipAsync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: cap }).catch(
          () => Buffer.alloc(0),
        );
        return { text: partial.toString("utf8"), truncatedAt: bytes.length };
      }
    },
  };
}
