import { createReadStream, statSync, realpathSync } from "node:fs";
import { createHash } from "node:crypto";
import { createGunzip, gunzip, constants as zlibConstants } from "node:zlib";
import { promisify } from "node:util";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { glob } from "tinyglobby";
import { InputError } from "../errors.ts";
import type { ParserInput, ReadAllResult } from "./parser.ts";

const gunzipAsync = promisify(gunzip);

/** Whole-file reads above this many decompressed bytes are refused (gzip bombs, merged exports). */
export const MAX_WHOLE_FILE_BYTES = 512 * 1024 * 1024;

/**
 * Finds a source's files: globs relative to the workspace root, sorted so that ingest order and
 * therefore store contents are deterministic. Paths that resolve outside the root are refused.
 */
export async function findSourceFiles(root: string, patterns: string[]): Promise<string[]> {
  const files = await glob(patterns, { cwd: root, absolute: true, onlyFiles: true, dot: false, followSymbolicLinks: false });
  const realRoot = realpathSync(root);
  for (const file of files) {
    const real = realpathSync(file);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
      throw new InputError(`${path.relative(root, file)}: resolves outside the workspace (${real}); refusing to read it`);
    }
  }
  return [...new Set(files)].sort();
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

export function parserInput(root: string, file: string): ParserInput {
  const relPath = path.relative(root, file).split(path.sep).join("/");
  return {
    file,
    relPath,
    openStream(): Readable {
      const raw = createReadStream(file);
      return isGzip(file) ? raw.pipe(createGunzip()) : raw;
    },
    async readAll(): Promise<ReadAllResult> {
      const size = statSync(file).size;
      if (size > MAX_WHOLE_FILE_BYTES) throw new InputError(`${relPath}: ${size} bytes is over the ${MAX_WHOLE_FILE_BYTES}-byte limit`);
      const bytes = await readFile(file);
      if (!isGzip(file)) return { text: bytes.toString("utf8") };
      try {
        const out = await gunzipAsync(bytes, { maxOutputLength: MAX_WHOLE_FILE_BYTES });
        return { text: out.toString("utf8") };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ERR_BUFFER_TOO_LARGE") {
          throw new InputError(`${relPath}: decompresses to more than ${MAX_WHOLE_FILE_BYTES} bytes (gzip bomb or merged export); refusing`);
        }
        // A truncated or corrupt gzip: keep what decompresses so the complete records before the damage survive.
        const partial = await gunzipAsync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: MAX_WHOLE_FILE_BYTES }).catch(
          () => Buffer.alloc(0),
        );
        return { text: partial.toString("utf8"), truncatedAt: bytes.length };
      }
    },
  };
}
