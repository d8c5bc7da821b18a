// Loads the connection map from SSM Parameter Store exactly as the program publishes it (format 2,
// src/connection-map/publication.ts): `<path>/index` (shared part and the shard count) plus K shard parameters
// `<path>/shards/<n>`, each with its tenants and the clusters and credentials they route to.
import { mapFromPublication, PUBLICATION_FORMAT, publicationNames, type PublishedIndex, type PublishedShard } from "@tenantry/contract/connection-map/publication";
import { ConnectionMap } from "@tenantry/contract/connection-map/schema";
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

function json(source: string, text: string): Record<string, unknown> {
  try {
    const data: unknown = JSON.parse(text);
    if (data !== null && typeof data === "object" && !Array.isArray(data)) return data as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new MapSourceError(source, "not a JSON object");
}

/** Reads the index and every shard and reassembles the map; throws MapSourceError (the caller keeps its last good map). */
export async function loadMapFromSsm(options: SsmMapOptions): Promise<ConnectionMap> {
  const base = options.path.replace(/\/+$/, "");
  const source = options.source ?? sdkParameterSource(options.region);
  const indexName = publicationNames.index(base);
  const [indexText, shardParams] = await Promise.all([source.get(indexName), source.list(publicationNames.shardsPath(base).replace(/\/$/, ""))]);
  if (indexText === undefined) throw new MapSourceError(indexName, "parameter not found (is publishToSsm on for this stack?)");
  const index = json(indexName, indexText) as unknown as PublishedIndex;
  if (index.publication?.format !== PUBLICATION_FORMAT) {
    throw new MapSourceError(indexName, `publication format ${String((index as { publication?: { format?: unknown } }).publication?.format)}, this resolver reads format ${String(PUBLICATION_FORMAT)}`);
  }
  const shards: PublishedShard[] = [];
  for (const param of shardParams) {
    const shard = json(param.name, param.value) as unknown as PublishedShard;
    // A deployment in progress can leave shards of another version or environment: refuse, keep the last good map.
    if (shard.version !== index.version || shard.environment !== index.environment || param.name !== publicationNames.shard(base, shard.shard)) {
      throw new MapSourceError(param.name, `shard ${String(shard.shard)} (version ${String(shard.version)}, environment ${String(shard.environment)}) does not match the index (version ${String(index.version)}, environment ${String(index.environment)})`);
    }
    // Shards beyond the index's count are left over from a larger publication: not part of this map.
    if (shard.shard < index.publication.shards) shards.push(shard);
  }
  let merged: unknown;
  try {
    merged = mapFromPublication(index, shards);
  } catch (error) {
    throw new MapSourceError(base, (error as Error).message);
  }
  const parsed = ConnectionMap.safeParse(merged);
  if (!parsed.success) throw new MapSourceError(base, `not a valid connection map: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** A loader for watchMap: re-reads Parameter Store on every call (one SDK client for all calls). */
export function ssmMapLoader(options: SsmMapOptions): () => Promise<ConnectionMap> {
  const source = options.source ?? sdkParameterSource(options.region);
  return () => loadMapFromSsm({ ...options, source });
}
