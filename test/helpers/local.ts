import { SSMClient } from "@aws-sdk/client-ssm";
import { runCli } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/output.js";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { AwsGateway } from "../../src/aws/gateway.js";
import { relaxedPoliciesDir } from "./relaxed-policies.js";

export const REGION = "us-east-1";
export const CREDENTIALS = { accessKeyId: "AKIATESTTESTTEST", secretAccessKey: "test-secret-key" };

export interface LocalHarness {
  server: LocalSsm;
  url: string;
  sdk: SSMClient;
  gateway(): AwsGateway;
  /** Runs the patchctl CLI in-process against this endpoint; returns the exit code and what it printed. */
  cli(args: string[]): Promise<{ code: number; out: string; err: string }>;
  close(): Promise<void>;
}

export async function startHarness(opts: Parameters<typeof startLocalSsm>[0] = {}): Promise<LocalHarness> {
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  const server = await startLocalSsm({ port: 0, ...opts });
  const sdk = new SSMClient({ region: REGION, endpoint: server.url, credentials: CREDENTIALS });
  const gateways: AwsGateway[] = [];
  return {
    server,
    url: server.url,
    sdk,
    gateway() {
      const gw = new AwsGateway({ region: REGION, endpointUrl: server.url, credentials: CREDENTIALS });
      gateways.push(gw);
      return gw;
    },
    async cli(args) {
      let out = "";
      let err = "";
      const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
      // Engine tests: built-in policies only warn (they are tested on their own in test/policy).
      const relax = (args[0] === "reconcile" || args[0] === "drift") && !args.includes("--policies") ? ["--policies", relaxedPoliciesDir()] : [];
      const code = await runCli([...args, ...relax, "--endpoint-url", server.url, "--region", REGION], io);
      return { code, out, err };
    },
    async close() {
      sdk.destroy();
      for (const g of gateways) g.destroy();
      await server.close();
    },
  };
}
