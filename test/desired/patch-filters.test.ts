import path from "node:path";
import * as ssm from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import type { LocalSsm } from "../../src/local-ssm/index.js";
import { startLocalSsm } from "../../src/local-ssm/index.js";
import { CONFIG, writeTree } from "../helpers/tmpdir.js";

/**
 * Issue 19, the validator half: patch filter keys and values per operating system
 * (the catalog shared with the endpoint), Raspbian and Debian/Ubuntu approval
 * delays, and a baseline that approves nothing, each a file:line:column error;
 * and the validator and the local endpoint agreeing on every OS and key.
 */
function baseline(os: string, filters: string, delay = "        approveAfterDays: 7\n", extra = ""): string {
  return `apiVersion: patchctl/v1
kind: PatchBaseline
metadata:
  name: b-${os.toLowerCase().replace(/_/g, "-")}
spec:
  operatingSystem: ${os}
  approvalRules:
    patchRules:
      - patchFilterGroup:
          patchFilters:
${filters}${delay}${extra}`;
}

async function errorsOf(files: Record<string, string>) {
  const dir = writeTree({ "patchctl.yaml": CONFIG, ...files });
  const result = await loadDesiredState(dir);
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => ({ ...d, file: path.relative(dir, d.file) }));
}

interface Case {
  name: string;
  yaml: string;
  line: number;
  column?: number;
  field?: string;
  message: RegExp;
}

const cases: Case[] = [
  {
    name: "WINDOWS CLASSIFICATION Security (a Linux classification)",
    yaml: baseline("WINDOWS", "            - {key: CLASSIFICATION, values: [SecurityUpdates, Security]}\n"),
    line: 11,
    column: 63,
    field: "spec.approvalRules.patchRules[0].patchFilterGroup.patchFilters[0].values[1]",
    message: /^'Security' is not a valid CLASSIFICATION value for WINDOWS; valid values: CriticalUpdates, DefinitionUpdates, Drivers, FeaturePacks, SecurityUpdates, ServicePacks, Tools, UpdateRollups, Updates, Upgrades \(or \* for all\)$/,
  },
  {
    name: "WINDOWS PRODUCT WindowsServer2099",
    yaml: baseline("WINDOWS", "            - key: PRODUCT\n              values:\n                - WindowsServer2019\n                - WindowsServer2099\n"),
    line: 14,
    field: "spec.approvalRules.patchRules[0].patchFilterGroup.patchFilters[0].values[1]",
    message: /'WindowsServer2099' is not a valid PRODUCT value for WINDOWS; valid values: Windows7, .*WindowsServer2019/,
  },
  {
    name: "AMAZON_LINUX PRODUCT AmazonLinux2018.09, in a global filter",
    yaml: baseline("AMAZON_LINUX", "            - {key: CLASSIFICATION, values: [Security]}\n", undefined, "  globalFilters:\n    patchFilters:\n      - {key: PRODUCT, values: [AmazonLinux2018.09]}\n"),
    line: 15,
    field: "spec.globalFilters.patchFilters[0].values[0]",
    message: /'AmazonLinux2018.09' is not a valid PRODUCT value for AMAZON_LINUX; valid values: AmazonLinux2012.03, .*AmazonLinux2018.03/,
  },
  { name: "MSRC_SEVERITY Severe", yaml: baseline("WINDOWS", "            - {key: MSRC_SEVERITY, values: [Severe]}\n"), line: 11, message: /'Severe' is not a valid MSRC_SEVERITY value for WINDOWS; valid values: Critical, Important, Moderate, Low, Unspecified/ },
  { name: "UBUNTU PRIORITY Urgent", yaml: baseline("UBUNTU", "            - {key: PRIORITY, values: [Urgent]}\n", ""), line: 11, message: /'Urgent' is not a valid PRIORITY value for UBUNTU; valid values: Required, Important, Standard, Optional, Extra/ },
  { name: "an application product in the OS patch set", yaml: baseline("WINDOWS", "            - {key: PRODUCT, values: [Office 2016]}\n"), line: 11, message: /'Office 2016' is not a valid PRODUCT value for WINDOWS/ },
  { name: "PATCH_SET Everything", yaml: baseline("WINDOWS", "            - {key: PATCH_SET, values: [Everything]}\n"), line: 11, message: /'Everything' is not a valid PATCH_SET value for WINDOWS; valid values: OS, APPLICATION/ },
  { name: "a DescribeAvailablePatches key (CVE_ID) on AMAZON_LINUX_2", yaml: baseline("AMAZON_LINUX_2", "            - {key: CVE_ID, values: [CVE-2018-3615]}\n"), line: 11, field: "spec.approvalRules.patchRules[0].patchFilterGroup.patchFilters[0].key", message: /^filter key CVE_ID is not valid for AMAZON_LINUX_2; valid keys: PRODUCT, CLASSIFICATION, SEVERITY$/ },
  { name: "PATCH_ID on WINDOWS (in a global filter too)", yaml: baseline("WINDOWS", "            - {key: CLASSIFICATION, values: [SecurityUpdates]}\n", undefined, "  globalFilters: {patchFilters: [{key: PATCH_ID, values: [KB4480979]}]}\n"), line: 13, message: /filter key PATCH_ID is not valid for WINDOWS; valid keys: PATCH_SET, PRODUCT, PRODUCT_FAMILY, CLASSIFICATION, MSRC_SEVERITY/ },
  { name: "PATCH_SET on DEBIAN", yaml: baseline("DEBIAN", "            - {key: PATCH_SET, values: [OS]}\n", ""), line: 11, message: /filter key PATCH_SET is not valid for DEBIAN; valid keys: PRODUCT, PRIORITY, SECTION/ },
  { name: "RASPBIAN rule without an approval delay", yaml: baseline("RASPBIAN", "            - {key: PRIORITY, values: [Required]}\n", ""), line: 9, message: /a rule needs approveAfterDays \(0-360\) or approveUntilDate/ },
  { name: "UBUNTU approveAfterDays 7", yaml: baseline("UBUNTU", "            - {key: PRIORITY, values: [Required]}\n"), line: 12, field: "spec.approvalRules.patchRules[0].approveAfterDays", message: /approveAfterDays is not supported for UBUNTU: .*only 0 is accepted/ },
  { name: "DEBIAN approveUntilDate", yaml: baseline("DEBIAN", "            - {key: PRIORITY, values: [Required]}\n", "        approveUntilDate: 2026-12-31\n"), line: 12, message: /approveUntilDate is not supported for DEBIAN/ },
  {
    name: "a baseline with neither approval rules nor approved patches",
    yaml: "apiVersion: patchctl/v1\nkind: PatchBaseline\nmetadata:\n  name: approves-nothing\nspec:\n  operatingSystem: WINDOWS\n  rejectedPatches: [KB1]\n",
    line: 5,
    field: "spec",
    message: /needs at least one approval rule \(approvalRules.patchRules\) or one approved patch \(approvedPatches\)/,
  },
];

describe("patch filter keys and values, approval delays, required one of: file:line:column errors", () => {
  it.each(cases)("$name", async (c) => {
    const errors = await errorsOf({ "b.yaml": c.yaml });
    const match = errors.find((e) => e.file === "b.yaml" && c.message.test(e.message));
    expect(match, `no error matching ${c.message}; got:\n${errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.field ?? ""} ${e.message}`).join("\n")}`).toBeDefined();
    expect(match!.line).toBe(c.line);
    if (c.column !== undefined) expect(match!.column).toBe(c.column);
    else expect(match!.column).toBeGreaterThan(0);
    if (c.field) expect(match!.field).toBe(c.field);
  });

  it("accepts documented values, the wildcard, undocumented lists, Ubuntu/Debian delay 0, Raspbian delays, approved patches alone", async () => {
    const ok: Record<string, string> = {
      "a.yaml": baseline("WINDOWS", "            - {key: PRODUCT, values: [WindowsServer2016, WindowsServer2022]}\n            - {key: MSRC_SEVERITY, values: [\"*\"]}\n"),
      "b.yaml": baseline("WINDOWS", "            - {key: PATCH_SET, values: [APPLICATION]}\n            - {key: PRODUCT, values: [Office 2016, Visual Studio 2022]}\n            - {key: PRODUCT_FAMILY, values: [Office]}\n").replace("b-windows", "b-windows-apps"),
      "c.yaml": baseline("UBUNTU", "            - {key: PRIORITY, values: [Required, Important]}\n            - {key: SECTION, values: [admin]}\n", "        approveAfterDays: 0\n"),
      "d.yaml": baseline("DEBIAN", "            - {key: PRODUCT, values: [Debian12]}\n", ""),
      "e.yaml": baseline("RASPBIAN", "            - {key: PRIORITY, values: [Required]}\n", "        approveAfterDays: 3\n"),
      "f.yaml": baseline("MACOS", "            - {key: CLASSIFICATION, values: [anything]}\n"),
      "g.yaml": "apiVersion: patchctl/v1\nkind: PatchBaseline\nmetadata:\n  name: only-patches\nspec:\n  operatingSystem: AMAZON_LINUX_2\n  approvedPatches: [kernel-5.10.1]\n",
      "h.yaml": baseline("SUSE", "            - {key: CLASSIFICATION, values: [Security, Yast]}\n            - {key: SEVERITY, values: [Moderate]}\n"),
    };
    expect(await errorsOf(ok)).toEqual([]);
  });

  it.each(["examples/walkthrough", "examples/blog", "examples/recipe"])("%s validates (its filter values are ones AWS accepts)", async (dir) => {
    const result = await loadDesiredState(dir);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("the validator and the local endpoint agree on every operating system and filter key", () => {
  let server: LocalSsm;
  beforeAll(async () => {
    server = await startLocalSsm({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("the same key and value verdicts (the one catalog), for each OS of the SDK's enum", async () => {
    const keys = Object.values(ssm.PatchFilterKey);
    const values = ["*", "Security", "SecurityUpdates", "Critical", "Required", "WindowsServer2019", "AmazonLinux2", "OS", "Nonexistent-Value"];
    const probes: { os: ssm.OperatingSystem; key: ssm.PatchFilterKey; value: string }[] = [];
    for (const os of Object.values(ssm.OperatingSystem)) for (const key of keys) for (const value of values) probes.push({ os, key, value });
    // The validator: one file per OS, one baseline per probe (names unique); a filter error is traced to its probe by its line.
    const files: Record<string, string> = {};
    const probesOfFile = new Map<string, number[]>();
    probes.forEach((p, i) => {
      const file = `${p.os}.yaml`;
      const doc = baseline(p.os, `            - {key: ${p.key}, values: ["${p.value}"]}\n`, p.os === "UBUNTU" || p.os === "DEBIAN" ? "" : "        approveAfterDays: 1\n").replace(/name: b-[a-z0-9-]+/, `name: probe-${i}`);
      files[file] = files[file] === undefined ? doc : `${files[file]}---\n${doc}`;
      probesOfFile.set(file, [...(probesOfFile.get(file) ?? []), i]);
    });
    const probeAt = new Map<string, number>();
    for (const [file, text] of Object.entries(files)) {
      let nth = 0;
      text.split("\n").forEach((line, idx) => {
        if (line.startsWith("            - {key: ")) probeAt.set(`${file}:${idx + 1}`, probesOfFile.get(file)![nth++]!);
      });
    }
    const errors = await errorsOf(files);
    const refusedByValidator = new Set<number>();
    for (const e of errors) {
      if (e.code !== "filter") continue;
      const i = probeAt.get(`${e.file}:${e.line}`);
      expect(i, `${e.file}:${e.line} ${e.message}`).toBeDefined();
      refusedByValidator.add(i!);
    }
    // The endpoint: the same probes as CreatePatchBaseline, one account per OS (the 50-baseline quota).
    const disagreements: string[] = [];
    for (const [o, os] of Object.values(ssm.OperatingSystem).entries()) {
      const c = new ssm.SSMClient({ region: "eu-west-1", endpoint: server.url, credentials: { accessKeyId: `AKIA${String(100000000000 + o)}TEST`, secretAccessKey: "x" }, maxAttempts: 1 });
      for (const [i, p] of probes.entries()) {
        if (p.os !== os) continue;
        const delay = os === "UBUNTU" || os === "DEBIAN" ? {} : { ApproveAfterDays: 1 };
        const accepted = await c
          .send(new ssm.CreatePatchBaselineCommand({ Name: `probe-${i}`, OperatingSystem: os, ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: p.key, Values: [p.value] }] }, ...delay }] } }))
          .then(async (r) => {
            await c.send(new ssm.DeletePatchBaselineCommand({ BaselineId: r.BaselineId }));
            return true;
          }, () => false);
        if (accepted === refusedByValidator.has(i)) disagreements.push(`${os} ${p.key}=${p.value}: endpoint ${accepted ? "accepts" : "refuses"}, validator ${refusedByValidator.has(i) ? "refuses" : "accepts"}`);
      }
      c.destroy();
    }
    expect(disagreements).toEqual([]);
    // Not vacuous: both accept some probes and refuse others.
    expect(refusedByValidator.size).toBeGreaterThan(probes.length / 2);
    expect(refusedByValidator.size).toBeLessThan(probes.length);
  }, 120_000);
});
