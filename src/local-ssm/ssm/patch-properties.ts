import type { DescribePatchPropertiesRequest } from "@aws-sdk/client-ssm";
import { describePatchProperties, extraValuesOf } from "../../catalog/patch-properties.js";
import type { OperationHandler } from "./context.js";
import { defineOperation } from "./define.js";
import { paginate } from "./pagination.js";

/**
 * DescribePatchProperties, served from the catalog the validator and the
 * baseline rules use (src/catalog/patch-properties.ts), so what it lists is what
 * CreatePatchBaseline accepts. Each entry is `{Name: value}` (the recorded
 * describe-patch-properties example); PatchSet applies to WINDOWS only; MaxResults
 * is 1-50 (the model), 50 when absent (the service's default is undocumented).
 * Values given to startLocalSsm as patchProperties are listed after the catalog's.
 */
export const patchPropertyOperations: Record<string, OperationHandler> = {
  DescribePatchProperties: defineOperation<DescribePatchPropertiesRequest>("DescribePatchProperties", (input, ctx) => {
    const listed = describePatchProperties(input.OperatingSystem!, input.Property!, input.PatchSet ?? "OS");
    const known = new Set(listed.map((e) => e.Name));
    const extra = extraValuesOf(ctx.extraPatchProperties, input.OperatingSystem!, input.Property!, input.PatchSet ?? "OS").filter((v) => !known.has(v));
    const entries = [...listed, ...extra.map((Name) => ({ Name }))];
    const { page, nextToken } = paginate(entries, (e) => e.Name ?? "", {
      operation: "DescribePatchProperties",
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      defaultSize: 50,
      query: { os: input.OperatingSystem, property: input.Property, patchSet: input.PatchSet ?? "OS" },
    });
    return { Properties: page, NextToken: nextToken };
  }),
};
