import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { REPO_ROOT } from "./workspace.ts";

/** The vendored OSCAL Assessment Results JSON schema compiled with ajv (formats included). See test/fixtures/schemas/README.md. */
export function oscalValidator() {
  const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, "test/fixtures/schemas/oscal_assessment-results_schema.json"), "utf8")) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}
