import * as ssm from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { expectAwsError, rawCall, sdkClient, WINDOWS_RULE } from "./helpers.js";

const {
  CreatePatchBaselineCommand, GetPatchBaselineCommand, UpdatePatchBaselineCommand, DeletePatchBaselineCommand, DescribePatchBaselinesCommand,
  RegisterPatchBaselineForPatchGroupCommand, DeregisterPatchBaselineForPatchGroupCommand, DescribePatchGroupsCommand, GetPatchBaselineForPatchGroupCommand,
  RegisterDefaultPatchBaselineCommand, GetDefaultPatchBaselineCommand, AddTagsToResourceCommand, RemoveTagsFromResourceCommand, ListTagsForResourceCommand,
} = ssm;

let server: LocalSsm;
let client: ssm.SSMClient;

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
  client = sdkClient(server.url, "eu-west-1");
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

const OPERATING_SYSTEMS = Object.values(ssm.OperatingSystem);

async function allPages<T>(fetchPage: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.next;
    pages++;
  } while (token);
  return { items, pages };
}

describe("patch baselines", () => {
  it("create: pb- + 17 hex ids, and every read-back default", async () => {
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "defaults-base", ApprovalRules: { PatchRules: [WINDOWS_RULE] } }));
    expect(BaselineId).toMatch(/^pb-[0-9a-f]{17}$/);
    const got = await client.send(new GetPatchBaselineCommand({ BaselineId }));
    expect(got).toMatchObject({
      BaselineId,
      Name: "defaults-base",
      OperatingSystem: "WINDOWS",
      GlobalFilters: { PatchFilters: [] },
      ApprovedPatches: [],
      RejectedPatches: [],
      Sources: [],
      ApprovedPatchesComplianceLevel: "UNSPECIFIED",
      ApprovedPatchesEnableNonSecurity: false,
      RejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
      PatchGroups: [],
    });
    expect(got.ApprovalRules!.PatchRules![0]).toEqual({ ...WINDOWS_RULE, ComplianceLevel: "UNSPECIFIED", EnableNonSecurity: false });
    expect(got.Description).toBeUndefined();
    expect(got.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(got.CreatedDate!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(got.ModifiedDate).toEqual(got.CreatedDate);
    expect(got).not.toHaveProperty("Tags");
  });

  it("create with every field reads them back (Linux: sources, non-security, until-date)", async () => {
    const input = {
      Name: "full-al2",
      OperatingSystem: "AMAZON_LINUX_2" as const,
      Description: "All the fields",
      GlobalFilters: { PatchFilters: [{ Key: "PRODUCT" as const, Values: ["AmazonLinux2", "AmazonLinux2.0"] }] },
      ApprovalRules: {
        PatchRules: [
          { PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION" as const, Values: ["Security"] }, { Key: "SEVERITY" as const, Values: ["Critical"] }] }, ComplianceLevel: "CRITICAL" as const, ApproveAfterDays: 3, EnableNonSecurity: true },
          { PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION" as const, Values: ["Bugfix"] }] }, ApproveUntilDate: "2026-12-31" },
        ],
      },
      ApprovedPatches: ["kernel-5.10.1"],
      ApprovedPatchesComplianceLevel: "HIGH" as const,
      ApprovedPatchesEnableNonSecurity: true,
      RejectedPatches: ["openssl-1.0*"],
      RejectedPatchesAction: "BLOCK" as const,
      Sources: [{ Name: "My-AL2", Products: ["AmazonLinux2"], Configuration: "[main]\nname=MyRepo\nbaseurl=https://repo.example.com/al2\nenabled=1" }],
    };
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand(input));
    const got = await client.send(new GetPatchBaselineCommand({ BaselineId }));
    const { Name, OperatingSystem, Description, GlobalFilters, ApprovedPatches, ApprovedPatchesComplianceLevel, ApprovedPatchesEnableNonSecurity, RejectedPatches, RejectedPatchesAction, Sources } = input;
    expect(got).toMatchObject({ Name, OperatingSystem, Description, GlobalFilters, ApprovedPatches, ApprovedPatchesComplianceLevel, ApprovedPatchesEnableNonSecurity, RejectedPatches, RejectedPatchesAction, Sources });
    expect(got.ApprovalRules!.PatchRules).toEqual([input.ApprovalRules.PatchRules[0], { ...input.ApprovalRules.PatchRules[1], ComplianceLevel: "UNSPECIFIED", EnableNonSecurity: false }]);
  });

  it("update without Replace changes only the given fields and returns the whole baseline (no PatchGroups)", async () => {
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "upd-base", Description: "keep me", ApprovalRules: { PatchRules: [WINDOWS_RULE] }, RejectedPatches: ["KB1"] }));
    const before = await client.send(new GetPatchBaselineCommand({ BaselineId }));
    await new Promise((r) => setTimeout(r, 5));
    const out = await client.send(new UpdatePatchBaselineCommand({ BaselineId, ApprovedPatches: ["KB2"], ApprovedPatchesComplianceLevel: "LOW" }));
    expect(out).toMatchObject({ BaselineId, Name: "upd-base", OperatingSystem: "WINDOWS", Description: "keep me", ApprovedPatches: ["KB2"], RejectedPatches: ["KB1"], ApprovedPatchesComplianceLevel: "LOW" });
    expect(out).not.toHaveProperty("PatchGroups");
    expect(out.ModifiedDate!.getTime()).toBeGreaterThan(before.ModifiedDate!.getTime());
    expect(out.CreatedDate).toEqual(before.CreatedDate);
    const after = await client.send(new GetPatchBaselineCommand({ BaselineId }));
    expect(after.ApprovalRules).toEqual(before.ApprovalRules);
  });

  it("update with Replace=true resets every omitted optional field; Name is then required", async () => {
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "repl-base", Description: "d", ApprovalRules: { PatchRules: [WINDOWS_RULE] }, ApprovedPatches: ["KB1"], RejectedPatchesAction: "BLOCK", ApprovedPatchesComplianceLevel: "HIGH", AvailableSecurityUpdatesComplianceStatus: "NON_COMPLIANT" }));
    await expectAwsError(client.send(new UpdatePatchBaselineCommand({ BaselineId, Replace: true })), "ValidationException", { message: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null" });
    // A baseline must still approve something (rules or patches), so the Replace keeps one approved patch.
    await client.send(new UpdatePatchBaselineCommand({ BaselineId, Name: "repl-base-2", ApprovedPatches: ["KB9"], Replace: true }));
    const got = await client.send(new GetPatchBaselineCommand({ BaselineId }));
    expect(got).toMatchObject({ Name: "repl-base-2", ApprovalRules: { PatchRules: [] }, ApprovedPatches: ["KB9"], RejectedPatchesAction: "ALLOW_AS_DEPENDENCY", ApprovedPatchesComplianceLevel: "UNSPECIFIED" });
    expect(got.Description).toBeUndefined();
    expect(got.AvailableSecurityUpdatesComplianceStatus).toBeUndefined();
  });

  it("OperatingSystem cannot be updated: it is not an UpdatePatchBaseline member", async () => {
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "os-fixed", ApprovalRules: { PatchRules: [WINDOWS_RULE] } }));
    const res = await rawCall(server.url, "AmazonSSM.UpdatePatchBaseline", JSON.stringify({ BaselineId, OperatingSystem: "UBUNTU" }));
    expect(res.status).toBe(400);
    expect(res.json.__type).toBe("SerializationException");
    expect(String(res.json.message)).toMatch(/OperatingSystem/);
    expect((await client.send(new GetPatchBaselineCommand({ BaselineId }))).OperatingSystem).toBe("WINDOWS");
  });

  it("the service's content rules: approval delay per OS, filter keys per OS, Linux-only and Windows-only fields", async () => {
    const linuxRule = { PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION" as const, Values: ["Security"] }] }, ApproveAfterDays: 7 };
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "ubuntu-delay", OperatingSystem: "UBUNTU", ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "PRIORITY", Values: ["Required"] }] }, ApproveAfterDays: 7 }] } })), "ValidationException", { message: /not supported for operating system UBUNTU/ });
    const ubuntu = await client.send(new CreatePatchBaselineCommand({ Name: "ubuntu-ok", OperatingSystem: "UBUNTU", ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "PRIORITY", Values: ["Required"] }] } }] } }));
    expect(ubuntu.BaselineId).toMatch(/^pb-/);
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "al2-msrc", OperatingSystem: "AMAZON_LINUX_2", ApprovalRules: { PatchRules: [{ ...linuxRule, PatchFilterGroup: { PatchFilters: [{ Key: "MSRC_SEVERITY", Values: ["Critical"] }] } }] } })), "ValidationException", { message: /MSRC_SEVERITY is not supported for operating system AMAZON_LINUX_2/ });
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "no-delay", ApprovalRules: { PatchRules: [{ PatchFilterGroup: WINDOWS_RULE.PatchFilterGroup }] } })), "ValidationException", { message: /ApproveAfterDays or ApproveUntilDate/ });
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "both-delays", ApprovalRules: { PatchRules: [{ ...WINDOWS_RULE, ApproveUntilDate: "2026-01-01" }] } })), "ValidationException", { message: /not both/ });
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "bad-until", ApprovalRules: { PatchRules: [{ PatchFilterGroup: WINDOWS_RULE.PatchFilterGroup, ApproveUntilDate: "2026-13-45" }] } })), "ValidationException", { message: /YYYY-MM-DD/ });
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "win-sources", Sources: [{ Name: "repo", Products: ["x"], Configuration: "y" }] })), "ValidationException", { message: /Linux operating systems only/ });
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "al2-asu", OperatingSystem: "AMAZON_LINUX_2", AvailableSecurityUpdatesComplianceStatus: "COMPLIANT" })), "ValidationException", { message: /WINDOWS only/ });
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "dup-keys", ApprovalRules: { PatchRules: [{ ...WINDOWS_RULE, PatchFilterGroup: { PatchFilters: [{ Key: "PRODUCT", Values: ["WindowsServer2019"] }, { Key: "PRODUCT", Values: ["WindowsServer2022"] }] } }] } })), "ValidationException", { message: /more than once/ });
    // An update is checked on the result: a Replace that drops the delay of a Windows rule is refused.
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "rules-upd", ApprovalRules: { PatchRules: [WINDOWS_RULE] } }));
    await expectAwsError(client.send(new UpdatePatchBaselineCommand({ BaselineId, ApprovalRules: { PatchRules: [{ PatchFilterGroup: WINDOWS_RULE.PatchFilterGroup }] } })), "ValidationException");
    expect((await client.send(new GetPatchBaselineCommand({ BaselineId }))).ApprovalRules!.PatchRules![0]!.ApproveAfterDays).toBe(7);
  });

  it("AWS-owned baselines: one default per OS, full ARNs, OWNER AWS, read-only, not addressable by bare id", async () => {
    const owned = await allPages(async (token) => {
      const page = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OWNER", Values: ["AWS"] }], MaxResults: 10, NextToken: token }));
      return { items: page.BaselineIdentities!, next: page.NextToken };
    });
    expect(owned.pages).toBeGreaterThan(1);
    for (const b of owned.items) expect(b.BaselineId).toMatch(/^arn:aws:ssm:eu-west-1:012345678901:patchbaseline\/pb-[0-9a-f]{17}$/);
    for (const os of OPERATING_SYSTEMS) {
      const def = owned.items.filter((b) => b.OperatingSystem === os && b.DefaultBaseline);
      expect(def, os).toHaveLength(1);
      expect(def[0]!.BaselineName).toMatch(/^AWS-.*DefaultPatchBaseline$/);
      const fromGet = await client.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: os }));
      expect(fromGet.BaselineId).toBe(def[0]!.BaselineId);
    }
    expect(owned.items.find((b) => b.BaselineName === "AWS-AmazonLinux2DefaultPatchBaseline")).toBeDefined();
    const windows = owned.items.find((b) => b.BaselineName === "AWS-DefaultPatchBaseline")!;
    const got = await client.send(new GetPatchBaselineCommand({ BaselineId: windows.BaselineId }));
    expect(got.OperatingSystem).toBe("WINDOWS");
    expect(got.ApprovalRules!.PatchRules!.length).toBeGreaterThan(0);
    const bare = windows.BaselineId!.split("/")[1]!;
    await expectAwsError(client.send(new GetPatchBaselineCommand({ BaselineId: bare })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
    await expectAwsError(client.send(new UpdatePatchBaselineCommand({ BaselineId: windows.BaselineId, Description: "mine now" })), "AccessDeniedException");
    await expectAwsError(client.send(new DeletePatchBaselineCommand({ BaselineId: windows.BaselineId })), "AccessDeniedException");
    // Another region has its own ARNs.
    const other = sdkClient(server.url, "ap-northeast-1");
    const theirs = await other.send(new GetDefaultPatchBaselineCommand({}));
    expect(theirs.BaselineId).toMatch(/^arn:aws:ssm:ap-northeast-1:012345678901:patchbaseline\/pb-/);
    other.destroy();
  });

  it("describe: NAME_PREFIX, OWNER and OPERATING_SYSTEM filters, identities only, MaxResults range, NextToken", async () => {
    for (const n of ["flt-a1", "flt-a2", "flt-b1"]) await client.send(new CreatePatchBaselineCommand({ Name: n, ApprovalRules: { PatchRules: [WINDOWS_RULE] }, Description: `about ${n}` }));
    await client.send(new CreatePatchBaselineCommand({ Name: "flt-a3", OperatingSystem: "UBUNTU", ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "PRIORITY", Values: ["Required"] }] } }] } }));
    const prefixed = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["flt-a"] }, { Key: "OWNER", Values: ["Self"] }] }));
    expect(prefixed.BaselineIdentities!.map((b) => b.BaselineName)).toEqual(["flt-a1", "flt-a2", "flt-a3"]);
    expect(prefixed.BaselineIdentities![0]).toEqual({ BaselineId: expect.stringMatching(/^pb-/), BaselineName: "flt-a1", OperatingSystem: "WINDOWS", BaselineDescription: "about flt-a1", DefaultBaseline: false });
    expect(prefixed.NextToken).toBeUndefined();
    const ubuntu = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OPERATING_SYSTEM", Values: ["UBUNTU"] }, { Key: "NAME_PREFIX", Values: ["flt-"] }] }));
    expect(ubuntu.BaselineIdentities!.map((b) => b.BaselineName)).toEqual(["flt-a3"]);
    const paged = await allPages(async (token) => {
      const page = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["flt-"] }], MaxResults: 1, NextToken: token }));
      expect(page.BaselineIdentities!.length).toBeLessThanOrEqual(1);
      return { items: page.BaselineIdentities!, next: page.NextToken };
    });
    expect(paged.items.map((b) => b.BaselineName)).toEqual(["flt-a1", "flt-a2", "flt-b1", "flt-a3"]);
    await expectAwsError(client.send(new DescribePatchBaselinesCommand({ MaxResults: 0 })), "ValidationException", { message: "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1" });
    await expectAwsError(client.send(new DescribePatchBaselinesCommand({ MaxResults: 101 })), "ValidationException", { message: /less than or equal to 100/ });
    await expectAwsError(client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "COLOUR", Values: ["x"] }] })), "ValidationException", { message: /COLOUR/ });
    await expectAwsError(client.send(new DescribePatchBaselinesCommand({ NextToken: "not-a-token" })), "InvalidNextToken", { cls: ssm.InvalidNextToken });
    const first = await client.send(new DescribePatchBaselinesCommand({ MaxResults: 1 }));
    await expectAwsError(client.send(new DescribePatchBaselinesCommand({ MaxResults: 1, NextToken: first.NextToken, Filters: [{ Key: "OWNER", Values: ["Self"] }] })), "InvalidNextToken");
  });

  it("delete: ResourceInUse while groups are registered or while it is the default; deleting what is gone succeeds", async () => {
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "del-base", ApprovalRules: { PatchRules: [WINDOWS_RULE] } }));
    await client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: "del-group" }));
    await expectAwsError(client.send(new DeletePatchBaselineCommand({ BaselineId })), "ResourceInUseException", { cls: ssm.ResourceInUseException, message: /del-group/ });
    await client.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: "del-group" }));
    const { BaselineId: aws } = await client.send(new GetDefaultPatchBaselineCommand({}));
    await client.send(new RegisterDefaultPatchBaselineCommand({ BaselineId }));
    await expectAwsError(client.send(new DeletePatchBaselineCommand({ BaselineId })), "ResourceInUseException", { message: /default/ });
    await client.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: aws }));
    expect(await client.send(new DeletePatchBaselineCommand({ BaselineId }))).toMatchObject({ BaselineId });
    await expectAwsError(client.send(new GetPatchBaselineCommand({ BaselineId })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
    // The model gives DeletePatchBaseline no DoesNotExistException: deleting it again succeeds.
    expect(await client.send(new DeletePatchBaselineCommand({ BaselineId }))).toMatchObject({ BaselineId });
  });

  it("unknown and malformed ids: DoesNotExistException, InvalidResourceId, ValidationException", async () => {
    await expectAwsError(client.send(new GetPatchBaselineCommand({ BaselineId: "pb-0123456789abcdef0" })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
    await expectAwsError(client.send(new UpdatePatchBaselineCommand({ BaselineId: "pb-0123456789abcdef0", Description: "x" })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
    await expectAwsError(client.send(new GetPatchBaselineCommand({ BaselineId: "not-a-baseline-id-at-all" })), "InvalidResourceId", { cls: ssm.InvalidResourceId });
    await expectAwsError(client.send(new GetPatchBaselineCommand({ BaselineId: "pb-1" })), "ValidationException", {
      message: "2 validation errors detected: Value 'pb-1' at 'baselineId' failed to satisfy constraint: Member must have length greater than or equal to 20; Value 'pb-1' at 'baselineId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-:/]{20,128}$",
    });
  });

  it("ClientToken: same token and request → same id, nothing new; same token, other request → IdempotentParameterMismatch", async () => {
    const req = { Name: "idem-base", ClientToken: "idem-token-1", ApprovalRules: { PatchRules: [WINDOWS_RULE] }, Tags: [{ Key: "k", Value: "v" }] };
    const first = await client.send(new CreatePatchBaselineCommand(req));
    const again = await client.send(new CreatePatchBaselineCommand({ ...req, Tags: [{ Key: "k", Value: "v" }] }));
    expect(again.BaselineId).toBe(first.BaselineId);
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ ...req, Name: "idem-other" })), "IdempotentParameterMismatch", { cls: ssm.IdempotentParameterMismatch });
    const listed = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["idem-"] }] }));
    expect(listed.BaselineIdentities!.map((b) => b.BaselineId)).toEqual([first.BaselineId]);
    // A token is per operation: the same string on another create operation is unrelated.
    const other = await client.send(new CreatePatchBaselineCommand({ Name: "idem-base-2", ClientToken: "idem-token-2", ApprovedPatches: ["KB1"] }));
    expect(other.BaselineId).not.toBe(first.BaselineId);
  });

  it("quota: 50 custom baselines per account and region, then ResourceLimitExceededException", async () => {
    const quota = sdkClient(server.url, "eu-north-1", "222222222222");
    await Promise.all(Array.from({ length: 50 }, (_, i) => quota.send(new CreatePatchBaselineCommand({ Name: `quota-${i}`, ApprovedPatches: ["KB1"] }))));
    await expectAwsError(quota.send(new CreatePatchBaselineCommand({ Name: "quota-51", ApprovedPatches: ["KB1"] })), "ResourceLimitExceededException", { cls: ssm.ResourceLimitExceededException });
    quota.destroy();
  });

  it("tags: at create, add (overwrite), remove, list; 50 per resource (TooManyTagsError); unknown or AWS-owned ids (InvalidResourceId)", async () => {
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "tagged-base", ApprovedPatches: ["KB1"], Tags: [{ Key: "Environment", Value: "Production" }, { Key: "patchctl:owner", Value: "demo" }] }));
    const list = async () => (await client.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId }))).TagList;
    expect(await list()).toEqual([{ Key: "Environment", Value: "Production" }, { Key: "patchctl:owner", Value: "demo" }]);
    await client.send(new AddTagsToResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId, Tags: [{ Key: "Environment", Value: "Staging" }, { Key: "Team", Value: "" }] }));
    await client.send(new RemoveTagsFromResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId, TagKeys: ["patchctl:owner", "absent"] }));
    expect(await list()).toEqual([{ Key: "Environment", Value: "Staging" }, { Key: "Team", Value: "" }]);
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await expectAwsError(client.send(new AddTagsToResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId, Tags: many })), "TooManyTagsError", { cls: ssm.TooManyTagsError });
    expect(await list()).toHaveLength(2);
    await client.send(new AddTagsToResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId, Tags: many.slice(0, 48) }));
    expect(await list()).toHaveLength(50);
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "too-many-tags", ApprovedPatches: ["KB1"], Tags: [...many, { Key: "a", Value: "b" }, { Key: "c", Value: "d" }] })), "TooManyTagsError");
    await expectAwsError(client.send(new AddTagsToResourceCommand({ ResourceType: "PatchBaseline", ResourceId: BaselineId, Tags: [{ Key: "bad*key", Value: "v" }] })), "ValidationException", { message: /at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern/ });
    await expectAwsError(client.send(new ListTagsForResourceCommand({ ResourceType: "PatchBaseline", ResourceId: "pb-0000000000000000a" })), "InvalidResourceId", { cls: ssm.InvalidResourceId });
    const { BaselineId: aws } = await client.send(new GetDefaultPatchBaselineCommand({}));
    await expectAwsError(client.send(new AddTagsToResourceCommand({ ResourceType: "PatchBaseline", ResourceId: aws, Tags: [{ Key: "a", Value: "b" }] })), "InvalidResourceId");
    await expectAwsError(client.send(new ListTagsForResourceCommand({ ResourceType: "Bucket" as ssm.ResourceTypeForTagging, ResourceId: BaselineId })), "ValidationException", { message: /enum value set/ });
  });
});

describe("patch groups and default baselines", () => {
  it("register, read from both sides, AlreadyExists on a second baseline of the same OS, one baseline per OS", async () => {
    const a = (await client.send(new CreatePatchBaselineCommand({ Name: "grp-a", ApprovalRules: { PatchRules: [WINDOWS_RULE] } }))).BaselineId!;
    const b = (await client.send(new CreatePatchBaselineCommand({ Name: "grp-b", ApprovalRules: { PatchRules: [WINDOWS_RULE] } }))).BaselineId!;
    const linux = (await client.send(new CreatePatchBaselineCommand({ Name: "grp-linux", OperatingSystem: "AMAZON_LINUX_2023", ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["Security"] }] }, ApproveAfterDays: 0 }] } }))).BaselineId!;
    expect(await client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: a, PatchGroup: "Web Servers" }))).toMatchObject({ BaselineId: a, PatchGroup: "Web Servers" });
    await expectAwsError(client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: b, PatchGroup: "Web Servers" })), "AlreadyExistsException", { cls: ssm.AlreadyExistsException, message: new RegExp(a) });
    await expectAwsError(client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: a, PatchGroup: "Web Servers" })), "AlreadyExistsException");
    await client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: linux, PatchGroup: "Web Servers" }));
    expect((await client.send(new GetPatchBaselineCommand({ BaselineId: a }))).PatchGroups).toEqual(["Web Servers"]);
    expect((await client.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: "Web Servers" })))).toMatchObject({ BaselineId: a, PatchGroup: "Web Servers", OperatingSystem: "WINDOWS" });
    expect((await client.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: "Web Servers", OperatingSystem: "AMAZON_LINUX_2023" }))).BaselineId).toBe(linux);
    // A group with no registration for an OS gets that OS's default baseline.
    const def = await client.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: "UBUNTU" }));
    expect((await client.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: "Web Servers", OperatingSystem: "UBUNTU" }))).BaselineId).toBe(def.BaselineId);
    const mappings = await client.send(new DescribePatchGroupsCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["Web"] }] }));
    expect(mappings.Mappings).toEqual([
      { PatchGroup: "Web Servers", BaselineIdentity: { BaselineId: a, BaselineName: "grp-a", OperatingSystem: "WINDOWS", DefaultBaseline: false } },
      { PatchGroup: "Web Servers", BaselineIdentity: { BaselineId: linux, BaselineName: "grp-linux", OperatingSystem: "AMAZON_LINUX_2023", DefaultBaseline: false } },
    ]);
    const linuxOnly = await client.send(new DescribePatchGroupsCommand({ Filters: [{ Key: "OPERATING_SYSTEM", Values: ["AMAZON_LINUX_2023"] }] }));
    expect(linuxOnly.Mappings!.map((m) => m.BaselineIdentity!.BaselineId)).toEqual([linux]);
    // Moving the group: deregister, then register elsewhere.
    await client.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: a, PatchGroup: "Web Servers" }));
    await client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: b, PatchGroup: "Web Servers" }));
    expect((await client.send(new GetPatchBaselineForPatchGroupCommand({ PatchGroup: "Web Servers" }))).BaselineId).toBe(b);
    await expectAwsError(client.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: a, PatchGroup: "Web Servers" })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
    await expectAwsError(client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: "pb-0123456789abcdef0", PatchGroup: "x" })), "DoesNotExistException");
    await expectAwsError(client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId: a, PatchGroup: "bad*group" })), "ValidationException", { message: /at 'patchGroup' failed to satisfy constraint: Member must satisfy regular expression pattern/ });
  });

  it("AWS-owned baselines take patch groups by ARN", async () => {
    const { BaselineId } = await client.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: "SUSE" }));
    await client.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: "suse-fleet" }));
    expect((await client.send(new GetPatchBaselineCommand({ BaselineId }))).PatchGroups).toEqual(["suse-fleet"]);
    await client.send(new DeregisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: "suse-fleet" }));
  });

  it("DescribePatchGroups pages through every group (past page one), and 25 groups per baseline is the limit", async () => {
    const c = sdkClient(server.url, "ca-central-1");
    const { BaselineId } = await c.send(new CreatePatchBaselineCommand({ Name: "many-groups", ApprovalRules: { PatchRules: [WINDOWS_RULE] } }));
    for (let i = 0; i < 25; i++) await c.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: `group-${String(i).padStart(2, "0")}` }));
    await expectAwsError(c.send(new RegisterPatchBaselineForPatchGroupCommand({ BaselineId, PatchGroup: "group-25" })), "ResourceLimitExceededException", { cls: ssm.ResourceLimitExceededException });
    const seen: string[] = [];
    let pages = 0;
    for await (const page of ssm.paginateDescribePatchGroups({ client: c, pageSize: 7 }, {})) {
      pages++;
      seen.push(...page.Mappings!.map((m) => m.PatchGroup!));
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `group-${String(i).padStart(2, "0")}`));
    c.destroy();
  });

  it("default baseline: register a custom one (the OS is the baseline's), read it, revert to AWS's by ARN", async () => {
    const { BaselineId: awsDefault } = await client.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: "CENTOS" }));
    const { BaselineId } = await client.send(new CreatePatchBaselineCommand({ Name: "centos-default", OperatingSystem: "CENTOS", ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "SEVERITY", Values: ["Critical"] }] }, ApproveAfterDays: 1 }] } }));
    expect(await client.send(new RegisterDefaultPatchBaselineCommand({ BaselineId }))).toMatchObject({ BaselineId });
    expect(await client.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: "CENTOS" }))).toMatchObject({ BaselineId, OperatingSystem: "CENTOS" });
    const windowsDefault = await client.send(new GetDefaultPatchBaselineCommand({}));
    expect(windowsDefault.OperatingSystem).toBe("WINDOWS");
    expect(windowsDefault.BaselineId).toMatch(/^arn:/);
    const identities = await client.send(new DescribePatchBaselinesCommand({ Filters: [{ Key: "OPERATING_SYSTEM", Values: ["CENTOS"] }] }));
    expect(identities.BaselineIdentities!.filter((b) => b.DefaultBaseline).map((b) => b.BaselineId)).toEqual([BaselineId]);
    await client.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: awsDefault }));
    expect((await client.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: "CENTOS" }))).BaselineId).toBe(awsDefault);
    await expectAwsError(client.send(new RegisterDefaultPatchBaselineCommand({ BaselineId: "pb-0123456789abcdef0" })), "DoesNotExistException", { cls: ssm.DoesNotExistException });
    await expectAwsError(client.send(new GetDefaultPatchBaselineCommand({ OperatingSystem: "BEOS" as ssm.OperatingSystem })), "ValidationException", { message: /at 'operatingSystem' failed to satisfy constraint: Member must satisfy enum value set: \[WINDOWS, / });
  });
});
