import { principalOfPolicyFile, principalsOfAuthorizationDetails, isAuthorizationDetails, type IamPrincipal } from "./authorization-details.ts";
import { managedPolicySource } from "../../iam/managed-policies.ts";
import { principalStatements } from "../../iam/policy.ts";
import type { IamPrincipalRecord } from "../../store/iam.ts";
import type { EnrichContext } from "../enrich.ts";
import { cutOffReason, reject, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { parseJson } from "../json.ts";

/**
 * IAM inputs: `aws iam get-account-authorization-details` output, or a plain policy document
 * per file. Each user and role becomes a principal with its policy statements (action patterns
 * unexpanded: rules expand them one principal at a time), attributed to a configured agent identity by the same role patterns as CloudTrail.
 */
export function createIamParser(ctx: EnrichContext): Parser {
  return { name: "iam", version: "2", parse: (input) => parseIamFile(input, ctx) };
}

export function toPrincipalRecord(p: IamPrincipal, ctx: EnrichContext): IamPrincipalRecord {
  const attribution = ctx.attributeAwsPrincipal({ roleArn: p.kind === "policy-file" ? null : p.arn, roleName: p.name, sessionName: null, userAgent: null });
  return {
    arn: p.arn, kind: p.kind, name: p.name, account: p.account, agentId: attribution?.agentId ?? null,
    environment: ctx.environmentOfAccount(p.account), trustPolicy: p.trustPolicy,
    policies: p.policies.map((x) => ({ name: x.name, source: x.source })), unresolved: p.unresolved, locator: p.locator,
    statements: principalStatements(p.policies, p.boundary),
  };
}

/** Pure: the items for one file's parsed JSON. */
export function iamItems(doc: unknown, relPath: string, ctx: EnrichContext): ParsedItem[] {
  const principals = isAuthorizationDetails(doc) ? principalsOfAuthorizationDetails(doc) : [principalOfPolicyFile(doc, relPath)].filter((p) => p !== null);
  if (principals.length === 0) {
    return [reject("document", "expected `aws iam get-account-authorization-details` output (RoleDetailList, UserDetailList…) or a policy document with a Statement", JSON.stringify(doc))];
  }
  const items: ParsedItem[] = principals.map((p) => ({ kind: "iam-principal", principal: toPrincipalRecord(p, ctx) }));
  const fromSnapshot = principals.some((p) => p.policies.some((x) => x.source === "aws-managed-snapshot"));
  if (fromSnapshot) items.push({ kind: "note", text: `AWS managed policies missing from the dump were resolved from ${managedPolicySource()}` });
  for (const p of principals) {
    if (p.unresolved.length) items.push({ kind: "note", text: `${p.arn}: attached policies not in the dump nor the AWS managed snapshot, not counted: ${p.unresolved.join(", ")}` });
  }
  return items;
}

async function* parseIamFile(input: ParserInput, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  const { text, truncatedAt } = await input.readAll();
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (error) {
    yield reject("document", `not valid JSON (${(error as Error).message})`, text, cutOffReason(error, truncatedAt, text));
    return;
  }
  yield* iamItems(doc, input.relPath, ctx);
}
