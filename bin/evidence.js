#!/usr/bin/env node
// Entry point: register tsx so the TypeScript sources run as-is (no build step), then hand over to the CLI.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
