import { describe, expect, it } from "vitest";
import { ControllerMetrics } from "../../src/controller/metrics.js";

// Prometheus' conventions: a _total is a counter (it only grows, by what happened since the last
// scrape's sync), labelled by deployment and region so several controllers in one process do not
// overwrite each other.
describe("ControllerMetrics: AWS call counters", () => {
  it("syncs the gateways' growing counts as counters, per deployment and region, with the throttled attempts and the paced rate", async () => {
    const m = new ControllerMetrics();
    const dev = { calls: { GetMaintenanceWindow: 3 }, errors: {}, throttled: { GetMaintenanceWindow: 1 } };
    const prod = { calls: { GetMaintenanceWindow: 5 }, errors: { "GetMaintenanceWindow:DoesNotExistException": 1 }, throttled: {} };
    m.syncCalls(dev, { deployment: "dev", region: "eu-west-1" }, { ssm: { rate: 48.5 } });
    m.syncCalls(prod, { deployment: "prod", region: "us-east-1" });
    dev.calls.GetMaintenanceWindow = 7; // the next cycle: the gateway's counts grew
    m.syncCalls(dev, { deployment: "dev", region: "eu-west-1" }, { ssm: { rate: 50 } });
    m.syncCalls(dev, { deployment: "dev", region: "eu-west-1" }); // nothing new: nothing added
    const text = await m.registry.metrics();
    expect(text).toContain("# TYPE patchctl_ssm_calls_total counter");
    expect(text).toContain("# TYPE patchctl_ssm_errors_total counter");
    expect(text).toContain("# TYPE patchctl_ssm_throttled_total counter");
    expect(text).toContain('patchctl_ssm_calls_total{deployment="dev",region="eu-west-1",operation="GetMaintenanceWindow"} 7');
    expect(text).toContain('patchctl_ssm_calls_total{deployment="prod",region="us-east-1",operation="GetMaintenanceWindow"} 5');
    expect(text).toContain('patchctl_ssm_errors_total{deployment="prod",region="us-east-1",operation="GetMaintenanceWindow",code="DoesNotExistException"} 1');
    expect(text).toContain('patchctl_ssm_throttled_total{deployment="dev",region="eu-west-1",operation="GetMaintenanceWindow"} 1');
    expect(text).toContain('patchctl_ssm_rate_calls_per_second{deployment="dev",region="eu-west-1",service="ssm"} 50');
    // Without deployments the label is empty, as watch.test.ts reads it.
    m.syncCalls({ calls: { GetMaintenanceWindow: 2 }, errors: {} }, { region: "us-east-1" });
    expect(await m.registry.metrics()).toMatch(/patchctl_ssm_calls_total\{deployment="",region="[^"]+",operation="GetMaintenanceWindow"\} \d+/);
  });
});
