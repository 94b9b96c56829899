import { ExitCode } from "../errors.ts";
import { readKeyFile } from "../report/signature.ts";
import { type PackageVerification, verifyPackage } from "../report/verify-package.ts";
import { type GlobalOptions, output } from "./context.ts";

export interface VerifyArgs extends GlobalOptions {
  dir: string;
  publicKey?: string | undefined;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What the signature shows, stated on its own: a signature that verifies says who signed which
 * hashes, never that the files are still those. Without a public key nothing is said to be signed
 * by anyone: the key ids in manifest.sig.json are claims whoever wrote the envelope made.
 */
function signatureLine(result: PackageVerification): string {
  const sig = result.signature;
  if (sig.checked && sig.valid) {
    return result.filesMatch
      ? `Signature: verifies with the given public key (key id ${sig.signer}) and covers exactly these files.`
      : `Signature: verifies with the given public key (key id ${sig.signer}), but the files listed above are not the ones it signed.`;
  }
  if (sig.checked) return `Signature: INVALID: ${sig.problem}.`;
  if (sig.problem) return `Signature: NOT checked, and unreadable: ${sig.problem}.`;
  if (sig.present) return "Signature: NOT checked (no --public-key given). manifest.sig.json is present, but the key id it names is only a claim: anyone who can rewrite manifest.json can re-sign it with a key of their own.";
  return "Signature: none (the package is not signed).";
}

/** The outcome, last: never "valid" or "intact" when a file differs, never "signed" when no key checked it. */
function outcomeLine(result: PackageVerification): string {
  if (!result.intact) return "Result: NOT intact.";
  if (result.signature.checked) return `Result: intact. ${plural(result.files, "file")} match manifest.json, signed with the given key.`;
  return (
    `Result: internally consistent only. ${plural(result.files, "file")} match manifest.json, ` +
    "which proves nothing against someone who could rewrite manifest.json; only --public-key with the signer's key shows that the package is as its signer wrote it."
  );
}

/** Re-hashes every file the manifest lists and checks the signature; exit 1 when anything differs or the signature fails. */
export async function verifyCommand(args: VerifyArgs): Promise<number> {
  const key = args.publicKey ? readKeyFile(args.publicKey, "public") : undefined;
  const result = verifyPackage(args.dir, key);
  const differing = result.changed.length + result.missing.length + result.added.length + result.notRegular.length;
  output(args, result, () =>
    [
      result.filesMatch
        ? `Files: all ${plural(result.files, "file")} match manifest.json.`
        : `Files: ${plural(differing, "file")} differ from manifest.json${result.signature.valid ? " or the signed statement" : ""}:`,
      ...result.changed.map((f) => `  changed: ${f}`),
      ...result.missing.map((f) => `  missing: ${f}`),
      ...result.added.map((f) => `  added:   ${f}`),
      ...result.notRegular.map((o) => `  not a regular file: ${o.path} (${o.kind}; not followed or read)`),
      signatureLine(result),
      outcomeLine(result),
    ].join("\n"),
  );
  return result.intact ? ExitCode.ok : ExitCode.checkFailed;
}
