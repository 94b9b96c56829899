import { isRecord, str } from "../parser.ts";
import { awsManagedPolicy } from "../../iam/managed-policies.ts";
import { policyDocument, type PolicySource } from "../../iam/policy.ts";

/**
 * Reads `aws iam get-account-authorization-details` output: users, groups and roles with their
 * inline policies, attached managed policies (by ARN, resolved to the dump's own default version
 * or else to the offline AWS managed-policy snapshot), group memberships, trust policies and
 * permissions boundaries. Pure: one principal per user and role (groups only lend policies).
 */
export interface IamPrincipal {
  arn: string;
  kind: "role" | "user" | "policy-file";
  name: string;
  account: string | null;
  /** Roles: who may assume it. */
  trustPolicy: unknown;
  policies: (PolicySource & { source: "inline" | "managed" | "aws-managed-snapshot" | "group" | "file" })[];
  boundary: unknown;
  /** Managed policy ARNs attached but found neither in the dump nor in the snapshot. */
  unresolved: string[];
  locator: string;
}

interface ManagedDoc {
  name: string;
  document: unknown;
}

const accountOf = (arn: string | null) => (arn ? (/^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1] ?? null) : null);

/** Policies of the dump by ARN, at their default version. */
function managedPolicies(dump: Record<string, unknown>): Map<string, ManagedDoc> {
  const out = new Map<string, ManagedDoc>();
  for (const p of Array.isArray(dump.Policies) ? dump.Policies.filter(isRecord) : []) {
    const arn = str(p.Arn);
    if (!arn) continue;
    const versions = Array.isArray(p.PolicyVersionList) ? p.PolicyVersionList.filter(isRecord) : [];
    const current = versions.find((v) => v.IsDefaultVersion === true) ?? versions.find((v) => v.VersionId === p.DefaultVersionId);
    if (current) out.set(arn, { name: str(p.PolicyName) ?? arn, document: policyDocument(current.Document) });
  }
  return out;
}

function inline(list: unknown, source: "inline" | "group", owner = ""): IamPrincipal["policies"] {
  return (Array.isArray(list) ? list.filter(isRecord) : []).map((p) => ({
    name: `${owner}${str(p.PolicyName) ?? "inline"}`,
    document: policyDocument(p.PolicyDocument),
    source,
  }));
}

function attached(list: unknown, managed: Map<string, ManagedDoc>, unresolved: string[], source: "managed" | "group", owner = ""): IamPrincipal["policies"] {
  const out: IamPrincipal["policies"] = [];
  for (const a of Array.isArray(list) ? list.filter(isRecord) : []) {
    const arn = str(a.PolicyArn);
    if (!arn) continue;
    const fromDump = managed.get(arn);
    if (fromDump) {
      out.push({ name: `${owner}${fromDump.name}`, document: fromDump.document, source });
      continue;
    }
    const aws = awsManagedPolicy(arn);
    if (aws) out.push({ name: `${owner}${str(a.PolicyName) ?? arn.split("/").pop()} (AWS managed ${aws.versionId}, offline snapshot)`, document: aws.document, source: "aws-managed-snapshot" });
    else unresolved.push(arn);
  }
  return out;
}

function boundaryOf(entry: Record<string, unknown>, managed: Map<string, ManagedDoc>): unknown {
  const b = isRecord(entry.PermissionsBoundary) ? str(entry.PermissionsBoundary.PermissionsBoundaryArn) : null;
  if (!b) return undefined;
  return managed.get(b)?.document ?? awsManagedPolicy(b)?.document;
}

export function isAuthorizationDetails(doc: unknown): doc is Record<string, unknown> {
  return isRecord(doc) && (Array.isArray(doc.RoleDetailList) || Array.isArray(doc.UserDetailList) || Array.isArray(doc.GroupDetailList));
}

export function principalsOfAuthorizationDetails(dump: Record<string, unknown>): IamPrincipal[] {
  const managed = managedPolicies(dump);
  const groups = new Map<string, Record<string, unknown>>();
  for (const g of Array.isArray(dump.GroupDetailList) ? dump.GroupDetailList.filter(isRecord) : []) {
    const name = str(g.GroupName);
    if (name) groups.set(name, g);
  }
  const out: IamPrincipal[] = [];
  for (const [i, r] of (Array.isArray(dump.RoleDetailList) ? dump.RoleDetailList.filter(isRecord) : []).entries()) {
    const arn = str(r.Arn);
    if (!arn) continue;
    const unresolved: string[] = [];
    out.push({
      arn, kind: "role", name: str(r.RoleName) ?? arn.split("/").pop()!, account: accountOf(arn),
      trustPolicy: policyDocument(r.AssumeRolePolicyDocument),
      policies: [...inline(r.RolePolicyList, "inline"), ...attached(r.AttachedManagedPolicies, managed, unresolved, "managed")],
      boundary: boundaryOf(r, managed), unresolved, locator: `RoleDetailList[${i}]`,
    });
  }
  for (const [i, u] of (Array.isArray(dump.UserDetailList) ? dump.UserDetailList.filter(isRecord) : []).entries()) {
    const arn = str(u.Arn);
    if (!arn) continue;
    const unresolved: string[] = [];
    const policies = [...inline(u.UserPolicyList, "inline"), ...attached(u.AttachedManagedPolicies, managed, unresolved, "managed")];
    for (const gName of Array.isArray(u.GroupList) ? u.GroupList.filter((g): g is string => typeof g === "string") : []) {
      const g = groups.get(gName);
      if (!g) continue;
      policies.push(...inline(g.GroupPolicyList, "group", `group ${gName}: `), ...attached(g.AttachedManagedPolicies, managed, unresolved, "group", `group ${gName}: `));
    }
    out.push({ arn, kind: "user", name: str(u.UserName) ?? arn.split("/").pop()!, account: accountOf(arn), trustPolicy: null, policies, boundary: boundaryOf(u, managed), unresolved, locator: `UserDetailList[${i}]` });
  }
  return out;
}

/**
 * A plain policy document in a file of its own: the principal is named after the file
 * (`ai-agent-operator.json` -> role `ai-agent-operator`), as there is no ARN to go by.
 */
export function principalOfPolicyFile(doc: unknown, relPath: string): IamPrincipal | null {
  const d = policyDocument(doc);
  if (!d || d.Statement === undefined) return null;
  const name = relPath.split("/").pop()!.replace(/\.json$/i, "");
  return { arn: `policy-file:${relPath}`, kind: "policy-file", name, account: null, trustPolicy: null, policies: [{ name, document: d, source: "file" }], boundary: undefined, unresolved: [], locator: "document" };
}
