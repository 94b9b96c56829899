import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/**
 * Offline copy of AWS managed policies (current default versions), made by
 * tools/snapshot-aws-managed-policies.ts. Loaded once, on first use.
 */
export interface ManagedPolicy {
  arn: string;
  versionId: string;
  updated: string | null;
  document: unknown;
}

interface Snapshot {
  source: string;
  policies: Record<string, ManagedPolicy>;
}

let snapshot: Snapshot | undefined;
let byArn: Map<string, ManagedPolicy> | undefined;

function load(): Snapshot {
  snapshot ??= JSON.parse(gunzipSync(readFileSync(new URL("./aws-managed-policies.json.gz", import.meta.url))).toString("utf8")) as Snapshot;
  return snapshot;
}

/** Where the offline policies come from (package and version), for the report. */
export function managedPolicySource(): string {
  return load().source;
}

/** An AWS managed policy by ARN (`arn:aws:iam::aws:policy/…`, any partition), or undefined. */
export function awsManagedPolicy(arn: string): ManagedPolicy | undefined {
  byArn ??= new Map(Object.values(load().policies).map((p) => [p.arn.replace(/^arn:[^:]+:/, ""), p]));
  return byArn.get(arn.replace(/^arn:[^:]+:/, ""));
}
