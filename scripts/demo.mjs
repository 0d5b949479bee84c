// npm run demo: the whole loop against a fresh, offline local SSM endpoint.
// validate every example → plan → apply → plan again (empty) → an out-of-band
// change through the AWS SDK → drift report.
import { SSMClient, UpdateMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand } from "@aws-sdk/client-ssm";
import { runCli } from "../dist/src/cli/main.js";
import { startLocalSsm } from "../dist/src/local-ssm/index.js";

const examples = ["examples/walkthrough", "examples/blog", "examples/recipe"];
const step = (title) => console.log(`\n\x1b[1m==> ${title}\x1b[0m`);
const expectCode = (code, allowed, what) => {
  if (!allowed.includes(code)) {
    console.error(`demo: ${what} exited ${code}, expected ${allowed.join(" or ")}`);
    process.exit(1);
  }
};

for (const dir of examples) {
  step(`patchctl validate ${dir}`);
  expectCode(await runCli(["validate", dir]), [0], `validate ${dir}`);
}

const server = await startLocalSsm({ port: 0, fleetFile: "examples/fleet/fleet.yaml" });
process.env.AWS_ACCESS_KEY_ID = "AKIADEMODEMODEMO";
process.env.AWS_SECRET_ACCESS_KEY = "demo-secret";
const common = ["--endpoint-url", server.url, "--region", "us-east-1"];
try {
  const dir = "examples/walkthrough";
  step(`patchctl reconcile ${dir} --plan   (local SSM at ${server.url})`);
  expectCode(await runCli(["reconcile", dir, "--plan", ...common]), [2], "plan");

  step(`patchctl reconcile ${dir}   (apply)`);
  expectCode(await runCli(["reconcile", dir, ...common]), [0], "apply");

  step(`patchctl reconcile ${dir} --plan   (after apply: nothing to do)`);
  expectCode(await runCli(["reconcile", dir, "--plan", ...common]), [0], "second plan");

  step("out-of-band change through the AWS SDK: Production-Tuesdays duration 1 → 3 hours");
  const ssm = new SSMClient({ region: "us-east-1", endpoint: server.url });
  const { WindowIdentities } = await ssm.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Name", Values: ["Production-Tuesdays"] }] }));
  await ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: WindowIdentities[0].WindowId, Duration: 3 }));
  ssm.destroy();

  step(`patchctl drift ${dir}`);
  expectCode(await runCli(["drift", dir, ...common]), [2], "drift");
  step(`patchctl compliance ${dir} --instances   (the simulated fleet of examples/fleet/fleet.yaml)`);
  expectCode(await runCli(["compliance", dir, "--instances", ...common]), [0], "compliance");

  console.log("\nDemo complete: exit codes 2 (changes), 0 (applied / in sync) and 2 (drift) as documented.");
} finally {
  await server.close();
}
