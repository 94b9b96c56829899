import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { REPO_ROOT } from "./workspace.ts";

/** The vendored NIST OSCAL Assessment Results JSON schema, as published. See test/fixtures/schemas/README.md. */
export function oscalSchema(): { $id: string; $schema: string } {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, "test/fixtures/schemas/oscal_assessment-results_schema.json"), "utf8")) as { $id: string; $schema: string };
}

/**
 * The schema compiled with ajv's default (draft-07) class, which is the draft NIST generates it in, with
 * ajv-formats for its date-time, email, uri and uri-reference formats. strict is off because the schema
 * carries keywords ajv does not know (contentEncoding) and `$id`s on definitions.
 */
export function oscalValidator() {
  // Compiling the schema costs about a second of CPU: once per test process.
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    compiled = ajv.compile(oscalSchema());
  }
  return compiled;
}

let compiled: ReturnType<Ajv["compile"]> | undefined;
