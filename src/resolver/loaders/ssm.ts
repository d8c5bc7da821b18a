// Loads the connection map from SSM Parameter Store exactly as the program publishes it (src/program/map-publication.ts):
// `<path>/index` (version, environment, collections, control and its cluster and credential) plus one self-contained
// parameter per tenant, `<path>/tenants/<id>` (its entry and the clusters and credentials it references).
import { ConnectionMap } from "../../connection-map/schema";
import { describeIssues, MapSourceError } from "./errors";

/** The part of Parameter Store the loader reads (inject a fake in tests; default: `@aws-sdk/client-ssm`). */
export interface ParameterSource {
  /** The value of one parameter, undefined when it does not exist. */
  get(name: string): Promise<string | undefined>;
  /** Every parameter under `path` (recursively), all pages. */
  list(path: string): Promise<{ name: string; value: string }[]>;
}

export interface SsmMapOptions {
  /** The map's parameter path: `/tenantry/<prefix>/<env>/map` (`mapParameterPrefix` in the program). */
  path: string;
  /** AWS region of the parameters. @default the SDK's (AWS_REGION) */
  region?: string;
  /** Reads parameters. @default `@aws-sdk/client-ssm`, loaded on first use, default AWS credential chain */
  source?: ParameterSource;
}

interface SdkClient {
  send(command: unknown): Promise<{ Parameter?: { Value?: string }; Parameters?: { Name?: string; Value?: string }[]; NextToken?: string }>;
}

/** Parameter Store through the AWS SDK v3, imported lazily: applications that never load maps from SSM never load it. */
export function sdkParameterSource(region?: string): ParameterSource {
  let loaded: Promise<{ sdk: typeof import("@aws-sdk/client-ssm"); client: SdkClient }> | undefined;
  const client = () =>
    (loaded ??= import("@aws-sdk/client-ssm").then((sdk) => ({ sdk, client: new sdk.SSMClient(region ? { region } : {}) as unknown as SdkClient })));
  return {
    async get(name) {
      const { sdk, client: c } = await client();
      try {
        const out = await c.send(new sdk.GetParameterCommand({ Name: name }));
        return out.Parameter?.Value;
      } catch (error) {
        if ((error as { name?: string }).name === "ParameterNotFound") return undefined;
        throw error;
      }
    },
    async list(path) {
      const { sdk, client: c } = await client();
      const all: { name: string; value: string }[] = [];
      let token: string | undefined;
      do {
        // At most 10 per page (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html).
        const out = await c.send(new sdk.GetParametersByPathCommand({ Path: path, Recursive: true, MaxResults: 10, NextToken: token }));
        for (const p of out.Parameters ?? []) if (p.Name !== undefined && p.Value !== undefined) all.push({ name: p.Name, value: p.Value });
        token = out.NextToken;
      } while (token);
      return all;
    },
  };
}

type Slice = { version?: unknown; environment?: unknown; tenantId?: unknown; tenant?: unknown; clusters?: Record<string, unknown>; credentials?: Record<string, unknown> };

function json(source: string, text: string): Slice {
  try {
    const data: unknown = JSON.parse(text);
    if (data !== null && typeof data === "object" && !Array.isArray(data)) return data;
  } catch {
    // reported below
  }
  throw new MapSourceError(source, "not a JSON object");
}

/** Reads the index and every tenant parameter and reassembles the map; throws MapSourceError. */
export async function loadMapFromSsm(options: SsmMapOptions): Promise<ConnectionMap> {
  const base = options.path.replace(/\/+$/, "");
  const source = options.source ?? sdkParameterSource(options.region);
  const indexName = `${base}/index`;
  const [indexText, tenantParams] = await Promise.all([source.get(indexName), source.list(`${base}/tenants`)]);
  if (indexText === undefined) throw new MapSourceError(indexName, "parameter not found (is publishToSsm on for this stack?)");
  const index = json(indexName, indexText) as Slice & { collections?: unknown; control?: unknown };
  const map: Record<string, unknown> & { clusters: Record<string, unknown>; credentials: Record<string, unknown>; tenants: Record<string, unknown> } = {
    version: index.version,
    environment: index.environment,
    clusters: { ...index.clusters },
    credentials: { ...index.credentials },
    collections: index.collections,
    tenants: {},
    ...(index.control !== undefined && { control: index.control }),
  };
  for (const param of [...tenantParams].sort((a, b) => a.name.localeCompare(b.name))) {
    const slice = json(param.name, param.value);
    const id = param.name.slice(`${base}/tenants/`.length);
    // A deployment in progress can leave slices of another version or environment: refuse, keep the last good map.
    if (slice.version !== index.version || slice.environment !== index.environment || slice.tenantId !== id) {
      throw new MapSourceError(param.name, `slice of tenant [${String(slice.tenantId)}] (version ${String(slice.version)}, environment ${String(slice.environment)}) does not match the index (version ${String(index.version)}, environment ${String(index.environment)})`);
    }
    map.tenants[id] = slice.tenant;
    Object.assign(map.clusters, slice.clusters);
    Object.assign(map.credentials, slice.credentials);
  }
  const parsed = ConnectionMap.safeParse(map);
  if (!parsed.success) throw new MapSourceError(base, `not a valid connection map: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** A loader for watchMap: re-reads Parameter Store on every call (one SDK client for all calls). */
export function ssmMapLoader(options: SsmMapOptions): () => Promise<ConnectionMap> {
  const source = options.source ?? sdkParameterSource(options.region);
  return () => loadMapFromSsm({ ...options, source });
}
