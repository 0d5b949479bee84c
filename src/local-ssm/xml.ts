/**
 * The little XML the AWS Query protocol needs, written by hand: elements named
 * after members, lists as <member> children, timestamps in ISO 8601, booleans as
 * true/false. Values are shaped like the SDK's output types.
 */

/** Characters XML 1.0 cannot carry at all, even as references; shown as U+FFFD. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text content or attribute value: markup characters escaped; CR as a reference so parsers keep it. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;");
}

/** AWS's timestamp format in XML: ISO 8601, UTC, whole seconds. */
export function xmlTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function content(value: unknown): string {
  if (value instanceof Date) return escapeXml(xmlTimestamp(value));
  if (Array.isArray(value)) return value.map((item) => xmlElement("member", item)).join("");
  if (typeof value === "object" && value !== null) {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => xmlElement(k, v))
      .join("");
  }
  return escapeXml(String(value));
}

/** `<name>…</name>` for a value; nothing for undefined or null (absent members are left out). */
export function xmlElement(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  const inner = content(value);
  return inner === "" ? `<${name}/>` : `<${name}>${inner}</${name}>`;
}
