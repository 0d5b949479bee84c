import { readFileSync } from "node:fs";
import * as ssm from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baselineFilterKeys, PATCH_OPERATING_SYSTEMS, propertyValues } from "../../src/catalog/patch-properties.js";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { awsCli } from "../helpers/aws-cli.js";
import { credentialsFor, expectAwsError, rawCall, sdkClient, WINDOWS_RULE } from "./helpers.js";

/**
 * Issue 19, the endpoint half: filter keys and values per operating system from
 * the shared catalog, DescribePatchProperties served from it, Raspbian and
 * Debian/Ubuntu approval rules, and the required-one-of rules of a baseline; over
 * HTTP with the SDK and with Debian's AWS CLI. docs/ssm-fidelity.md cites the sources.
 */
const { CreatePatchBaselineCommand, GetPatchBaselineCommand, UpdatePatchBaselineCommand, DescribePatchPropertiesCommand } = ssm;

let server: LocalSsm;
let client: ssm.SSMClient;

beforeAll(async () => {
  server = await startLocalSsm({ port: 0 });
  client = sdkClient(server.url, "eu-west-3");
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

type Filter = { Key: ssm.PatchFilterKey; Values: string[] };
const rule = (filters: Filter[], delay: { ApproveAfterDays?: number; ApproveUntilDate?: string } = { ApproveAfterDays: 7 }): ssm.PatchRule => ({ PatchFilterGroup: { PatchFilters: filters }, ...delay });
let n = 0;
const create = (os: ssm.OperatingSystem, rules: ssm.PatchRule[], extra: Partial<ssm.CreatePatchBaselineRequest> = {}, c: ssm.SSMClient = client) =>
  c.send(new CreatePatchBaselineCommand({ Name: `props-${++n}`, OperatingSystem: os, ApprovalRules: { PatchRules: rules }, ...extra }));

/** The products of the recorded describe-patch-properties example (awscli's examples/ssm/describe-patch-properties.rst). */
function recordedAmazonLinuxProducts(): string[] {
  const text = readFileSync("/usr/lib/python3/dist-packages/awscli/examples/ssm/describe-patch-properties.rst", "utf8");
  return [...text.matchAll(/"Name": "([^"]+)"/g)].map((m) => m[1]!);
}

describe("patch filter values (ValidationException 'Invalid Filter Value', as AWS words it)", () => {
  it("refuses an unknown value and names the valid ones; on CreatePatchBaseline and UpdatePatchBaseline, in rules and global filters", async () => {
    const al = await expectAwsError(create("AMAZON_LINUX", [rule([{ Key: "PRODUCT", Values: ["AmazonLinux2018.09"] }])]), "ValidationException");
    expect(al.message).toBe(`Invalid Filter Value: AmazonLinux2018.09 for Key: PRODUCT, valid values are: ${recordedAmazonLinuxProducts().join(", ")}`);
    await expectAwsError(create("WINDOWS", [rule([{ Key: "CLASSIFICATION", Values: ["Security"] }])]), "ValidationException", { message: /^Invalid Filter Value: Security for Key: CLASSIFICATION, valid values are: CriticalUpdates, DefinitionUpdates, .*Upgrades$/ });
    await expectAwsError(create("WINDOWS", [rule([{ Key: "PRODUCT", Values: ["WindowsServer2099"] }])]), "ValidationException", { message: /^Invalid Filter Value: WindowsServer2099 for Key: PRODUCT, valid values are: Windows7, .*WindowsServer2019/ });
    await expectAwsError(create("WINDOWS", [WINDOWS_RULE], { GlobalFilters: { PatchFilters: [{ Key: "MSRC_SEVERITY", Values: ["Severe"] }] } }), "ValidationException", { message: /Invalid Filter Value: Severe for Key: MSRC_SEVERITY/ });
    await expectAwsError(create("UBUNTU", [rule([{ Key: "PRIORITY", Values: ["Urgent"] }], {})]), "ValidationException", { message: /Invalid Filter Value: Urgent for Key: PRIORITY, valid values are: Required, Important, Standard, Optional, Extra/ });
    const { BaselineId } = await create("AMAZON_LINUX_2", [rule([{ Key: "CLASSIFICATION", Values: ["Security"] }])]);
    await expectAwsError(client.send(new UpdatePatchBaselineCommand({ BaselineId, ApprovalRules: { PatchRules: [rule([{ Key: "SEVERITY", Values: ["Moderate"] }])] } })), "ValidationException", { message: /Invalid Filter Value: Moderate for Key: SEVERITY, valid values are: Critical, Important, Medium, Low/ });
    expect((await client.send(new GetPatchBaselineCommand({ BaselineId }))).ApprovalRules!.PatchRules![0]!.PatchFilterGroup!.PatchFilters).toEqual([{ Key: "CLASSIFICATION", Values: ["Security"] }]);
  });

  it("accepts the documented values, the wildcard, and any value where AWS documents no list", async () => {
    await create("WINDOWS", [rule([{ Key: "PRODUCT", Values: ["WindowsServer2019", "WindowsServer2022"] }, { Key: "CLASSIFICATION", Values: ["SecurityUpdates", "CriticalUpdates"] }, { Key: "MSRC_SEVERITY", Values: ["*"] }])]);
    await create("AMAZON_LINUX_2", [rule([{ Key: "PRODUCT", Values: ["AmazonLinux2", "AmazonLinux2.0"] }, { Key: "CLASSIFICATION", Values: ["Security", "Bugfix"] }, { Key: "SEVERITY", Values: ["Critical", "Important"] }])]);
    await create("SUSE", [rule([{ Key: "CLASSIFICATION", Values: ["Security", "Yast"] }, { Key: "SEVERITY", Values: ["Moderate"] }])]);
    // Microsoft application products are not documented as a list: any value passes with PATCH_SET APPLICATION.
    await create("WINDOWS", [rule([{ Key: "PATCH_SET", Values: ["APPLICATION"] }, { Key: "PRODUCT", Values: ["Office 2016", "Visual Studio 2022"] }, { Key: "PRODUCT_FAMILY", Values: ["Office", "Developer Tools"] }])]);
    // ...and an application product in the OS patch set (the default) is refused.
    await expectAwsError(create("WINDOWS", [rule([{ Key: "PRODUCT", Values: ["Office 2016"] }])]), "ValidationException", { message: /Invalid Filter Value: Office 2016 for Key: PRODUCT/ });
    await create("MACOS", [rule([{ Key: "PRODUCT", Values: ["macOS-anything"] }, { Key: "CLASSIFICATION", Values: ["*"] }])]);
    await create("DEBIAN", [rule([{ Key: "PRODUCT", Values: ["Debian12"] }, { Key: "SECTION", Values: ["admin"] }], {})]);
  });
});

describe("patch filter keys per operating system (DescribePatchProperties' keys; the same in global filters and rules)", () => {
  it("refuses the DescribeAvailablePatches-only keys and other OSes' keys, accepts the OS's own", async () => {
    for (const [os, key] of [["AMAZON_LINUX_2", "CVE_ID"], ["AMAZON_LINUX_2023", "NAME"], ["REDHAT_ENTERPRISE_LINUX", "ARCH"], ["WINDOWS", "PATCH_ID"], ["CENTOS", "SECURITY"], ["UBUNTU", "PATCH_SET"], ["MACOS", "SEVERITY"], ["DEBIAN", "CLASSIFICATION"]] as const) {
      await expectAwsError(create(os, [rule([{ Key: key, Values: ["*"] }], os === "DEBIAN" ? {} : undefined)]), "ValidationException", { message: new RegExp(`key ${key} is not supported for operating system ${os}`) });
      await expectAwsError(create(os, [rule([{ Key: "PRODUCT", Values: ["*"] }], os === "DEBIAN" ? {} : undefined)], { GlobalFilters: { PatchFilters: [{ Key: key, Values: ["*"] }] } }), "ValidationException", { message: new RegExp(`GlobalFilters: the patch filter key ${key} is not supported`) });
    }
    // Each OS of the SDK's enum takes each of its catalog keys with the wildcard, in a rule and as a global filter.
    const perOs = sdkClient(server.url, "eu-west-3", "999999999999");
    for (const os of Object.values(ssm.OperatingSystem)) {
      const keys = baselineFilterKeys(os);
      expect(keys.length, os).toBeGreaterThan(0);
      const filters = keys.slice(0, 4).map((Key) => ({ Key, Values: ["*"] }));
      const delay = os === "UBUNTU" || os === "DEBIAN" ? {} : { ApproveAfterDays: 1 };
      await create(os, [rule(filters, delay)], { GlobalFilters: { PatchFilters: filters } }, perOs);
    }
    perOs.destroy();
  });
});

describe("approval delays per operating system", () => {
  it("UBUNTU and DEBIAN: ApproveAfterDays 0 (what the Terraform provider sends) is accepted and read back; another delay or a date is refused", async () => {
    for (const os of ["UBUNTU", "DEBIAN"] as const) {
      const { BaselineId } = await create(os, [rule([{ Key: "PRIORITY", Values: ["Required", "Important"] }], { ApproveAfterDays: 0 })]);
      expect((await client.send(new GetPatchBaselineCommand({ BaselineId }))).ApprovalRules!.PatchRules![0]!.ApproveAfterDays).toBe(0);
      await client.send(new UpdatePatchBaselineCommand({ BaselineId, ApprovalRules: { PatchRules: [rule([{ Key: "PRIORITY", Values: ["Standard"] }], { ApproveAfterDays: 0 })] } }));
      await expectAwsError(create(os, [rule([{ Key: "PRIORITY", Values: ["Required"] }], { ApproveAfterDays: 3 })]), "ValidationException", { message: new RegExp(`not supported for operating system ${os}`) });
      await expectAwsError(create(os, [rule([{ Key: "PRIORITY", Values: ["Required"] }], { ApproveUntilDate: "2026-12-31" })]), "ValidationException", { message: new RegExp(`not supported for operating system ${os}`) });
    }
  });

  it("RASPBIAN: the model names only Debian and Ubuntu, so a rule needs ApproveAfterDays or ApproveUntilDate", async () => {
    await expectAwsError(create("RASPBIAN", [rule([{ Key: "PRIORITY", Values: ["Required"] }], {})]), "ValidationException", { message: /must specify ApproveAfterDays or ApproveUntilDate/ });
    const days = await create("RASPBIAN", [rule([{ Key: "PRIORITY", Values: ["Required"] }], { ApproveAfterDays: 7 })]);
    expect((await client.send(new GetPatchBaselineCommand({ BaselineId: days.BaselineId }))).ApprovalRules!.PatchRules![0]!.ApproveAfterDays).toBe(7);
    await create("RASPBIAN", [rule([{ Key: "PRIORITY", Values: ["Required"] }], { ApproveUntilDate: "2026-12-31" })]);
  });
});

describe("required one of: a baseline approves something", () => {
  it("refuses a baseline with neither approval rules nor approved patches, on create and when an update leaves it so", async () => {
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "approves-nothing" })), "ValidationException", { message: /at least one approval rule \(ApprovalRules\) or one approved patch \(ApprovedPatches\)/ });
    await expectAwsError(client.send(new CreatePatchBaselineCommand({ Name: "empty-rules", ApprovalRules: { PatchRules: [] }, RejectedPatches: ["KB1"] })), "ValidationException", { message: /at least one approval rule/ });
    // Either one is enough (the recorded create-patch-baseline example 4 has approved patches only).
    const onlyPatches = await client.send(new CreatePatchBaselineCommand({ Name: "only-patches", OperatingSystem: "AMAZON_LINUX", ApprovedPatches: ["CVE-2018-1234567", "example-pkg-EE-2018*.amzn1.noarch"], ApprovedPatchesComplianceLevel: "HIGH", ApprovedPatchesEnableNonSecurity: true }));
    const onlyRules = await create("WINDOWS", [WINDOWS_RULE]);
    await expectAwsError(client.send(new UpdatePatchBaselineCommand({ BaselineId: onlyRules.BaselineId, ApprovalRules: { PatchRules: [] } })), "ValidationException", { message: /at least one approval rule/ });
    await expectAwsError(client.send(new UpdatePatchBaselineCommand({ BaselineId: onlyPatches.BaselineId, Name: "only-patches", Replace: true })), "ValidationException", { message: /at least one approval rule/ });
    await client.send(new UpdatePatchBaselineCommand({ BaselineId: onlyRules.BaselineId, ApprovalRules: { PatchRules: [] }, ApprovedPatches: ["KB4480979"] }));
    expect(await client.send(new GetPatchBaselineCommand({ BaselineId: onlyRules.BaselineId }))).toMatchObject({ ApprovalRules: { PatchRules: [] }, ApprovedPatches: ["KB4480979"] });
  });
});

describe("DescribePatchProperties, served from the same catalog", () => {
  it("AMAZON_LINUX PRODUCT is the recorded example's list, {Name} entries, paginated (MaxResults 1-50)", async () => {
    const all: Record<string, string>[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new DescribePatchPropertiesCommand({ OperatingSystem: "AMAZON_LINUX", Property: "PRODUCT", MaxResults: 5, NextToken: token }));
      expect(page.Properties!.length).toBeLessThanOrEqual(5);
      all.push(...page.Properties!);
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(all).toEqual(recordedAmazonLinuxProducts().map((Name) => ({ Name })));
    const viaPaginator: Record<string, string>[] = [];
    for await (const page of ssm.paginateDescribePatchProperties({ client, pageSize: 4 }, { OperatingSystem: "AMAZON_LINUX", Property: "PRODUCT" })) viaPaginator.push(...page.Properties!);
    expect(viaPaginator).toEqual(all);
    await expectAwsError(client.send(new DescribePatchPropertiesCommand({ OperatingSystem: "AMAZON_LINUX", Property: "PRODUCT", MaxResults: 51 })), "ValidationException", { message: /Member must have value less than or equal to 50/ });
    const first = await client.send(new DescribePatchPropertiesCommand({ OperatingSystem: "AMAZON_LINUX", Property: "PRODUCT", MaxResults: 5 }));
    await expectAwsError(client.send(new DescribePatchPropertiesCommand({ OperatingSystem: "AMAZON_LINUX_2", Property: "PRODUCT", NextToken: first.NextToken })), "InvalidNextToken");
    const raw = await rawCall(server.url, "AmazonSSM.DescribePatchProperties", JSON.stringify({ OperatingSystem: "WINDOWS", Property: "SECTION" }));
    expect(raw.status).toBe(400);
    expect(raw.json.__type).toBe("ValidationException");
  });

  it("WINDOWS: the OS patch set by default, PatchSet APPLICATION for Microsoft applications; a property the OS lacks lists nothing", async () => {
    const os = await client.send(new DescribePatchPropertiesCommand({ OperatingSystem: "WINDOWS", Property: "PRODUCT" }));
    expect(os.Properties!.map((p) => p.Name)).toEqual(expect.arrayContaining(["WindowsServer2016", "WindowsServer2019", "WindowsServer2022"]));
    const apps = await client.send(new DescribePatchPropertiesCommand({ OperatingSystem: "WINDOWS", Property: "PRODUCT", PatchSet: "APPLICATION" }));
    expect(apps.Properties!.map((p) => p.Name)).toEqual(expect.arrayContaining(["Office 2016"]));
    const classes = await client.send(new DescribePatchPropertiesCommand({ OperatingSystem: "WINDOWS", Property: "CLASSIFICATION" }));
    expect(classes.Properties!.map((p) => p.Name)).toEqual(["CriticalUpdates", "DefinitionUpdates", "Drivers", "FeaturePacks", "SecurityUpdates", "ServicePacks", "Tools", "UpdateRollups", "Updates", "Upgrades"]);
    expect((await client.send(new DescribePatchPropertiesCommand({ OperatingSystem: "WINDOWS", Property: "SEVERITY" }))).Properties).toEqual([]);
  });

  it("every value it lists for a key is accepted by CreatePatchBaseline (one table)", async () => {
    const c = sdkClient(server.url, "eu-west-3", "888888888888");
    for (const os of PATCH_OPERATING_SYSTEMS) {
      for (const key of baselineFilterKeys(os)) {
        if (key === "PATCH_SET" || key === "SECTION") continue;
        const listed: string[] = [];
        for await (const page of ssm.paginateDescribePatchProperties({ client: c }, { OperatingSystem: os, Property: key as ssm.PatchProperty })) listed.push(...page.Properties!.map((p) => p.Name!));
        expect(listed, `${os} ${key}`).toEqual(propertyValues(os, key)!.values);
        if (listed.length === 0) continue;
        const values = listed.slice(0, 20);
        const delay = os === "UBUNTU" || os === "DEBIAN" ? {} : { ApproveAfterDays: 0 };
        const { BaselineId } = await create(os, [rule([{ Key: key as ssm.PatchFilterKey, Values: values }], delay)], {}, c);
        await c.send(new ssm.DeletePatchBaselineCommand({ BaselineId }));
      }
    }
    c.destroy();
  });
});

describe("the same over Debian's AWS CLI v2 (/usr/bin/aws)", () => {
  const target = () => ({ url: server.url, ...credentialsFor("777777777777"), region: "eu-west-3" });
  it("describe-patch-properties prints the recorded example's output; create-patch-baseline fails with the real message", async () => {
    const out = await awsCli(target(), "ssm", "describe-patch-properties", "--operating-system", "AMAZON_LINUX", "--property", "PRODUCT");
    expect(out).toEqual({ Properties: recordedAmazonLinuxProducts().map((Name) => ({ Name })) });
    const paged = await awsCli(target(), "ssm", "describe-patch-properties", "--operating-system", "AMAZON_LINUX", "--property", "PRODUCT", "--page-size", "4");
    expect(paged).toEqual(out);
    const err = await awsCli(target(), "ssm", "create-patch-baseline", "--name", "cli-bad-product", "--operating-system", "AMAZON_LINUX",
      "--approval-rules", "PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=PRODUCT,Values=[AmazonLinux2018.09]}]},ApproveAfterDays=7}]").then(
      () => undefined,
      (e: { stderr?: string }) => String(e.stderr),
    );
    expect(err).toContain("An error occurred (ValidationException) when calling the CreatePatchBaseline operation: Invalid Filter Value: AmazonLinux2018.09 for Key: PRODUCT, valid values are: AmazonLinux2012.03,");
    const ok = await awsCli(target(), "ssm", "create-patch-baseline", "--name", "cli-ubuntu-zero", "--operating-system", "UBUNTU",
      "--approval-rules", "PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=PRIORITY,Values=[Required,Important]}]},ApproveAfterDays=0}]");
    expect(ok.BaselineId).toMatch(/^pb-[0-9a-f]{17}$/);
    const nothing = await awsCli(target(), "ssm", "create-patch-baseline", "--name", "cli-approves-nothing").then(
      () => undefined,
      (e: { stderr?: string }) => String(e.stderr),
    );
    expect(nothing).toContain("An error occurred (ValidationException)");
  });
});
