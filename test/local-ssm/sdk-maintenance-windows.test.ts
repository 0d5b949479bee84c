import * as ssm from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { expectAwsError, rawCall, sdkClient } from "./helpers.js";

const {
  CreateMaintenanceWindowCommand, UpdateMaintenanceWindowCommand, GetMaintenanceWindowCommand, DeleteMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand,
  DescribeMaintenanceWindowScheduleCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, GetMaintenanceWindowTaskCommand,
  DescribeMaintenanceWindowTargetsCommand, AddTagsToResourceCommand, ListTagsForResourceCommand, RemoveTagsFromResourceCommand,
} = ssm;

let server: LocalSsm;
let client: ssm.SSMClient;

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
  client = sdkClient(server.url, "us-west-2");
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

const base = { Schedule: "cron(0 22 ? * TUE *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false };

/** The next time after now that falls on UTC weekday `day` (0 = Sunday) at `hour`:00, as SSM prints it. */
function nextWeekly(day: number, hour: number, after = new Date()): string {
  const d = new Date(after);
  d.setUTCHours(hour, 0, 0, 0);
  while (d.getUTCDay() !== day || d <= after) d.setUTCDate(d.getUTCDate() + 1);
  return `${d.toISOString().slice(0, 16)}Z`;
}

describe("maintenance windows", () => {
  it("create: mw- + 17 hex ids; read back with Enabled true, NextExecutionTime from the schedule, dates", async () => {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: "Production-Tuesdays", ...base }));
    expect(WindowId).toMatch(/^mw-[0-9a-f]{17}$/);
    const w = await client.send(new GetMaintenanceWindowCommand({ WindowId }));
    expect(w).toMatchObject({ WindowId, Name: "Production-Tuesdays", ...base, Enabled: true, NextExecutionTime: nextWeekly(2, 22) });
    expect(w.Description).toBeUndefined();
    expect(w.CreatedDate).toBeInstanceOf(Date);
    expect(w.ModifiedDate).toEqual(w.CreatedDate);
    expect(w).not.toHaveProperty("Tags");
  });

  it("create with every optional field; offsets, time zones and start dates shape NextExecutionTime", async () => {
    const input = {
      Name: "all-fields",
      Description: "Second Tuesday plus two days",
      Schedule: "cron(0 3 ? * TUE#2 *)",
      ScheduleTimezone: "America/Los_Angeles",
      ScheduleOffset: 2,
      StartDate: "2030-01-01T00:00:00Z",
      EndDate: "2031-01-01T00:00:00Z",
      Duration: 4,
      Cutoff: 2,
      AllowUnassociatedTargets: true,
    };
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand(input));
    const w = await client.send(new GetMaintenanceWindowCommand({ WindowId }));
    expect(w).toMatchObject(input);
    // Second Tuesday of January 2030 is the 8th; +2 days at 03:00 Los Angeles (UTC-8) = 2030-01-10T11:00Z.
    expect(w.NextExecutionTime).toBe("2030-01-10T11:00Z");
    const rate = await client.send(new CreateMaintenanceWindowCommand({ ...base, Name: "every-six-hours", Schedule: "rate(6 hours)" }));
    const r = await client.send(new GetMaintenanceWindowCommand({ WindowId: rate.WindowId }));
    expect(new Date(r.NextExecutionTime!).getTime()).toBeGreaterThan(Date.now());
    expect(Math.abs(new Date(r.NextExecutionTime!).getTime() - (r.CreatedDate!.getTime() + 6 * 3600_000))).toBeLessThan(60_000);
  });

  it("validation: ranges, cutoff < duration, schedules, time zones, offsets, dates, names — in AWS's words", async () => {
    const bad = (over: Partial<ssm.CreateMaintenanceWindowRequest>) => client.send(new CreateMaintenanceWindowCommand({ Name: "bad-window", ...base, ...over }));
    await expectAwsError(bad({ Duration: 25 }), "ValidationException", { message: "1 validation error detected: Value '25' at 'duration' failed to satisfy constraint: Member must have value less than or equal to 24" });
    await expectAwsError(bad({ Cutoff: -1 }), "ValidationException", { message: /Value '-1' at 'cutoff' failed to satisfy constraint: Member must have value greater than or equal to 0/ });
    await expectAwsError(bad({ Duration: 2, Cutoff: 2 }), "ValidationException", { message: /cutoff must be less than the duration/ });
    await expectAwsError(bad({ Schedule: "cron(0 2 * * SUN)" }), "ValidationException", { message: /Invalid schedule expression: cron\(0 2 \* \* SUN\)/ });
    await expectAwsError(bad({ Schedule: "rate(1 minute)" }), "ValidationException", { message: /Invalid schedule expression/ });
    await expectAwsError(bad({ Schedule: "" }), "ValidationException", { message: /at 'schedule' failed to satisfy constraint: Member must have length greater than or equal to 1/ });
    await expectAwsError(bad({ ScheduleTimezone: "Mars/Olympus_Mons" }), "ValidationException", { message: /ScheduleTimezone/ });
    await expectAwsError(bad({ Schedule: "rate(7 days)", ScheduleOffset: 2 }), "ValidationException", { message: /only with cron/ });
    await expectAwsError(bad({ ScheduleOffset: 7 }), "ValidationException", { message: /at 'scheduleOffset' failed to satisfy constraint: Member must have value less than or equal to 6/ });
    await expectAwsError(bad({ StartDate: "2030-02-01T00:00:00Z", EndDate: "2030-01-01T00:00:00Z" }), "ValidationException", { message: /EndDate .* must be later than the StartDate/ });
    await expectAwsError(bad({ StartDate: "next tuesday" }), "ValidationException", { message: /ISO-8601/ });
    await expectAwsError(bad({ StartDate: "" }), "ValidationException", { message: "1 validation error detected: Value '' at 'startDate' failed to satisfy constraint: Member must have length greater than or equal to 1" });
    await expectAwsError(bad({ Name: "no spaces" }), "ValidationException", { message: "1 validation error detected: Value 'no spaces' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$" });
    // Description is sensitive: AWS leaves its value out of the message.
    await expectAwsError(bad({ Description: "x".repeat(129) }), "ValidationException", { message: "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 128" });
    await expectAwsError(client.send(new CreateMaintenanceWindowCommand({ Name: "missing" } as ssm.CreateMaintenanceWindowRequest)), "ValidationException", {
      message: /^4 validation errors detected: Value null at 'schedule' failed to satisfy constraint: Member must not be null; Value null at 'duration'.*; Value null at 'cutoff'.*; Value null at 'allowUnassociatedTargets'/,
    });
    // There is no Enabled on create: a disabled window is create, then update.
    const raw = await rawCall(server.url, "AmazonSSM.CreateMaintenanceWindow", JSON.stringify({ Name: "enabled-on-create", ...base, Enabled: false }));
    expect([raw.status, raw.json.__type]).toEqual([400, "SerializationException"]);
  });

  it("update without Replace changes only what is given; with Replace the omitted optional fields go and Enabled returns to true", async () => {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: "upd-window", ...base, Description: "keep", ScheduleTimezone: "Europe/Paris", StartDate: "2026-01-01T00:00:00Z" }));
    const out = await client.send(new UpdateMaintenanceWindowCommand({ WindowId, Duration: 4, Enabled: false }));
    expect(out).toMatchObject({ WindowId, Name: "upd-window", Duration: 4, Cutoff: 1, Description: "keep", ScheduleTimezone: "Europe/Paris", Enabled: false, AllowUnassociatedTargets: false });
    expect(out).not.toHaveProperty("NextExecutionTime");
    expect(out).not.toHaveProperty("CreatedDate");
    const disabled = await client.send(new GetMaintenanceWindowCommand({ WindowId }));
    expect(disabled.NextExecutionTime).toBeUndefined();
    expect(disabled.ModifiedDate!.getTime()).toBeGreaterThanOrEqual(disabled.CreatedDate!.getTime());
    await expectAwsError(client.send(new UpdateMaintenanceWindowCommand({ WindowId, Replace: true, Name: "upd-window" })), "ValidationException", {
      message: "4 validation errors detected: Value null at 'schedule' failed to satisfy constraint: Member must not be null; Value null at 'duration' failed to satisfy constraint: Member must not be null; Value null at 'cutoff' failed to satisfy constraint: Member must not be null; Value null at 'allowUnassociatedTargets' failed to satisfy constraint: Member must not be null",
    });
    await client.send(new UpdateMaintenanceWindowCommand({ WindowId, Replace: true, Name: "upd-window", ...base }));
    const replaced = await client.send(new GetMaintenanceWindowCommand({ WindowId }));
    expect(replaced.Enabled).toBe(true);
    expect(replaced.Description).toBeUndefined();
    expect(replaced.ScheduleTimezone).toBeUndefined();
    expect(replaced.StartDate).toBeUndefined();
    await expectAwsError(client.send(new UpdateMaintenanceWindowCommand({ WindowId, Cutoff: 3 })), "ValidationException", { message: /cutoff must be less than the duration/ });
    await expectAwsError(client.send(new UpdateMaintenanceWindowCommand({ WindowId: "mw-0123456789abcdef0", Duration: 2 })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
  });

  it("describe: Name and Enabled filters, identities without AllowUnassociatedTargets or dates, MaxResults 10..100, paginator", async () => {
    const c = sdkClient(server.url, "sa-east-1");
    for (let i = 0; i < 25; i++) await c.send(new CreateMaintenanceWindowCommand({ Name: `page-${String(i).padStart(2, "0")}`, ...base, Description: `window ${i}` }));
    const [w0] = (await c.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Name", Values: ["page-00"] }] }))).WindowIdentities!;
    expect(w0).toEqual({ WindowId: expect.stringMatching(/^mw-/), Name: "page-00", Description: "window 0", Enabled: true, Duration: 3, Cutoff: 1, Schedule: base.Schedule, NextExecutionTime: nextWeekly(2, 22) });
    await c.send(new UpdateMaintenanceWindowCommand({ WindowId: w0!.WindowId, Enabled: false }));
    expect((await c.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Enabled", Values: ["false"] }] }))).WindowIdentities!.map((w) => w.Name)).toEqual(["page-00"]);
    const names: string[] = [];
    let pages = 0;
    for await (const page of ssm.paginateDescribeMaintenanceWindows({ client: c, pageSize: 10 }, {})) {
      pages++;
      expect(page.WindowIdentities!.length).toBeLessThanOrEqual(10);
      names.push(...page.WindowIdentities!.map((w) => w.Name!));
    }
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(2, "0")}`));
    await expectAwsError(c.send(new DescribeMaintenanceWindowsCommand({ MaxResults: 9 })), "ValidationException", { message: /Value '9' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 10/ });
    await expectAwsError(c.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Owner", Values: ["me"] }] })), "ValidationException");
    c.destroy();
  });

  it("delete takes the window's targets and tasks with it; deleting an unknown window succeeds (the model gives it no error)", async () => {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: "cascade", ...base }));
    const { WindowTargetId } = await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Patch Group", Values: ["Production"] }] }));
    const { WindowTaskId } = await client.send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId, TaskArn: "AWS-RunPatchBaseline", TaskType: "RUN_COMMAND", Targets: [{ Key: "WindowTargetIds", Values: [WindowTargetId!] }], MaxConcurrency: "1", MaxErrors: "0" }));
    expect(await client.send(new DeleteMaintenanceWindowCommand({ WindowId }))).toMatchObject({ WindowId });
    await expectAwsError(client.send(new GetMaintenanceWindowCommand({ WindowId })), "DoesNotExistException", { cls: ssm.DoesNotExistException, message: `Maintenance window ${WindowId} does not exist` });
    await expectAwsError(client.send(new GetMaintenanceWindowTaskCommand({ WindowId, WindowTaskId })), "DoesNotExistException");
    await expectAwsError(client.send(new DescribeMaintenanceWindowTargetsCommand({ WindowId })), "DoesNotExistException");
    expect(await client.send(new DeleteMaintenanceWindowCommand({ WindowId }))).toMatchObject({ WindowId });
    await expectAwsError(client.send(new GetMaintenanceWindowCommand({ WindowId: "mw-123" })), "ValidationException", { message: /at 'windowId' failed to satisfy constraint/ });
  });

  it("ClientToken idempotency, and the quota of 50 windows", async () => {
    const c = sdkClient(server.url, "ap-south-1");
    const req = { Name: "idem-window", ...base, ClientToken: "window-token" };
    const a = await c.send(new CreateMaintenanceWindowCommand(req));
    const b = await c.send(new CreateMaintenanceWindowCommand(req));
    expect(b.WindowId).toBe(a.WindowId);
    await expectAwsError(c.send(new CreateMaintenanceWindowCommand({ ...req, Duration: 5 })), "IdempotentParameterMismatch", { cls: ssm.IdempotentParameterMismatch });
    for (let i = 1; i < 50; i++) await c.send(new CreateMaintenanceWindowCommand({ Name: `q-${i}`, ...base }));
    await expectAwsError(c.send(new CreateMaintenanceWindowCommand({ Name: "q-50", ...base })), "ResourceLimitExceededException", { cls: ssm.ResourceLimitExceededException });
    // The replay of a token does not count against the quota.
    expect((await c.send(new CreateMaintenanceWindowCommand(req))).WindowId).toBe(a.WindowId);
    c.destroy();
  });

  it("tags on windows: at create, add, remove, list; unknown window is InvalidResourceId", async () => {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: "tagged-window", ...base, Tags: [{ Key: "Environment", Value: "Production" }] }));
    await client.send(new AddTagsToResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: WindowId, Tags: [{ Key: "Team", Value: "Ops" }] }));
    await client.send(new RemoveTagsFromResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: WindowId, TagKeys: ["Environment"] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: WindowId }))).TagList).toEqual([{ Key: "Team", Value: "Ops" }]);
    await expectAwsError(client.send(new ListTagsForResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: "mw-0123456789abcdef0" })), "InvalidResourceId", { cls: ssm.InvalidResourceId });
  });

  it("DescribeMaintenanceWindowSchedule: upcoming runs by window or by target, filters, paging", async () => {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: "sched-window", ...base, Schedule: "cron(0 4 ? * SUN *)" }));
    await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: "INSTANCE", Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }] }));
    const first = await client.send(new DescribeMaintenanceWindowScheduleCommand({ WindowId, MaxResults: 2 }));
    expect(first.ScheduledWindowExecutions).toEqual([
      { WindowId, Name: "sched-window", ExecutionTime: nextWeekly(0, 4) },
      { WindowId, Name: "sched-window", ExecutionTime: nextWeekly(0, 4, new Date(Date.parse(nextWeekly(0, 4)) + 60_000)) },
    ]);
    expect(first.NextToken).toBeTruthy();
    const second = await client.send(new DescribeMaintenanceWindowScheduleCommand({ WindowId, MaxResults: 2, NextToken: first.NextToken }));
    expect(Date.parse(second.ScheduledWindowExecutions![0]!.ExecutionTime!)).toBeGreaterThan(Date.parse(first.ScheduledWindowExecutions![1]!.ExecutionTime!));
    const byTarget = await client.send(new DescribeMaintenanceWindowScheduleCommand({ Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }], ResourceType: "INSTANCE", MaxResults: 1 }));
    expect(byTarget.ScheduledWindowExecutions![0]!.WindowId).toBe(WindowId);
    const before = new Date(Date.now() + 15 * 86_400_000).toISOString();
    const bounded = await client.send(new DescribeMaintenanceWindowScheduleCommand({ WindowId, Filters: [{ Key: "ScheduledBefore", Values: [before] }] }));
    expect(bounded.ScheduledWindowExecutions!.length).toBeGreaterThanOrEqual(2);
    expect(bounded.ScheduledWindowExecutions!.length).toBeLessThanOrEqual(3);
    await expectAwsError(client.send(new DescribeMaintenanceWindowScheduleCommand({})), "ValidationException", { message: /WindowId or Targets/ });
    await expectAwsError(client.send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: "mw-0123456789abcdef0" })), "DoesNotExistException");
  });
});
