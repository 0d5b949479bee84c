import { execFile } from "node:child_process";
import { promisify } from "node:util";

/**
 * Debian's AWS CLI v2 at /usr/bin/aws (apt-get install -y awscli; .ci/run installs it), called by
 * full path (an older `aws` may come first on PATH), against a local endpoint, with an environment
 * of its own: given keys and region, no config or credentials files, no pager, no instance metadata.
 */
export const AWS_CLI = "/usr/bin/aws";

const exec = promisify(execFile);

export type CliJson = Record<string, unknown>;

export interface AwsCliTarget {
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** Runs `aws --endpoint-url URL --output json SERVICE ARGS…`; the parsed JSON output ({} when empty). Rejects on a non-zero exit (with stderr and code). */
export async function awsCli(target: AwsCliTarget, service: "ssm" | "iam", ...args: string[]): Promise<CliJson> {
  const { stdout } = await exec(AWS_CLI, ["--endpoint-url", target.url, "--output", "json", service, ...args], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      AWS_ACCESS_KEY_ID: target.accessKeyId,
      AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
      AWS_DEFAULT_REGION: target.region,
      AWS_PAGER: "",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_EC2_METADATA_DISABLED: "true",
    },
    timeout: 30_000,
  });
  return stdout.trim() ? (JSON.parse(stdout) as CliJson) : {};
}
