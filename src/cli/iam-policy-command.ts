import { parseArgs } from "node:util";
import { iamPolicy } from "../iam/policies.js";
import type { Io } from "./output.js";
import { EXIT } from "./output.js";

/** patchctl iam-policy [--read-only]: the least-privilege policy document for patchctl's role. */
export async function iamPolicyCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { "read-only": { type: "boolean" } } });
  io.out(JSON.stringify(iamPolicy(values["read-only"] ?? false), null, 2));
  return EXIT.OK;
}
