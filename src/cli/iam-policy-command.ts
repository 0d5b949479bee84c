import { parseArgs } from "node:util";
import { iamPolicy } from "../iam/policies.js";
import type { Io } from "./output.js";
import { EXIT } from "./output.js";

export const IAM_POLICY_FLAGS = {
  "read-only": { type: "boolean" },
} as const;

export const IAM_POLICY_HELP = `usage: patchctl iam-policy [--read-only]

Prints the least-privilege IAM policy document (JSON) for the role patchctl runs as: by default for
applying (reconcile, apply, watch), which includes the SSM writes, the write lease and the service roles.

  --read-only               the policy for reading only (reconcile --plan, drift, compliance,
                            pull-request CI)

exit codes: 0`;

/** patchctl iam-policy [--read-only]: the least-privilege policy document for patchctl's role. */
export async function iamPolicyCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: IAM_POLICY_FLAGS });
  io.out(JSON.stringify(iamPolicy(values["read-only"] ?? false), null, 2));
  return EXIT.OK;
}
