import { z } from "zod";

// Shapes of the three inputs to integrity validation. Field names and nullability follow AWS's
// digest-file structure page and aws-cli validation.py / verifyqueryresults.py.

/** One log file a digest vouches for; `hashValue` is hex SHA-256 of the UNCOMPRESSED log. */
export const DigestLogFile = z.object({
  s3Bucket: z.string(),
  s3Object: z.string(),
  hashValue: z.string(),
  hashAlgorithm: z.string().optional(),
});
export type DigestLogFile = z.infer<typeof DigestLogFile>;

/**
 * A trail digest file (uncompressed JSON). A digest that starts a chain has null `previous*`
 * fields; aws-cli insists `previousDigestSignature` is present (possibly null), so we do too.
 */
export const DigestFile = z.object({
  awsAccountId: z.string(),
  digestStartTime: z.string(),
  digestEndTime: z.string(),
  digestS3Bucket: z.string(),
  digestS3Object: z.string(),
  digestPublicKeyFingerprint: z.string(),
  digestSignatureAlgorithm: z.string(),
  previousDigestS3Bucket: z.string().nullish(),
  previousDigestS3Object: z.string().nullish(),
  previousDigestHashValue: z.string().nullish(),
  previousDigestHashAlgorithm: z.string().nullish(),
  previousDigestSignature: z.string().nullable(),
  logFiles: z.array(DigestLogFile),
});
export type DigestFile = z.infer<typeof DigestFile>;

/** `aws cloudtrail list-public-keys` output: `Value` is base64 DER (PKCS#1 RSAPublicKey). */
export const PublicKeyList = z.object({
  PublicKeyList: z.array(
    z.object({
      Value: z.string(),
      ValidityStartTime: z.string().optional(),
      ValidityEndTime: z.string().optional(),
      Fingerprint: z.string(),
    }),
  ),
});
export type PublicKeyList = z.infer<typeof PublicKeyList>;

/** CloudTrail Lake `result_sign.json`; hashes cover the COMPRESSED result files. */
export const LakeSignFile = z.object({
  version: z.string().optional(),
  region: z.string().optional(),
  files: z.array(z.object({ fileHashValue: z.string(), fileName: z.string() })),
  hashAlgorithm: z.string().optional(),
  signatureAlgorithm: z.string().optional(),
  queryCompleteTime: z.string().optional(),
  hashSignature: z.string(),
  publicKeyFingerprint: z.string(),
});
export type LakeSignFile = z.infer<typeof LakeSignFile>;
