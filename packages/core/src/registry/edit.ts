// Edits a registry file in place for `onboard` / `offboard`: splices the change into the text so every other byte (comments, blank lines, key order, flow style) stays as written.
import { Document, isAlias, isMap, isScalar, isSeq, parseDocument, Scalar, visit, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import { isDeepStrictEqual } from "node:util";
import { parseRegistry, type LoadedRegistry } from "./load";
import type { ComplianceFlag, Stage, Tier } from "./schema";

/** The fields `tenantry onboard` can set; everything else keeps its schema default. */
export interface NewTenant {
  id: string;
  /** Display name. @default the id */
  name?: string;
  tier: Tier;
  stage?: Stage;
  residency: string;
  sharedCluster?: string;
  region?: string;
  instanceSize?: string;
  compliance?: ComplianceFlag[] | string[];
  backupPolicy?: string;
}

/** Thrown when onboarding an id the registry already holds (compared case-insensitively, like the validator). */
export class TenantExistsError extends Error {
  override readonly name = "TenantExistsError";
  constructor(readonly tenantId: string) {
    super(`tenant [${tenantId}] is already in the registry`);
  }
}

/** Thrown when offboarding an id the registry does not hold. */
export class UnknownTenantError extends Error {
  override readonly name = "UnknownTenantError";
  constructor(readonly tenantId: string) {
    super(`tenant [${tenantId}] is not in the registry`);
  }
}

/** Thrown when the file cannot be edited safely (not a mapping, tenants not a list, an edit that would change more than asked). */
export class RegistryEditError extends Error {
  override readonly name = "RegistryEditError";
}

/** The edited text and the registry it validates to. */
export interface EditResult {
  text: string;
  loaded: LoadedRegistry;
}

const isJsonFile = (file: string) => file.toLowerCase().endsWith(".json");

/** Field order of a new tenant entry, as in the example registries. */
const FIELD_ORDER: readonly (keyof NewTenant)[] = ["id", "name", "tier", "stage", "residency", "sharedCluster", "region", "instanceSize", "compliance", "backupPolicy"];

function entryOf(tenant: NewTenant): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  for (const key of FIELD_ORDER) {
    const value = key === "name" ? (tenant.name ?? tenant.id) : tenant[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    entry[key] = value;
  }
  return entry;
}

function parse(text: string): Document.Parsed {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new RegistryEditError(`the registry is not valid YAML: ${doc.errors[0]?.message.split("\n")[0] ?? ""}`);
  if (!isMap(doc.contents)) throw new RegistryEditError("the registry is not a YAML mapping");
  return doc;
}

function tenantsSeq(doc: Document.Parsed): YAMLSeq | null {
  const node: unknown = doc.get("tenants", true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return null;
  if (!isSeq(node)) throw new RegistryEditError("`tenants` is not a list");
  return node;
}

function idOf(item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  const id = item.get("id");
  return typeof id === "string" ? id : undefined;
}

const lineStart = (text: string, offset: number) => text.lastIndexOf("\n", offset - 1) + 1;
const lineEnd = (text: string, offset: number) => {
  const i = text.indexOf("\n", offset);
  return i === -1 ? text.length : i + 1;
};

/**
 * Plain scalars a YAML 1.1 reader takes for booleans (https://yaml.org/type/bool.html): written quoted so every tool
 * reads the id `no` or `on` as the string it is.
 */
const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

/** The new entry as block YAML lines, flow style for the compliance list as the examples write it. */
function renderEntry(entry: Record<string, unknown>): string[] {
  const mini = new Document(entry);
  const compliance = mini.get("compliance", true);
  if (isSeq(compliance)) compliance.flow = true;
  visit(mini, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && YAML11_BOOL.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return mini.toString({ lineWidth: 0, flowCollectionPadding: false }).replace(/\n$/, "").split("\n");
}

/** Checks the splice did exactly what the Document API says the edit is (same data, nothing else touched). */
function assertSameData(edited: string, expected: Document.Parsed): void {
  const actual = parseDocument(edited);
  if (actual.errors.length > 0 || !isDeepStrictEqual(actual.toJS(), expected.toJS())) {
    throw new RegistryEditError("the edit could not be applied without changing other content; edit the file by hand");
  }
}

/** Adds a tenant at the end of `tenants`, keeping every other byte of a YAML file (JSON files are re-serialised). */
export function addTenantText(text: string, tenant: NewTenant, file = "registry.yaml"): string {
  const entry = entryOf(tenant);
  if (isJsonFile(file)) {
    const data = JSON.parse(text) as { tenants?: unknown[] };
    if (((data.tenants ?? []) as { id?: unknown }[]).some((t) => String(t.id).toLowerCase() === tenant.id.toLowerCase())) {
      throw new TenantExistsError(tenant.id);
    }
    data.tenants = [...(data.tenants ?? []), entry];
    return `${JSON.stringify(data, null, 2)}\n`;
  }
  const doc = parse(text);
  const seq = tenantsSeq(doc);
  if (seq?.items.some((item) => idOf(item)?.toLowerCase() === tenant.id.toLowerCase())) throw new TenantExistsError(tenant.id);

  // What the result must mean, by the Document API; the text is spliced so the rest keeps its bytes.
  const expected = parse(text);
  if (seq === null) expected.setIn(["tenants"], expected.createNode([entry]));
  else expected.addIn(["tenants"], expected.createNode(entry));
  const lines = renderEntry(entry);

  let edited: string;
  const last = seq?.items.at(-1) as Node | undefined;
  if (seq && !seq.flow && last?.range) {
    // Block list: the new item goes after the last one, its dash in the same column.
    const itemStart = last.range[0];
    const dash = text.lastIndexOf("-", itemStart);
    const dashCol = dash - lineStart(text, dash);
    const contentCol = itemStart - lineStart(text, itemStart) > dashCol ? itemStart - lineStart(text, itemStart) : dashCol + 2;
    const at = lineEnd(text, Math.max(last.range[1] - 1, itemStart));
    const block = lines.map((l, i) => (i === 0 ? `${" ".repeat(dashCol)}- ${" ".repeat(contentCol - dashCol - 2)}${l}` : `${" ".repeat(contentCol)}${l}`)).join("\n");
    const before = text.slice(0, at);
    edited = `${before}${before.endsWith("\n") ? "" : "\n"}${block}\n${text.slice(at)}`;
  } else if (seq?.flow && seq.items.length === 0 && seq.range) {
    // `tenants: []` becomes a block list in place of the brackets.
    const start = seq.range[0];
    const end = seq.range[1];
    const keyCol = start - lineStart(text, start) - "tenants: ".length;
    const indent = " ".repeat(Math.max(0, keyCol) + 2);
    const block = lines.map((l, i) => `${indent}${i === 0 ? "- " : "  "}${l}`).join("\n");
    edited = `${text.slice(0, start).replace(/[ \t]+$/, "")}\n${block}${text.slice(end)}`;
  } else if (seq === null && doc.get("tenants", true) === undefined) {
    // No `tenants` key yet: append one at the end of the file.
    const block = lines.map((l, i) => `  ${i === 0 ? "- " : "  "}${l}`).join("\n");
    edited = `${text}${text.endsWith("\n") || text === "" ? "" : "\n"}tenants:\n${block}\n`;
  } else {
    // A flow list with items (rare in a registry): the Document API's own rendering of the whole file.
    edited = expected.toString({ lineWidth: 0, flowCollectionPadding: false });
  }
  assertSameData(edited, expected);
  return edited;
}

/** Sets `status` of one tenant, keeping every other byte of a YAML file (JSON files are re-serialised). */
export function setTenantStatusText(text: string, tenantId: string, status: "active" | "frozen" | "offboarding", file = "registry.yaml"): string {
  if (isJsonFile(file)) {
    const data = JSON.parse(text) as { tenants?: Record<string, unknown>[] };
    const t = (data.tenants ?? []).find((x) => x.id === tenantId);
    if (!t) throw new UnknownTenantError(tenantId);
    t.status = status;
    return `${JSON.stringify(data, null, 2)}\n`;
  }
  const doc = parse(text);
  const seq = tenantsSeq(doc);
  const index = seq?.items.findIndex((item) => idOf(item) === tenantId) ?? -1;
  const item = seq?.items[index] as YAMLMap | undefined;
  if (!seq || index < 0 || !item?.range) throw new UnknownTenantError(tenantId);

  // An anchored or aliased node may be shared with another tenant: editing it would change that tenant too.
  const current0 = item.get("status", true);
  if (item.anchor !== undefined || isAlias(current0) || (current0 as Node | undefined)?.anchor !== undefined) {
    throw new RegistryEditError(`tenant [${tenantId}]'s entry or its status is a YAML anchor or alias another entry may share; set its status by hand`);
  }
  if (seq.items.some((other) => isAlias(other))) {
    throw new RegistryEditError("`tenants` holds YAML aliases: an edit could change more than one tenant; edit the file by hand");
  }

  const expected = parse(text);
  expected.setIn(["tenants", index, "status"], status);

  let edited: string;
  const current = item.get("status", true);
  if (isScalar(current) && current.range && current.type === "PLAIN") {
    edited = `${text.slice(0, current.range[0])}${status}${text.slice(current.range[1])}`;
  } else if (current !== undefined) {
    // A quoted status: replace the scalar with a plain one.
    const range = (current as Node).range;
    if (!range) throw new RegistryEditError(`cannot locate the status of tenant [${tenantId}]`);
    edited = `${text.slice(0, range[0])}${status}${text.slice(range[1])}`;
  } else if (item.flow) {
    // `{ id: x, ... }` → `{ id: x, ..., status: offboarding }`, before the closing brace.
    const close = text.lastIndexOf("}", item.range[1] - 1);
    const head = text.slice(0, close);
    const trimmed = head.replace(/\s+$/, "");
    edited = `${trimmed}, status: ${status}${head.slice(trimmed.length)}${text.slice(close)}`;
  } else {
    // Block mapping: a new line after its last pair, at the column of its keys.
    const firstKey = item.items[0]?.key as Node | undefined;
    const keyStart = firstKey?.range?.[0] ?? item.range[0];
    const col = keyStart - lineStart(text, keyStart);
    const lastPair = item.items.at(-1);
    const lastNode = (lastPair?.value ?? lastPair?.key) as Node | undefined;
    const end = lastNode?.range ? lastNode.range[1] : item.range[1];
    const at = lineEnd(text, Math.max(end - 1, keyStart));
    const before = text.slice(0, at);
    edited = `${before}${before.endsWith("\n") ? "" : "\n"}${" ".repeat(col)}status: ${status}\n${text.slice(at)}`;
  }
  assertSameData(edited, expected);
  return edited;
}

/** Applies a text edit keeping the file's line endings: a CRLF file is edited as LF and written back as CRLF. */
function keepingLineEndings(text: string, edit: (lf: string) => string): string {
  if (!text.includes("\r\n")) return edit(text);
  const edited = edit(text.replace(/\r\n/g, "\n"));
  return edited.replace(/\r?\n/g, "\r\n");
}

/** Adds the tenant and validates the result (throws TenantExistsError, RegistryInvalidError or RegistryEditError). */
export function onboardTenant(text: string, file: string, tenant: NewTenant): EditResult {
  const edited = keepingLineEndings(text, (lf) => addTenantText(lf, tenant, file));
  return { text: edited, loaded: parseRegistry(edited, file) };
}

/** Marks the tenant offboarding and validates the result (throws UnknownTenantError, RegistryInvalidError or RegistryEditError). */
export function offboardTenant(text: string, file: string, tenantId: string): EditResult {
  const edited = keepingLineEndings(text, (lf) => setTenantStatusText(lf, tenantId, "offboarding", file));
  return { text: edited, loaded: parseRegistry(edited, file) };
}
