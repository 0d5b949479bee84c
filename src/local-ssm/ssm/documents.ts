import { createHash } from "node:crypto";
import type {
  CreateDocumentRequest,
  DeleteDocumentRequest,
  DescribeDocumentRequest,
  GetCalendarStateRequest,
  GetDocumentRequest,
  UpdateDocumentDefaultVersionRequest,
  UpdateDocumentRequest,
} from "@aws-sdk/client-ssm";
import { AwsError, invalid } from "../errors.js";
import type { CalendarType, ParsedCalendar } from "./change-calendar.js";
import { CalendarContentError, combinedStateAt, parseCalendar } from "./change-calendar.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { copy, epochSeconds } from "./context.js";
import { defineOperation } from "./define.js";
import type { DocumentRecord, DocumentVersionRecord } from "./records.js";
import { tagsAtCreate } from "./tags.js";

/**
 * SSM documents of type ChangeCalendar (Change Calendar entries): create, update (a new version),
 * set the default version, delete, read, describe; and GetCalendarState. Documents of other types
 * are not emulated: they are refused, saying so. See docs/ssm-fidelity.md, "Change Calendar".
 */

/** SSM's document size quota: 64 KB of content. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
const RESERVED_PREFIXES = ["aws", "amazon", "amzn"];

function invalidDocument(name: string): AwsError {
  return new AwsError("InvalidDocument", `Document with name ${name} does not exist.`);
}

/** A document name or its ARN (arn:aws:ssm:<region>:<account>:document/<name>) in this account and region. */
function lookup(ctx: SsmContext, nameOrArn: string): DocumentRecord {
  const m = /^arn:[^:]+:ssm:([^:]*):(\d{12}):document\/(.+)$/.exec(nameOrArn);
  if (m && (m[1] !== ctx.region || m[2] !== ctx.account)) throw invalidDocument(nameOrArn);
  const name = m ? m[3]! : nameOrArn;
  const doc = Object.hasOwn(ctx.state.documents, name) ? ctx.state.documents[name] : undefined;
  if (!doc) throw invalidDocument(nameOrArn);
  return doc;
}

/** The version asked for: DocumentVersion (a number, $LATEST, $DEFAULT) or VersionName; else the default. */
function versionOf(doc: DocumentRecord, version: string | undefined, versionName: string | undefined): DocumentVersionRecord {
  let wanted: DocumentVersionRecord | undefined;
  if (version !== undefined) {
    const n = version === "$LATEST" ? doc.LatestVersion : version === "$DEFAULT" ? doc.DefaultVersion : version;
    wanted = doc.Versions.find((v) => v.DocumentVersion === n);
  } else if (versionName === undefined) {
    wanted = doc.Versions.find((v) => v.DocumentVersion === doc.DefaultVersion);
  }
  if (wanted && versionName !== undefined && wanted.VersionName !== versionName) wanted = undefined;
  if (!wanted && versionName !== undefined && version === undefined) wanted = doc.Versions.find((v) => v.VersionName === versionName);
  if (!wanted) throw new AwsError("InvalidDocumentVersion", `The document version is not valid or does not exist.`);
  return wanted;
}

/** Checks ChangeCalendar content (TEXT iCalendar, within the size quota); the parse, for GetCalendarState. */
function checkContent(content: string, format: string): ParsedCalendar {
  if (Buffer.byteLength(content, "utf8") > MAX_DOCUMENT_BYTES) throw new AwsError("MaxDocumentSizeExceeded", `The content exceeds the maximum document size of ${MAX_DOCUMENT_BYTES} bytes.`);
  if (format !== "TEXT") throw new AwsError("InvalidDocumentContent", `A document of type ChangeCalendar holds iCalendar text: DocumentFormat must be TEXT (got ${format}).`);
  try {
    return parseCalendar(content);
  } catch (err) {
    if (err instanceof CalendarContentError) throw new AwsError("InvalidDocumentContent", `The content of the ChangeCalendar document is not valid: ${err.message}.`);
    throw err;
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** DocumentDescription of one version, as CreateDocument, UpdateDocument and DescribeDocument answer. */
function description(ctx: SsmContext, doc: DocumentRecord, v: DocumentVersionRecord, status: "Creating" | "Updating" | "Active"): Record<string, unknown> {
  return {
    Hash: v.Hash,
    HashType: "Sha256",
    Name: doc.Name,
    ...(v.DisplayName !== undefined ? { DisplayName: v.DisplayName } : {}),
    ...(v.VersionName !== undefined ? { VersionName: v.VersionName } : {}),
    Owner: ctx.account,
    CreatedDate: doc.CreatedDate,
    Status: status,
    DocumentVersion: v.DocumentVersion,
    DocumentType: doc.DocumentType,
    LatestVersion: doc.LatestVersion,
    DefaultVersion: doc.DefaultVersion,
    DocumentFormat: v.DocumentFormat,
    ...(doc.TargetType !== undefined ? { TargetType: doc.TargetType } : {}),
    Tags: copy(doc.Tags),
  };
}

/** "2026-12-20T08:00:00Z": GetCalendarState's times (ISO-8601, UTC, whole seconds), as in the recorded examples. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const documentOperations: Record<string, OperationHandler> = {
  CreateDocument: defineOperation<CreateDocumentRequest>("CreateDocument", (input, ctx) => {
    const name = input.Name!;
    if (RESERVED_PREFIXES.some((p) => name.toLowerCase().startsWith(p))) throw invalid(`Document name ${name} cannot start with aws, amazon or amzn: these prefixes are reserved by AWS.`);
    const type = input.DocumentType ?? "Command";
    if (type !== "ChangeCalendar") throw new AwsError("InvalidDocumentType", `This local endpoint serves documents of type ChangeCalendar only (Change Calendar); DocumentType ${type} is not emulated.`);
    if (Object.hasOwn(ctx.state.documents, name)) throw new AwsError("DocumentAlreadyExists", `Document with same name ${name} already exists.`);
    const format = input.DocumentFormat ?? "JSON";
    checkContent(input.Content!, format);
    const now = epochSeconds(ctx.now);
    const version: DocumentVersionRecord = { DocumentVersion: "1", Content: input.Content!, DocumentFormat: format, Hash: sha256(input.Content!), CreatedDate: now };
    if (input.VersionName !== undefined) version.VersionName = input.VersionName;
    if (input.DisplayName !== undefined) version.DisplayName = input.DisplayName;
    const doc: DocumentRecord = { Name: name, DocumentType: type, CreatedDate: now, DefaultVersion: "1", LatestVersion: "1", Versions: [version], Tags: tagsAtCreate(input.Tags) };
    if (input.TargetType !== undefined) doc.TargetType = input.TargetType;
    ctx.state.documents[name] = doc;
    ctx.mutated = true;
    return { DocumentDescription: description(ctx, doc, version, "Creating") };
  }),

  UpdateDocument: defineOperation<UpdateDocumentRequest>("UpdateDocument", (input, ctx) => {
    const doc = lookup(ctx, input.Name!);
    const asked = input.DocumentVersion ?? "$LATEST";
    // "Systems Manager supports updating only the latest version of the document" (UpdateDocument's documentation).
    if (asked !== "$LATEST" && asked !== doc.LatestVersion) throw new AwsError("InvalidDocumentVersion", `Only the latest version (${doc.LatestVersion}) of document ${doc.Name} can be updated.`);
    const latest = doc.Versions.find((v) => v.DocumentVersion === doc.LatestVersion)!;
    const format = input.DocumentFormat ?? latest.DocumentFormat;
    checkContent(input.Content!, format);
    if (input.Content === latest.Content) throw new AwsError("DuplicateDocumentContent", "The content of the document matches the latest version. Change the content and try again.");
    if (input.VersionName !== undefined && doc.Versions.some((v) => v.VersionName === input.VersionName)) throw new AwsError("DuplicateDocumentVersionName", `Version name ${input.VersionName} is already used by a version of ${doc.Name}.`);
    const next = String(Number(doc.LatestVersion) + 1);
    const version: DocumentVersionRecord = { DocumentVersion: next, Content: input.Content!, DocumentFormat: format, Hash: sha256(input.Content!), CreatedDate: epochSeconds(ctx.now) };
    if (input.VersionName !== undefined) version.VersionName = input.VersionName;
    const display = input.DisplayName ?? latest.DisplayName;
    if (display !== undefined) version.DisplayName = display;
    if (input.TargetType !== undefined) doc.TargetType = input.TargetType;
    doc.Versions.push(version);
    doc.LatestVersion = next;
    ctx.mutated = true;
    return { DocumentDescription: description(ctx, doc, version, "Updating") };
  }),

  UpdateDocumentDefaultVersion: defineOperation<UpdateDocumentDefaultVersionRequest>("UpdateDocumentDefaultVersion", (input, ctx) => {
    const doc = lookup(ctx, input.Name!);
    const v = doc.Versions.find((x) => x.DocumentVersion === input.DocumentVersion);
    if (!v) throw new AwsError("InvalidDocumentVersion", `Document ${doc.Name} has no version ${input.DocumentVersion}.`);
    doc.DefaultVersion = v.DocumentVersion;
    ctx.mutated = true;
    return { Description: { Name: doc.Name, DefaultVersion: v.DocumentVersion, ...(v.VersionName !== undefined ? { DefaultVersionName: v.VersionName } : {}) } };
  }),

  DeleteDocument: defineOperation<DeleteDocumentRequest>("DeleteDocument", (input, ctx) => {
    const doc = lookup(ctx, input.Name!);
    if (input.DocumentVersion === undefined && input.VersionName === undefined) {
      delete ctx.state.documents[doc.Name];
      ctx.mutated = true;
      return {};
    }
    const v = versionOf(doc, input.DocumentVersion, input.VersionName);
    if (v.DocumentVersion === doc.DefaultVersion) throw new AwsError("InvalidDocumentOperation", `Version ${v.DocumentVersion} is the default version of ${doc.Name}; it cannot be deleted alone (delete the document, or make another version the default first).`);
    doc.Versions = doc.Versions.filter((x) => x !== v);
    doc.LatestVersion = doc.Versions[doc.Versions.length - 1]!.DocumentVersion;
    ctx.mutated = true;
    return {};
  }),

  GetDocument: defineOperation<GetDocumentRequest>("GetDocument", (input, ctx) => {
    const doc = lookup(ctx, input.Name!);
    const v = versionOf(doc, input.DocumentVersion, input.VersionName);
    return {
      Name: doc.Name,
      CreatedDate: v.CreatedDate,
      ...(v.DisplayName !== undefined ? { DisplayName: v.DisplayName } : {}),
      ...(v.VersionName !== undefined ? { VersionName: v.VersionName } : {}),
      DocumentVersion: v.DocumentVersion,
      Status: "Active",
      Content: v.Content,
      DocumentType: doc.DocumentType,
      // iCalendar text has no JSON or YAML form: TEXT whatever format is asked for.
      DocumentFormat: v.DocumentFormat,
    };
  }),

  DescribeDocument: defineOperation<DescribeDocumentRequest>("DescribeDocument", (input, ctx) => {
    const doc = lookup(ctx, input.Name!);
    return { Document: description(ctx, doc, versionOf(doc, input.DocumentVersion, input.VersionName), "Active") };
  }),

  GetCalendarState: defineOperation<GetCalendarStateRequest>("GetCalendarState", (input, ctx) => {
    const names = input.CalendarNames!;
    if (names.length === 0) throw invalid("CalendarNames must name at least one calendar.");
    let at = ctx.now.getTime();
    if (input.AtTime !== undefined) {
      at = Date.parse(input.AtTime);
      if (!/^\d{4}-\d{2}-\d{2}/.test(input.AtTime) || Number.isNaN(at)) throw invalid(`AtTime ${input.AtTime} is not an ISO 8601 date-time (e.g. 2020-07-19T21:15:19Z).`);
    }
    const calendars = names.map((n) => {
      const doc = lookup(ctx, n);
      if (doc.DocumentType !== "ChangeCalendar") throw new AwsError("InvalidDocumentType", `Document ${doc.Name} is of type ${doc.DocumentType}, not ChangeCalendar.`);
      const v = versionOf(doc, undefined, undefined);
      const parsed = parseCalendar(v.Content);
      if (parsed.type === undefined) throw new AwsError("UnsupportedCalendarException", `The calendar entry in document ${doc.Name} is not supported: X-CALENDAR-TYPE is ${parsed.typeText === undefined ? "missing" : `'${parsed.typeText}'`} (expected DEFAULT_OPEN or DEFAULT_CLOSED).`);
      return parsed as ParsedCalendar & { type: CalendarType };
    });
    const { state, next } = combinedStateAt(calendars, at);
    return { State: state, AtTime: isoSeconds(at), ...(next !== undefined ? { NextTransitionTime: isoSeconds(next) } : {}) };
  }),
};
