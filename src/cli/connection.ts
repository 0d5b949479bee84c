import { mkdirSync } from "node:fs";
import path from "node:path";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { AwsGateway } from "../aws/gateway.js";
import { UsageError } from "./output.js";

/** Flags every command that talks to SSM accepts. */
export const CONNECTION_FLAGS = {
  region: { type: "string" },
  profile: { type: "string" },
  "endpoint-url": { type: "string" },
  local: { type: "boolean" },
  owner: { type: "string" },
  output: { type: "string", short: "o" },
  "max-tps": { type: "string" },
} as const;

/**
 * Help lines for the connection flags every SSM command shares (--region, --owner and
 * --output mean something per command: each command's help describes them itself).
 */
export const CONNECTION_HELP = `  --profile P               the AWS shared-config profile to take credentials from
  --endpoint-url URL        the SSM endpoint to call instead of AWS's (e.g. a \`patchctl local-ssm\`)
  --local                   use an in-process local SSM endpoint keeping its state under .patchctl/
                            (region default us-east-1; not with --endpoint-url)
  --max-tps N               cap patchctl's SSM call rate per account-region (default: no cap; each
                            account-region's client learns the rate the service allows)`;

export interface ConnectionFlags {
  "max-tps"?: string;
  region?: string;
  profile?: string;
  "endpoint-url"?: string;
  local?: boolean;
}

/** How a deployment reaches its account (patchctl.yaml deployments[]). */
export interface DeploymentAccess {
  name: string;
  roleArn?: string;
  externalId?: string;
  profile?: string;
  endpointUrl?: string;
}

export interface Connection {
  gateway: AwsGateway;
  region: string;
  /** Where the in-process local endpoint serves, with --local. */
  localUrl?: string;
  close(): Promise<void>;
}

/** Directory of the --local endpoint's state. */
export const LOCAL_STATE_DIR = ".patchctl";

export async function connect(flags: ConnectionFlags, configRegion?: string): Promise<Connection> {
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? configRegion ?? (flags.local ? "us-east-1" : undefined);
  if (!region) throw new UsageError("no region: pass --region, set AWS_REGION, or set region: in patchctl.yaml");
  if (flags.local && flags["endpoint-url"]) throw new UsageError("--local and --endpoint-url are exclusive");
  if (flags.local) {
    const { startLocalSsm } = await import("../local-ssm/index.js");
    mkdirSync(LOCAL_STATE_DIR, { recursive: true });
    const server = await startLocalSsm({ port: 0, dataFile: path.join(LOCAL_STATE_DIR, "local-ssm.json") });
    const gateway = new AwsGateway({ region, endpointUrl: server.url, credentials: { accessKeyId: "AKIALOCALPATCHCTL", secretAccessKey: "local" }, maxTps: maxTpsOf(flags) });
    return {
      gateway,
      region,
      localUrl: server.url,
      close: async () => {
        gateway.destroy();
        await server.close();
      },
    };
  }
  const gateway = new AwsGateway({ region, endpointUrl: flags["endpoint-url"], profile: flags.profile, maxTps: maxTpsOf(flags) });
  return { gateway, region, close: async () => gateway.destroy() };
}

/** --max-tps: this client's own call rate bound (each deployment-region has its own client, so its own budget). */
function maxTpsOf(flags: ConnectionFlags): number | undefined {
  if (flags["max-tps"] === undefined) return undefined;
  const n = Number(flags["max-tps"]);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--max-tps must be a positive number (got '${flags["max-tps"]}')`);
  return n;
}

/**
 * A connection for one deployment and region: its endpoint, profile, or a role assumed
 * through STS with a session name naming patchctl and the deployment. Command-line
 * --endpoint-url/--profile apply only where the deployment says nothing.
 */
export async function connectDeployment(flags: ConnectionFlags, access: DeploymentAccess, region: string): Promise<Connection> {
  if (access.roleArn) {
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: access.roleArn, RoleSessionName: `patchctl-${access.name}`.slice(0, 64), ExternalId: access.externalId },
      clientConfig: { region },
    });
    const gateway = new AwsGateway({ region, endpointUrl: flags["endpoint-url"], credentialProvider: credentials, maxTps: maxTpsOf(flags) });
    return { gateway, region, close: async () => gateway.destroy() };
  }
  return connect({ ...flags, region, "endpoint-url": access.endpointUrl ?? flags["endpoint-url"], profile: access.profile ?? flags.profile, local: access.endpointUrl ? false : flags.local });
}
