import type { DeleteParameterRequest, GetParameterRequest, GetParametersByPathRequest, PutParameterRequest } from "@aws-sdk/client-ssm";
import { AwsError, invalid, validationError } from "../errors.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { epochSeconds } from "./context.js";
import { defineOperation } from "./define.js";
import { paginate } from "./pagination.js";
import type { ParameterRecord } from "./records.js";
import { tagsAtCreate } from "./tags.js";

/**
 * Parameter Store, as much as patchctl needs (its write lease, its rollouts' state): PutParameter
 * without Overwrite is create-if-absent, and atomic, because operations run one at
 * a time and are durable before they are answered.
 */
const NAME = /^[a-zA-Z0-9_.\-/]+$/;
const MAX_STANDARD_VALUE = 4096;
const MAX_ADVANCED_VALUE = 8192;
const MAX_HIERARCHY_LEVELS = 15;
/** Standard parameters per account and region. */
export const MAX_PARAMETERS = 10_000;

function checkName(name: string): void {
  if (!NAME.test(name)) throw invalid(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`);
  const bare = name.startsWith("/") ? name.slice(1) : name;
  if (/^(aws|ssm)/i.test(bare)) throw invalid(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`);
  if (name.includes("/") && !name.startsWith("/")) throw invalid("Parameter name must be a fully qualified name: a name with a hierarchy must begin with a slash (/).");
  if (name.split("/").length - 1 > MAX_HIERARCHY_LEVELS) throw new AwsError("HierarchyLevelLimitExceededException", `A parameter hierarchy can have at most ${MAX_HIERARCHY_LEVELS} levels.`);
}

function notFound(name: string): AwsError {
  return new AwsError("ParameterNotFound", `Parameter ${name} not found.`);
}

/** "name", "name:version" (a version selector) as GetParameter accepts them. */
function splitSelector(text: string): { name: string; version?: number } {
  const m = /^(.*):(\d+)$/.exec(text);
  return m ? { name: m[1]!, version: Number(m[2]) } : { name: text };
}

function arnOf(ctx: SsmContext, name: string): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
}

/** What GetParameter returns for a SecureString read without decryption: an opaque ciphertext. */
function ciphertext(value: string): string {
  return Buffer.concat([Buffer.from([1, 2, 2, 0, 120]), Buffer.from(value, "utf8")]).toString("base64");
}

export const parameterOperations: Record<string, OperationHandler> = {
  PutParameter: defineOperation<PutParameterRequest>("PutParameter", (input, ctx) => {
    const name = input.Name!;
    checkName(name);
    const value = input.Value!;
    const tier = input.Tier === "Advanced" ? "Advanced" : "Standard";
    if (value.length === 0) throw validationError(value, "value", "Member must have length greater than or equal to 1", true);
    if (tier === "Standard" && value.length > MAX_STANDARD_VALUE) throw invalid(`Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameters tier.`);
    if (value.length > MAX_ADVANCED_VALUE) throw invalid(`Advanced tier parameters support a maximum parameter value of ${MAX_ADVANCED_VALUE} characters.`);
    if (input.Overwrite === true && input.Tags !== undefined && input.Tags.length > 0) {
      throw invalid("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
    }
    if (input.AllowedPattern !== undefined) {
      let re: RegExp;
      try {
        re = new RegExp(input.AllowedPattern, "u");
      } catch {
        throw new AwsError("InvalidAllowedPatternException", `The allowed pattern ${input.AllowedPattern} is not a valid regular expression.`);
      }
      if (!re.test(value)) throw new AwsError("ParameterPatternMismatchException", `Parameter value, cannot be validated against allowedPattern: ${input.AllowedPattern}`);
    }
    const existing = ctx.state.parameters[name];
    if (existing && input.Overwrite !== true) throw new AwsError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
    if (!existing && Object.keys(ctx.state.parameters).length >= MAX_PARAMETERS) throw new AwsError("ParameterLimitExceeded", `You have reached the maximum number of parameters (${MAX_PARAMETERS}) in this account and region.`);
    const record: ParameterRecord = {
      Name: name,
      Value: value,
      Type: input.Type ?? existing?.Type ?? "String",
      Version: (existing?.Version ?? 0) + 1,
      LastModifiedDate: epochSeconds(ctx.now),
      Tier: existing?.Tier === "Advanced" ? "Advanced" : tier,
      DataType: input.DataType ?? existing?.DataType ?? "text",
      Tags: existing?.Tags ?? tagsAtCreate(input.Tags),
    };
    const description = input.Description ?? existing?.Description;
    if (description !== undefined) record.Description = description;
    const pattern = input.AllowedPattern ?? existing?.AllowedPattern;
    if (pattern !== undefined) record.AllowedPattern = pattern;
    if (record.Type === "SecureString") record.KeyId = input.KeyId ?? existing?.KeyId ?? "alias/aws/ssm";
    ctx.state.parameters[name] = record;
    ctx.mutated = true;
    return { Version: record.Version, Tier: record.Tier };
  }),

  GetParameter: defineOperation<GetParameterRequest>("GetParameter", (input, ctx) => {
    const { name, version } = splitSelector(input.Name!);
    const p = ctx.state.parameters[name];
    if (!p) throw notFound(name);
    if (version !== undefined && version !== p.Version) throw new AwsError("ParameterVersionNotFound", `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`);
    const plain = p.Type !== "SecureString" || input.WithDecryption === true;
    return {
      Parameter: {
        Name: p.Name,
        Type: p.Type,
        Value: plain ? p.Value : ciphertext(p.Value),
        Version: p.Version,
        Selector: version !== undefined ? `:${version}` : undefined,
        LastModifiedDate: p.LastModifiedDate,
        ARN: arnOf(ctx, p.Name),
        DataType: p.DataType,
      },
    };
  }),

  /**
   * The parameters directly under a path (and below it with Recursive), in name order. "Hierarchies
   * start with a forward slash (/)"; a trailing slash is optional. MaxResults 1-10 (the model's
   * GetParametersByPathMaxResults); the page size without one is 10 (undocumented).
   */
  GetParametersByPath: defineOperation<GetParametersByPathRequest>("GetParametersByPath", (input, ctx) => {
    const path = input.Path!;
    if (!path.startsWith("/") || !NAME.test(path)) throw invalid(`The parameter path ${path} is not valid: a path starts with a forward slash (/) and holds letters, numbers and the symbols .-_/`);
    const prefix = path.endsWith("/") ? path : `${path}/`;
    const filters = input.ParameterFilters ?? [];
    for (const f of filters) {
      // "For GetParametersByPath, the following patterns listed for Key aren't valid: tag, DataType, Name, Path, and Tier."
      if (/^(tag:.+|DataType|Name|Path|Tier)$/.test(f.Key!)) throw new AwsError("InvalidFilterKey", `The following filter key is not valid: ${f.Key}. Valid filter keys include: [Type, KeyId, Label].`);
      if (f.Option !== undefined && f.Option !== "Equals" && !(f.Option === "BeginsWith" && f.Key !== "Label")) throw new AwsError("InvalidFilterOption", `The filter option is not valid. Valid options are: [Equals, BeginsWith]. For Label, the only valid option is Equals.`);
    }
    // No parameter here carries labels: a Label filter matches nothing.
    const passes = (p: ParameterRecord): boolean =>
      filters.every((f) => {
        const value = f.Key === "Type" ? p.Type : f.Key === "KeyId" ? p.KeyId : undefined;
        if (value === undefined) return false;
        return (f.Values ?? []).some((v) => (f.Option === "BeginsWith" ? value.startsWith(v) : value === v));
      });
    const matches = Object.values(ctx.state.parameters)
      .filter((p) => p.Name.startsWith(prefix) && (input.Recursive === true || !p.Name.slice(prefix.length).includes("/")) && passes(p))
      .sort((a, b) => a.Name.localeCompare(b.Name));
    const { page, nextToken } = paginate(matches, (p) => p.Name, { operation: "GetParametersByPath", MaxResults: input.MaxResults, NextToken: input.NextToken, defaultSize: 10, query: { path: prefix, recursive: input.Recursive === true } });
    return {
      Parameters: page.map((p) => ({
        Name: p.Name,
        Type: p.Type,
        Value: p.Type !== "SecureString" || input.WithDecryption === true ? p.Value : ciphertext(p.Value),
        Version: p.Version,
        LastModifiedDate: p.LastModifiedDate,
        ARN: arnOf(ctx, p.Name),
        DataType: p.DataType,
      })),
      NextToken: nextToken,
    };
  }),

  DeleteParameter: defineOperation<DeleteParameterRequest>("DeleteParameter", (input, ctx) => {
    const name = input.Name!;
    if (!ctx.state.parameters[name]) throw notFound(name);
    delete ctx.state.parameters[name];
    ctx.mutated = true;
    return {};
  }),
};
