// The leak guard: secretlint's maintained recommended rule set (https://github.com/secretlint/secretlint, preset
// "recommend") plus the credential shapes it does not cover, over every string of a rendering.
import { SecretLeakError } from "./errors";

/** The mask the engine puts in place of every secret value. */
export const SECRET_MASK = "[secret]";

/**
 * Shapes the recommended preset misses (each checked against it in tests/plan/leak-guard.test.ts), by name:
 * - a URI with a password, with or without a user, `/` allowed in the password (`mongodb://:p@h`, `redis://:pw@h`);
 * - an AWS access key id (`AKIA…`/`ASIA…`, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html);
 * - a PEM private key header (RFC 7468 §10/§11);
 * - `Password=…;` / `Pwd=…` of ADO.NET / ODBC connection strings;
 * - an HTTP bearer token (RFC 6750 §2.1).
 */
const OWN_PATTERNS: readonly [string, RegExp][] = [
  ["credential URI", /[a-z][a-z0-9+.-]*:\/\/[^\s:@"'/]*:[^\s@"']+@/i],
  ["AWS access key id", /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/],
  ["private key", /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/],
  ["connection-string password", /(?:^|[;\s"'])(?:password|pwd)\s*=\s*[^;\s"']+/i],
  ["bearer token", /\bbearer\s+[A-Za-z0-9\-._~+/]{8,}=*/i],
  ["embedded password", /"password"\s*:\s*"(?!\[secret\]")[^"]/i],
];

// Keys whose string values are secrets by name (provider arguments and Secrets Manager payloads).
const SECRET_KEY = /^(password|passwordWo|secretString|secretStringWo|secretBinary|privateKey|privateApiKey|secretAccessKey|secretKey|apiKey|token)$/i;

// Alphanumeric runs (what generated passwords are made of): a known secret is found as a whole value or as one run.
const TOKEN = /[A-Za-z0-9]{6,}/g;

/** A Set lookup of the whole string and of each token in it (an `includes` per secret per string costs seconds at 10k tenants). */
function knownMatcher(known: readonly string[]): (value: string) => boolean {
  const set = new Set(known.filter((k) => k.length >= 6));
  if (set.size === 0) return () => false;
  return (value) => {
    if (set.has(value)) return true;
    for (const token of value.match(TOKEN) ?? []) if (set.has(token)) return true;
    return false;
  };
}

/** Which of Tenantry's own patterns a string matches (names), synchronously. */
export function ownPatternHits(text: string): string[] {
  return OWN_PATTERNS.filter(([, re]) => re.test(text)).map(([name]) => name);
}

/** Every string in a value with its path (`a.b[2]`) and the key it sits under. */
function strings(value: unknown): { path: string; key: string; text: string }[] {
  const out: { path: string; key: string; text: string }[] = [];
  const visit = (v: unknown, path: string, key: string): void => {
    if (typeof v === "string") out.push({ path: path || "(root)", key, text: v });
    else if (Array.isArray(v)) v.forEach((item, i) => visit(item, `${path}[${i}]`, key));
    else if (v !== null && typeof v === "object") for (const [k, child] of Object.entries(v)) visit(child, path ? `${path}.${k}` : k, k);
  };
  visit(value, "", "");
  return out;
}

/** Paths of strings that look like secrets by Tenantry's own patterns, secret-named keys and `known` raw values (sync). */
export function findSecrets(value: unknown, known: readonly string[] = []): string[] {
  const isKnown = knownMatcher(known);
  return strings(value)
    .filter(({ key, text }) => text !== SECRET_MASK && ((SECRET_KEY.test(key) && text.length > 0) || ownPatternHits(text).length > 0 || isKnown(text)))
    .map((s) => s.path);
}

type Lint = (texts: readonly string[]) => Promise<boolean[]>;
let lintPromise: Promise<Lint> | undefined;

/**
 * secretlint, loaded once on first use (it is an ES module; the SDK-free CLI commands never pay for it). The unique
 * strings are checked as ONE source, each on its own lines, and findings are mapped back by offset: one lint call per
 * rendering, not one per string (bench/leak-guard measures it).
 */
function secretlint(): Promise<Lint> {
  lintPromise ??= (async () => {
    const [{ lintSource }, { creator }] = await Promise.all([import("@secretlint/core"), import("@secretlint/secretlint-rule-preset-recommend")]);
    const config = { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: creator }] };
    return async (texts: readonly string[]) => {
      const starts: number[] = [];
      let offset = 0;
      for (const t of texts) {
        starts.push(offset);
        offset += t.length + 2;
      }
      const content = texts.join("\n\n");
      const result = await lintSource({ source: { content, filePath: "plan.txt", ext: ".txt", contentType: "text" }, options: { config, maskSecrets: true, noPhysicFilePath: true } });
      const hit = texts.map(() => false);
      for (const m of result.messages) {
        // The last start at or before the finding's offset is the string it is in.
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if ((starts[mid] ?? 0) <= m.range[0]) lo = mid;
          else hi = mid - 1;
        }
        hit[lo] = true;
      }
      return hit;
    };
  })();
  return lintPromise;
}

/** Paths of every string secretlint's recommended rules or Tenantry's own patterns flag, plus `known` raw values. */
export async function findSecretsDeep(value: unknown, known: readonly string[] = []): Promise<string[]> {
  const all = strings(value);
  const own = new Set(findSecrets(value, known));
  const unique = [...new Set(all.map((s) => s.text))];
  const lint = await secretlint();
  const flags = await lint(unique);
  const flagged = new Set(unique.filter((_, i) => flags[i]));
  return all.filter((s) => own.has(s.path) || flagged.has(s.text)).map((s) => s.path);
}

/** Throws SecretLeakError when a value (JSON output, --out map) holds anything secret-shaped; paths name where. */
export async function assertNoSecretValues(value: unknown, known: readonly string[] = []): Promise<void> {
  const paths = await findSecretsDeep(value, known);
  if (paths.length > 0) throw new SecretLeakError(paths);
}

/** Throws SecretLeakError when rendered text (text, markdown) holds anything secret-shaped or a known raw secret. */
export async function assertNoSecretText(text: string, known: readonly string[] = []): Promise<void> {
  const hits = ownPatternHits(text);
  if (known.some((k) => k.length >= 6 && text.includes(k))) hits.push("generated secret value");
  const [flagged] = await (await secretlint())([text]);
  if (flagged) hits.push("secretlint");
  if (hits.length > 0) throw new SecretLeakError(hits);
}
