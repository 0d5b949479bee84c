import { AwsError, validationError } from "./errors.js";

/** Checks on one operation's input, with AWS's ValidationException messages. */
export class Input {
  constructor(readonly raw: Record<string, unknown>) {}

  private member(name: string): string {
    return name.charAt(0).toLowerCase() + name.slice(1);
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  string(name: string, opts: { required?: boolean; min?: number; max?: number; pattern?: RegExp; enum?: readonly string[] } = {}): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) {
      if (opts.required) throw validationError(null, this.member(name), "Member must not be null");
      return undefined;
    }
    if (typeof v !== "string") throw new AwsError("SerializationException", `Unexpected value type for ${name}: expected a string`);
    if (opts.min !== undefined && v.length < opts.min) throw validationError(v, this.member(name), `Member must have length greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && v.length > opts.max) throw validationError(v, this.member(name), `Member must have length less than or equal to ${opts.max}`);
    if (opts.pattern && !opts.pattern.test(v)) throw validationError(v, this.member(name), `Member must satisfy regular expression pattern: ${opts.pattern.source}`);
    if (opts.enum && !opts.enum.includes(v)) throw validationError(v, this.member(name), `Member must satisfy enum value set: [${opts.enum.join(", ")}]`);
    return v;
  }

  requiredString(name: string, opts: { min?: number; max?: number; pattern?: RegExp; enum?: readonly string[] } = {}): string {
    return this.string(name, { ...opts, required: true })!;
  }

  int(name: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) {
      if (opts.required) throw validationError(null, this.member(name), "Member must not be null");
      return undefined;
    }
    if (typeof v !== "number" || !Number.isInteger(v)) throw new AwsError("SerializationException", `Unexpected value type for ${name}: expected an integer`);
    if (opts.min !== undefined && v < opts.min) throw validationError(v, this.member(name), `Member must have value greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) throw validationError(v, this.member(name), `Member must have value less than or equal to ${opts.max}`);
    return v;
  }

  bool(name: string, required = false): boolean | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) {
      if (required) throw validationError(null, this.member(name), "Member must not be null");
      return undefined;
    }
    if (typeof v !== "boolean") throw new AwsError("SerializationException", `Unexpected value type for ${name}: expected a boolean`);
    return v;
  }

  list<T = unknown>(name: string, opts: { min?: number; max?: number } = {}): T[] | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw new AwsError("SerializationException", `Unexpected value type for ${name}: expected a list`);
    if (opts.min !== undefined && v.length < opts.min) throw validationError(v, this.member(name), `Member must have length greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && v.length > opts.max) throw validationError(v, this.member(name), `Member must have length less than or equal to ${opts.max}`);
    return v as T[];
  }

  object<T = Record<string, unknown>>(name: string): T | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) throw new AwsError("SerializationException", `Unexpected value type for ${name}: expected a structure`);
    return v as T;
  }
}

export const NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
export const TAG_TEXT = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
export const BASELINE_ID = /^[a-zA-Z0-9_\-:/]{20,128}$/;
export const WINDOW_ID = /^mw-[0-9a-f]{17}$/;
export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
export const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;
export const CLIENT_TOKEN = { min: 1, max: 64 };

export const OPERATING_SYSTEMS = [
  "WINDOWS", "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022", "UBUNTU", "REDHAT_ENTERPRISE_LINUX", "SUSE", "CENTOS",
  "ORACLE_LINUX", "DEBIAN", "MACOS", "RASPBIAN", "ROCKY_LINUX", "ALMA_LINUX", "AMAZON_LINUX_2023",
] as const;
export const COMPLIANCE_LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"] as const;
export const FILTER_KEYS = [
  "ARCH", "ADVISORY_ID", "BUGZILLA_ID", "PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "CVE_ID", "EPOCH", "MSRC_SEVERITY",
  "NAME", "PATCH_ID", "SECTION", "PRIORITY", "REPOSITORY", "RELEASE", "SEVERITY", "SECURITY", "VERSION",
] as const;
