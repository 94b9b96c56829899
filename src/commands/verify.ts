import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { ExitCode } from "../errors.ts";
import { type GlobalOptions, output } from "./context.ts";

const Manifest = z.object({ outputs: z.array(z.object({ path: z.string(), sha256: z.string() })) });

export interface VerifyArgs extends GlobalOptions {
  dir: string;
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? listFiles(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}

/** Re-hashes every file the manifest lists; reports changed, missing and added files. Exit 1 when anything differs. */
export async function verifyCommand(args: VerifyArgs): Promise<number> {
  const dir = path.resolve(args.dir);
  const manifestFile = path.join(dir, "manifest.json");
  if (!existsSync(manifestFile)) throw new InputError(`${args.dir}: no manifest.json (not an evidence package)`);
  let manifest: z.infer<typeof Manifest>;
  try {
    manifest = Manifest.parse(JSON.parse(readFileSync(manifestFile, "utf8")));
  } catch (error) {
    throw new InputError(`${manifestFile}: not a valid manifest (${(error as Error).message.split("\n")[0]})`);
  }
  const listed = new Map(manifest.outputs.map((o) => [o.path, o.sha256]));
  const present = new Set(listFiles(dir).filter((f) => f !== "manifest.json"));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [file, sha] of listed) {
    if (!present.has(file)) missing.push(file);
    else if (createHash("sha256").update(readFileSync(path.join(dir, file))).digest("hex") !== sha) changed.push(file);
  }
  const added = [...present].filter((f) => !listed.has(f)).sort();
  const intact = changed.length + missing.length + added.length === 0;
  output(args, { intact, changed, missing, added }, () =>
    intact
      ? `Package intact: ${listed.size} files match manifest.json.`
      : [
          `Package NOT intact:`,
          ...changed.map((f) => `  changed: ${f}`),
          ...missing.map((f) => `  missing: ${f}`),
          ...added.map((f) => `  added:   ${f}`),
        ].join("\n"),
  );
  return intact ? ExitCode.ok : ExitCode.checkFailed;
}
