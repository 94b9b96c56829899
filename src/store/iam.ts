import type Database from "better-sqlite3";
import type { PolicyStatement } from "../policy-statement.ts";
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
  /** Its policy statements with action patterns as written; expanded when a rule reads them. */
  statements: PolicyStatement[];
}

const statements = new WeakMap<Db, { principal: Database.Statement; statement: Database.Statement }>();

/** Writes one principal and its policy statements inside the file's open transaction. */
export function writeIamPrincipal(db: Db, writer: FileWriter, p: IamPrincipalRecord): void {
  let s = statements.get(db);
  if (!s) {
    s = {
      principal: db.prepare(
        `INSERT INTO iam_principals (file_id, arn, kind, name, account, agent_id, environment, trust_policy, policies, unresolved, locator)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      statement: db.prepare(
        `INSERT INTO iam_statements (principal_id, ord, policy, role, effect, actions, not_actions, all_resources, conditional)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
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
  p.statements.forEach((st, i) =>
    s.statement.run(
      id, i, st.policy, st.role, st.effect, st.actions ? JSON.stringify(st.actions) : null, st.notActions ? JSON.stringify(st.notActions) : null,
      st.allResources ? 1 : 0, st.conditional ? 1 : 0,
    ),
  );
}
