/**
 * The IAM side of the sample: `aws iam get-account-authorization-details` output for the
 * production account. The agent role `ai-agent-operator` holds operator-level rights
 * (cloudformation:*, ec2:*, lambda:*, iam:PassRole…) that bug-fixing never needed; the CI deploy
 * role is scoped; developers get AWS's ReadOnlyAccess, which the dump references but does not
 * contain (resolved offline); a break-glass admin group holds AdministratorAccess.
 */
import { PROD_ACCOUNT, rng, writeSampleFile } from "./lib.ts";

const r = rng(9009);
const id = (prefix: string) => `${prefix}${r.hex(17).toUpperCase()}`;
const created = "2026-03-02T10:15:00Z";
const arn = (kind: string, name: string) => `arn:aws:iam::${PROD_ACCOUNT}:${kind}/${name}`;
const trust = (principal: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: principal, Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], ...extra }],
});

const operatorPolicy = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "Operate", Effect: "Allow", Action: ["cloudformation:*", "ec2:*", "lambda:*", "ecs:*", "logs:*", "cloudwatch:*", "s3:*"], Resource: "*" },
    { Sid: "PassRolesToStacks", Effect: "Allow", Action: ["iam:PassRole", "iam:GetRole", "iam:ListRoles"], Resource: "*" },
    { Sid: "NoBilling", Effect: "Deny", Action: ["aws-portal:*", "account:*"], Resource: "*" },
  ],
};
const deployPolicy = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: ["cloudformation:UpdateStack", "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents", "cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"], Resource: `arn:aws:cloudformation:eu-west-1:${PROD_ACCOUNT}:stack/prod-*/*` },
    { Effect: "Allow", Action: "iam:PassRole", Resource: arn("role", "cfn-exec"), Condition: { StringEquals: { "iam:PassedToService": "cloudformation.amazonaws.com" } } },
  ],
};

const customer = (name: string, doc: unknown, versions: number) => ({
  PolicyName: name, PolicyId: id("ANPA"), Arn: arn("policy", name), Path: "/", DefaultVersionId: `v${versions}`, AttachmentCount: 1,
  PermissionsBoundaryUsageCount: 0, IsAttachable: true, CreateDate: created, UpdateDate: "2026-09-20T08:00:00Z",
  PolicyVersionList: Array.from({ length: versions }, (_, i) => ({
    // Earlier versions were narrower: only the default version counts.
    Document: i === versions - 1 ? doc : { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "cloudformation:Describe*", Resource: "*" }] },
    VersionId: `v${i + 1}`, IsDefaultVersion: i === versions - 1, CreateDate: created,
  })),
});

const dump = {
  UserDetailList: [
    {
      Path: "/", UserName: "breakglass-admin", UserId: id("AIDA"), Arn: arn("user", "breakglass-admin"), CreateDate: created,
      UserPolicyList: [], GroupList: ["admins"], AttachedManagedPolicies: [], Tags: [{ Key: "owner", Value: "security" }],
    },
  ],
  GroupDetailList: [
    {
      Path: "/", GroupName: "admins", GroupId: id("AGPA"), Arn: arn("group", "admins"), CreateDate: created, GroupPolicyList: [],
      AttachedManagedPolicies: [{ PolicyName: "AdministratorAccess", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }],
    },
  ],
  RoleDetailList: [
    {
      Path: "/", RoleName: "ai-agent-operator", RoleId: id("AROA"), Arn: arn("role", "ai-agent-operator"), CreateDate: created,
      AssumeRolePolicyDocument: trust({ AWS: arn("role", "aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0a1b2c3d") }),
      InstanceProfileList: [], RolePolicyList: [],
      AttachedManagedPolicies: [{ PolicyName: "agent-operator-access", PolicyArn: arn("policy", "agent-operator-access") }],
      Tags: [{ Key: "agent", Value: "kiro" }], RoleLastUsed: { LastUsedDate: "2026-10-31T11:20:05Z", Region: "eu-west-1" },
    },
    {
      Path: "/", RoleName: "github-actions-deploy", RoleId: id("AROA"), Arn: arn("role", "github-actions-deploy"), CreateDate: created,
      AssumeRolePolicyDocument: trust({ Federated: `arn:aws:iam::${PROD_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }, {
        Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/api:ref:refs/heads/main" } },
      }),
      InstanceProfileList: [], RolePolicyList: [{ PolicyName: "deploy-prod-stacks", PolicyDocument: deployPolicy }], AttachedManagedPolicies: [], Tags: [],
    },
    {
      Path: "/aws-reserved/sso.amazonaws.com/", RoleName: "AWSReservedSSO_Developer_0a1b2c3d", RoleId: id("AROA"),
      Arn: arn("role", "aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0a1b2c3d"), CreateDate: created,
      AssumeRolePolicyDocument: trust({ Federated: `arn:aws:iam::${PROD_ACCOUNT}:saml-provider/AWSSSO_0a1b2c3d_DO_NOT_DELETE` }),
      InstanceProfileList: [], RolePolicyList: [],
      // Referenced but not contained in the dump (filtered export): resolved from the offline AWS managed-policy snapshot.
      AttachedManagedPolicies: [{ PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }], Tags: [],
    },
  ],
  Policies: [
    customer("agent-operator-access", operatorPolicy, 3),
    {
      PolicyName: "AdministratorAccess", PolicyId: "ANPAIWMBCKSKIEE64ZLYK", Arn: "arn:aws:iam::aws:policy/AdministratorAccess", Path: "/", DefaultVersionId: "v1",
      AttachmentCount: 1, PermissionsBoundaryUsageCount: 0, IsAttachable: true, CreateDate: "2015-02-06T18:39:46Z", UpdateDate: "2015-02-06T18:39:46Z",
      PolicyVersionList: [{ Document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }, VersionId: "v1", IsDefaultVersion: true, CreateDate: "2015-02-06T18:39:46Z" }],
    },
  ],
};

writeSampleFile("iam/authorization-details.json", JSON.stringify(dump, null, 2) + "\n");
console.log("wrote iam/authorization-details.json");
