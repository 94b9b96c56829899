import type Database from "better-sqlite3";
import type { Db, FileWriter } from "./index.ts";

/** An IAM principal as stored: who it is, which agent identity it is, and what it is granted. */
export interface IamPrincipalRecord {
  arn: string;
  kind: "role" | "user" | "policy-file";
  name: string;
  account: string | null;
  agentId: string | null;
  environment: string;
  trustPolicy: unknown;
  policies: { name: string; source: string }[];
  unresolved: string[];
  locator: string;
  grants: { action: string; accessLevel: string; resourceScope: "all" | "limited"; conditional: boolean; via: string[] }[];
}

const statements = new WeakMap<Db, { principal: Database.Statement; grant: Database.Statement }>();

/** Writes one principal and its grants inside the file's open transaction. */
export function writeIamPrincipal(db: Db, writer: FileWriter, p: IamPrincipalRecord): void {
  let s = statements.get(db);
  if (!s) {
    s = {
      principal: db.prepare(
        `INSERT INTO iam_principals (file_id, arn, kind, name, account, agent_id, environment, trust_policy, policies, unresolved, locator)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      grant: db.prepare("INSERT OR IGNORE INTO iam_grants (principal_id, action, access_level, resource_scope, conditional, via) VALUES (?, ?, ?, ?, ?, ?)"),
    };
    statements.set(db, s);
  }
  writer.counts.recordsRead++;
  writer.counts.accepted++;
  const id = Number(
    s.principal.run(
      writer.fileId, p.arn, p.kind, p.name, p.account, p.agentId, p.environment, p.trustPolicy ? JSON.stringify(p.trustPolicy) : null,
      JSON.stringify(p.policies), p.unresolved.length ? JSON.stringify(p.unresolved) : null, p.locator,
    ).lastInsertRowid,
  );
  for (const g of p.grants) s.grant.run(id, g.action, g.accessLevel, g.resourceScope, g.conditional ? 1 : 0, g.via.join("\n"));
}
