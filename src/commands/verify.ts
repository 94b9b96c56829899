import { ExitCode } from "../errors.ts";
import { readKeyFile } from "../report/signature.ts";
import { verifyPackage } from "../report/verify-package.ts";
import { type GlobalOptions, output } from "./context.ts";

export interface VerifyArgs extends GlobalOptions {
  dir: string;
  publicKey?: string | undefined;
}

/** Re-hashes every file the manifest lists and checks the signature; exit 1 when anything differs. */
export async function verifyCommand(args: VerifyArgs): Promise<number> {
  const key = args.publicKey ? readKeyFile(args.publicKey, "public") : undefined;
  const result = verifyPackage(args.dir, key);
  const sig = result.signature;
  const signatureLine = !sig.present
    ? key ? `  signature: ${sig.problem}` : "Not signed."
    : !sig.checked
      ? `Signed (key id ${sig.keyids.join(", ") || "unknown"}); pass --public-key to check the signature.`
      : sig.valid
        ? `Signature valid (key id ${sig.keyids.join(", ")}).`
        : `  signature: INVALID: ${sig.problem}`;
  output(args, result, () =>
    result.intact
      ? [`Package intact: ${result.files} files match manifest.json.`, signatureLine].join("\n")
      : [
          `Package NOT intact:`,
          ...result.changed.map((f) => `  changed: ${f}`),
          ...result.missing.map((f) => `  missing: ${f}`),
          ...result.added.map((f) => `  added:   ${f}`),
          ...(sig.problem && !sig.checked ? [`  signature: ${sig.problem}`] : []),
          signatureLine,
        ].join("\n"),
  );
  return result.intact ? ExitCode.ok : ExitCode.checkFailed;
}
