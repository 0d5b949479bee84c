import * as ssm from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { expectAwsError, rawCall, sdkClient } from "./helpers.js";

const { DescribePatchBaselinesCommand, CreateMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand } = ssm;

let server: LocalSsm;

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

describe("AWS JSON 1.1 on the wire", () => {
  it("a success is 200 application/x-amz-json-1.1 with a request id", async () => {
    const res = await rawCall(server.url, "AmazonSSM.GetDefaultPatchBaseline", "{}");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json).toMatchObject({ OperatingSystem: "WINDOWS", BaselineId: expect.stringMatching(/^arn:aws:ssm:us-east-1:/) });
    // An empty body is an empty request.
    expect((await rawCall(server.url, "AmazonSSM.GetDefaultPatchBaseline", "")).status).toBe(200);
  });

  it("unknown operations, other services and a missing target: 400 UnknownOperationException as JSON, never HTML", async () => {
    for (const target of ["AmazonSSM.LaunchRocket", "AmazonEC2.RunInstances", "garbage"]) {
      const res = await rawCall(server.url, target, "{}");
      expect(res.status, target).toBe(400);
      expect(res.json).toEqual({ __type: "UnknownOperationException", message: expect.stringContaining(target) });
    }
    const none = await fetch(server.url, { method: "POST", body: "{}" });
    expect([none.status, ((await none.json()) as { __type: string }).__type]).toEqual([400, "UnknownOperationException"]);
    const get = await fetch(`${server.url}/`, { headers: { "x-amz-target": "AmazonSSM.GetDefaultPatchBaseline" } });
    expect(get.status).toBe(400);
    expect(get.headers.get("content-type")).toMatch(/json/);
  });

  it("malformed bodies are SerializationException: bad JSON, a non-object, wrong member types, unknown members, bad base64", async () => {
    const cases: [string, string, RegExp][] = [
      ["AmazonSSM.GetPatchBaseline", "{not json", /not valid JSON/],
      ["AmazonSSM.GetPatchBaseline", "[1,2]", /JSON object/],
      ["AmazonSSM.GetPatchBaseline", "42", /JSON object/],
      ["AmazonSSM.GetPatchBaseline", JSON.stringify({ BaselineId: 42 }), /baselineId: expected a string/],
      ["AmazonSSM.CreateMaintenanceWindow", JSON.stringify({ Name: "abc", Schedule: "rate(1 day)", Duration: "2", Cutoff: 1, AllowUnassociatedTargets: true }), /duration: expected an integer/],
      ["AmazonSSM.CreateMaintenanceWindow", JSON.stringify({ Name: "abc", Schedule: "rate(1 day)", Duration: 2.5, Cutoff: 1, AllowUnassociatedTargets: true }), /not a valid integer/],
      ["AmazonSSM.CreatePatchBaseline", JSON.stringify({ Name: "abc", Tags: { Key: "a" } }), /tags: expected a list/],
      ["AmazonSSM.CreatePatchBaseline", JSON.stringify({ Name: "abc", Colour: "blue" }), /Unrecognized field "Colour"/],
      ["AmazonSSM.CreatePatchBaseline", JSON.stringify({ Name: "abc", ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [] }, Extra: 1 }] } }), /Unrecognized field "Extra" \(PatchRule\)/],
      ["AmazonSSM.RegisterTaskWithMaintenanceWindow", JSON.stringify({ WindowId: "mw-0123456789abcdef0", TaskArn: "f", TaskType: "LAMBDA", TaskInvocationParameters: { Lambda: { Payload: "%%%" } } }), /base64/],
    ];
    for (const [target, body, message] of cases) {
      const res = await rawCall(server.url, target, body);
      expect(res.status, body).toBe(400);
      expect(res.json.__type, body).toBe("SerializationException");
      expect(String(res.json.message), body).toMatch(message);
    }
    // Explicit nulls are absent members, as AWS treats them.
    const nulls = await rawCall(server.url, "AmazonSSM.DescribePatchBaselines", JSON.stringify({ MaxResults: null, Filters: null }));
    expect(nulls.status).toBe(200);
  });

  it("bodies over 1 MB: 413 with a JSON error", async () => {
    const res = await fetch(server.url, { method: "POST", headers: { "x-amz-target": "AmazonSSM.CreatePatchBaseline" }, body: "x".repeat(1_100_000) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { __type: string }).__type).toBe("SerializationException");
  });

  it("every violation is reported at once, in AWS's format, paths included", async () => {
    const c = sdkClient(server.url);
    await expectAwsError(
      c.send(new ssm.CreatePatchBaselineCommand({ Name: "ok-name", ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "PRODUCT", Values: [] }] }, ApproveAfterDays: 361 }] }, Description: "" })),
      "ValidationException",
      {
        message:
          "3 validation errors detected: Value '[]' at 'approvalRules.patchRules.1.member.patchFilterGroup.patchFilters.1.member.values' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '361' at 'approvalRules.patchRules.1.member.approveAfterDays' failed to satisfy constraint: Member must have value less than or equal to 360; Value '' at 'description' failed to satisfy constraint: Member must have length greater than or equal to 1",
      },
    );
    await expectAwsError(
      c.send(new ssm.RegisterTaskWithMaintenanceWindowCommand({ WindowId: "mw-0123456789abcdef0", TaskArn: "AWS-RunPatchBaseline", TaskType: "AUTOMATION", TaskInvocationParameters: { Automation: { Parameters: { ["k".repeat(51)]: ["v"] } } } })),
      "ValidationException",
      { message: "1 validation error detected: Value '{kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk=[v]}' at 'taskInvocationParameters.automation.parameters' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 50]" },
    );
    c.destroy();
  });

  it("admin routes: health, stats by operation and error code, reset; unknown admin path 404", async () => {
    const s = await startLocalSsm({ port: 0 });
    const c = sdkClient(s.url);
    expect(await (await fetch(`${s.url}/_local/health`)).json()).toEqual({ ok: true });
    await c.send(new DescribePatchBaselinesCommand({}));
    await c.send(new DescribePatchBaselinesCommand({}));
    await expectAwsError(c.send(new ssm.GetPatchBaselineCommand({ BaselineId: "pb-0123456789abcdef0" })), "DoesNotExistException");
    await rawCall(s.url, "AmazonSSM.Bogus", "{}");
    const stats = (await (await fetch(`${s.url}/_local/stats`)).json()) as { calls: Record<string, number>; errors: Record<string, number>; throttled: number; total: number };
    expect(stats).toEqual({ calls: { DescribePatchBaselines: 2, GetPatchBaseline: 1, Bogus: 1 }, errors: { DoesNotExistException: 1, UnknownOperationException: 1 }, throttled: 0, total: 4 });
    expect(s.stats()).toEqual(stats);
    expect((await fetch(`${s.url}/_local/stats/reset`, { method: "POST" })).status).toBe(200);
    expect(s.stats()).toEqual({ calls: {}, errors: {}, throttled: 0, total: 0 });
    await c.send(new DescribePatchBaselinesCommand({}));
    s.resetStats();
    expect(s.stats().total).toBe(0);
    expect((await fetch(`${s.url}/_local/nothing`)).status).toBe(404);
    c.destroy();
    await s.close();
  });
});

describe("fault and load knobs", () => {
  it("--tps: a token bucket per account and region; over it ThrottlingException 'Rate exceeded' (HTTP 400), counted", async () => {
    const s = await startLocalSsm({ port: 0, tps: 5 });
    const c = sdkClient(s.url, "us-east-1", "111111111111");
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => c.send(new DescribePatchBaselinesCommand({}))));
    const throttled = results.filter((r) => r.status === "rejected");
    expect(throttled.length).toBeGreaterThanOrEqual(14);
    for (const r of throttled) {
      const err = (r as PromiseRejectedResult).reason as ssm.SSMServiceException;
      expect(err.name).toBe("ThrottlingException");
      expect(err.message).toBe("Rate exceeded");
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
    expect(s.stats()).toMatchObject({ throttled: throttled.length, calls: { DescribePatchBaselines: 20 }, errors: { ThrottlingException: throttled.length } });
    // Another account, and another region, have their own buckets.
    await sdkClient(s.url, "us-east-1", "222222222222").send(new DescribePatchBaselinesCommand({}));
    await sdkClient(s.url, "us-west-1", "111111111111").send(new DescribePatchBaselinesCommand({}));
    // The bucket refills at tps per second.
    await new Promise((r) => setTimeout(r, 450));
    await c.send(new DescribePatchBaselinesCommand({}));
    c.destroy();
    await s.close();
  });

  it("--tps: the SDK's own retries get through a throttle", async () => {
    const s = await startLocalSsm({ port: 0, tps: 10 });
    const c = new ssm.SSMClient({ region: "us-east-1", endpoint: s.url, credentials: { accessKeyId: "AKIA111111111111TEST", secretAccessKey: "x" }, maxAttempts: 8 });
    const out = await Promise.all(Array.from({ length: 15 }, () => c.send(new DescribePatchBaselinesCommand({ MaxResults: 1 }))));
    expect(out).toHaveLength(15);
    expect(s.stats().throttled).toBeGreaterThan(0);
    c.destroy();
    await s.close();
  });

  it("--fail-rate: InternalServerError, HTTP 500, the SDK's modeled class; nothing is changed", async () => {
    const s = await startLocalSsm({ port: 0, failRate: 1 });
    const c = sdkClient(s.url);
    const err = await expectAwsError(c.send(new CreateMaintenanceWindowCommand({ Name: "never", Schedule: "rate(1 day)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true })), "InternalServerError", { cls: ssm.InternalServerError });
    expect((err as ssm.InternalServerError).$metadata.httpStatusCode).toBe(500);
    expect(s.stats().errors).toEqual({ InternalServerError: 1 });
    c.destroy();
    await s.close();
    const half = await startLocalSsm({ port: 0, failRate: 0.5 });
    const h = sdkClient(half.url);
    const results = await Promise.allSettled(Array.from({ length: 60 }, () => h.send(new DescribeMaintenanceWindowsCommand({}))));
    const failed = results.filter((r) => r.status === "rejected").length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(50);
    h.destroy();
    await half.close();
  });

  it("--throttle-rate and --latency-ms", async () => {
    const storm = await startLocalSsm({ port: 0, throttleRate: 1 });
    const c = sdkClient(storm.url);
    await expectAwsError(c.send(new DescribePatchBaselinesCommand({})), "ThrottlingException", { message: "Rate exceeded" });
    expect(storm.stats().throttled).toBe(1);
    c.destroy();
    await storm.close();
    const slow = await startLocalSsm({ port: 0, latencyMs: 150 });
    const d = sdkClient(slow.url);
    const t0 = Date.now();
    await d.send(new DescribePatchBaselinesCommand({ MaxResults: 1 }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    d.destroy();
    await slow.close();
  });

  it("options are checked", async () => {
    await expect(startLocalSsm({ port: 0, failRate: 2 })).rejects.toThrow(/failRate/);
    await expect(startLocalSsm({ port: 0, accountId: "12" })).rejects.toThrow(/accountId/);
  });
});
