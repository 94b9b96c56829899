import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { validateXML } from "xmllint-wasm";
import { REPO_ROOT } from "./workspace.ts";

/** Validators for `evidence check` outputs against the vendored schemas (test/fixtures/schemas/README.md). */
const SCHEMAS = path.join(REPO_ROOT, "test", "fixtures", "schemas");

export function sarifValidator(): (doc: unknown) => string[] {
  const ajv = new Ajv.default({ allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS, "sarif-schema-2.1.0.json"), "utf8")));
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

export const JUNIT_SCHEMAS = ["junit-10.xsd", "ant-junit.xsd"] as const;

/** xmllint's errors for the document against one vendored JUnit schema; empty when valid. */
export async function junitErrors(xml: string, schema: (typeof JUNIT_SCHEMAS)[number]): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: "junit.xml", contents: xml }], schema: [readFileSync(path.join(SCHEMAS, schema), "utf8")] });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}
