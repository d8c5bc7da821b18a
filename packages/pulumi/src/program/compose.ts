// The whole program from plain arguments: providers, shared projects, components, the connection map and its publication.
import * as aws from "@pulumi/aws";
import * as mongodbatlas from "@pulumi/mongodbatlas";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterFacts, CredentialFacts } from "@tenantry/core/connection-map/build";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { sharedClusterKey, siloClusterKey, siloClusterName } from "@tenantry/contract/naming";
import type { Problem } from "@tenantry/core/registry/problems";
import { awsRegionOf } from "@tenantry/core/registry/zones";
import { BridgeTenant } from "./bridge-tenant";
import type { ProgramSettings } from "./config";
import { planLayout, type Layout, type ProgramInput } from "./layout";
import { MapPublication } from "./map-publication";
import { SharedCluster } from "./shared-cluster";
import { SiloTenant } from "./silo-tenant";
import { coveredPlacements, mapFromFacts, type MapFacts } from "./stacks/merge";
import type { StackPart } from "./stacks/names";
import { layoutPart } from "./stacks/partition";

export type { ProgramInput } from "./layout";

/** What the shared stack exports for the tenant stacks of the per-tenant layout (read through `StackReference`). */
export interface SharedStackOutputs {
  /** Atlas project id per shared project key (`SharedProjectPlan.key`). */
  projectIds: Record<string, string>;
  /** Atlas cluster name per shared cluster. */
  clusterNames: Record<string, string>;
  /** The shared clusters' and application credentials' map facts. */
  facts: MapFacts;
}

/** Which part of the environment this stack builds, and what it reads from the other stacks (per-tenant layout). */
export interface StackScope {
  part: StackPart;
  /** Bridge tenant → shard (`stacks/shards.ts`). */
  shards: ReadonlyMap<string, number>;
  /** The shared stack's outputs, for a bridge shard. */
  shared?: pulumi.Input<SharedStackOutputs>;
  /** The tenant stacks' map facts, for the shared stack's publication (absent: nothing of theirs is published). */
  tenantFacts?: readonly MapFacts[];
}

/** The single layout: one stack builds everything. */
export const SINGLE_SCOPE: StackScope = { part: { kind: "all" }, shards: new Map() };

/** GovCloud region of the AWS provider used for Atlas for Government tenants. */
export const AWS_GOV_REGION = "us-gov-west-1";

/** What the composition built: the map Output and handles tests and the offline engine use. */
export interface StackBuild {
  /**
   * The connection map (validated); holds no secret: hosts, regions, secret ARNs and names only. Built by the single
   * layout, and by the shared stack of the per-tenant layout when it publishes; tenant stacks only export `facts`.
   */
  connectionMap: pulumi.Output<ConnectionMap> | undefined;
  /** This stack's contribution to the map (every stack of the per-tenant layout exports it as `mapFacts`). */
  facts: pulumi.Output<MapFacts>;
  /** What tenant stacks read from this one (the shared part only). */
  sharedOutputs: pulumi.Output<SharedStackOutputs> | undefined;
  /** Program warnings (project limits); registry warnings are the loader's. */
  warnings: Problem[];
  layout: Layout;
  sharedClusters: Map<string, SharedCluster>;
  /** By component name: a move within a stage holds two per tenant (`bridge-acme`, `bridge-acme-g2`). */
  bridges: Map<string, BridgeTenant>;
  silos: Map<string, SiloTenant>;
}

/** What the single layout built: always a connection map. */
export interface Tenantry extends StackBuild {
  connectionMap: pulumi.Output<ConnectionMap>;
}

/** Builds every resource for one environment. Throws ProgramLayoutError before registering anything when the input is unusable. */
export function buildTenantry(settings: ProgramSettings, input: ProgramInput): Tenantry {
  const built = buildStack(settings, input, SINGLE_SCOPE);
  if (!built.connectionMap) throw new Error("the single layout always builds a connection map");
  return { ...built, connectionMap: built.connectionMap };
}

/** Builds one stack's part of an environment (`SINGLE_SCOPE`: all of it) under the single layout's names and parents. */
export function buildStack(settings: ProgramSettings, input: ProgramInput, scope: StackScope): StackBuild {
  const layout = planLayout(settings, input);
  const { registry } = input;
  const { ctx } = layout;
  const collections = registry.collections.map((c) => c.name);
  // The per-tenant layout builds a part of the same layout under the same names and parents (so URNs differ only in
  // the stack); the single layout's part is everything.
  const part = layoutPart(layout, scope.part, scope.shards);
  const sharedPlanOf = new Map(layout.sharedClusters.map((c) => [c.cluster.name, c]));
  const needsGov =
    part.sharedProjects.some((p) => p.government) ||
    part.sharedClusters.some((c) => c.government) ||
    part.bridges.some((b) => sharedPlanOf.get(b.sharedCluster)?.government === true) ||
    part.silos.some((s) => s.location.government);

  // Commercial Atlas goes through the default provider (configured by `mongodbatlas:*` stack config or MONGODB_ATLAS_* env);
  // Atlas for Government and GovCloud need their own providers, created only when a tenant needs them.
  const gov: pulumi.ProviderResource[] = needsGov
    ? [
        new mongodbatlas.Provider("atlas-gov", { isMongodbgovCloud: true }),
        new aws.Provider("aws-gov", { region: AWS_GOV_REGION, ...(settings.awsGovProfile && { profile: settings.awsGovProfile }) }),
      ]
    : [];
  const providersFor = (government: boolean): pulumi.ComponentResourceOptions => (government ? { providers: gov } : {});
  const orgFor = (government: boolean) => (government ? (settings.atlasGovOrgId ?? "") : settings.atlasOrgId);

  const projectIds = new Map<string, pulumi.Input<string>>();
  for (const plan of part.sharedProjects) {
    if (plan.existingId || !plan.resourceName) {
      projectIds.set(plan.key, plan.existingId ?? "");
      continue;
    }
    const project = new mongodbatlas.Project(
      plan.resourceName,
      {
        orgId: orgFor(plan.government),
        name: plan.name,
        ...(plan.limits.length > 0 && { limits: plan.limits }),
        tags: { "tenantry-environment": ctx.environment, "tenantry-kind": "shared", "tenantry-zone": plan.zone },
      },
      { protect: settings.protect, retainOnDelete: true, ...(plan.government && { provider: gov[0] }) },
    );
    projectIds.set(plan.key, project.id);
  }

  const clusters: ClusterFacts[] = [];
  const credentials: CredentialFacts[] = [];
  const pending = { clusters: [] as pulumi.Output<string>[], credentials: [] as pulumi.Output<string>[] };

  const sharedClusters = new Map<string, SharedCluster>();
  for (const plan of part.sharedClusters) {
    const component = new SharedCluster(
      plan.componentName,
      {
        ctx,
        cluster: plan.cluster,
        projectId: projectIds.get(plan.projectKey) ?? "",
        policy: plan.policy,
        accessList: plan.accessList,
        ...(plan.privateLink && { privateLink: plan.privateLink }),
        protect: settings.protect,
      },
      providersFor(plan.government),
    );
    sharedClusters.set(plan.cluster.name, component);
    const region = plan.cluster.region;
    clusters.push({ key: sharedClusterKey(plan.cluster.name), name: plan.cluster.name, kind: "shared", standardSrv: "", region, awsRegion: awsRegionOf(region), residency: plan.cluster.residency });
    pending.clusters.push(component.standardSrv);
    credentials.push({ key: component.credentialKey, secretArn: "", region: awsRegionOf(region) });
    pending.credentials.push(component.secretArn);
  }

  // A bridge shard reads its shared project and cluster from the shared stack; an existing project's id is plain.
  const sharedOutput = scope.shared === undefined ? undefined : pulumi.output(scope.shared);
  const projectIdOf = (key: string): pulumi.Input<string> =>
    projectIds.get(key) ?? layout.sharedProjects.find((p) => p.key === key)?.existingId ?? sharedOutput?.apply((s) => s.projectIds[key] ?? "") ?? "";
  const clusterNameOf = (name: string): pulumi.Input<string> | undefined =>
    sharedClusters.get(name)?.clusterName ?? sharedOutput?.apply((s) => s.clusterNames[name] ?? "");
  const bridges = new Map<string, BridgeTenant>();
  for (const plan of part.bridges) {
    const sharedPlan = sharedPlanOf.get(plan.sharedCluster);
    const clusterName = clusterNameOf(plan.sharedCluster);
    if (!sharedPlan || clusterName === undefined) continue; // planLayout already refused unknown clusters
    const component = new BridgeTenant(
      plan.componentName,
      {
        ctx,
        tenantId: plan.tenantId,
        generation: plan.generation,
        projectId: projectIdOf(sharedPlan.projectKey),
        clusterName,
        clusterRegion: sharedPlan.cluster.region,
        collections,
        // Offboarding and the retired source of a cut-over move lift protect so a later change can drop them from state.
        protect: settings.protect && !plan.offboarding && !plan.retired,
      },
      providersFor(sharedPlan.government),
    );
    bridges.set(plan.componentName, component);
    if (plan.retired) continue; // registered, never routed to: the map is the one without the source
    credentials.push({ key: component.credentialKey, secretArn: "", region: awsRegionOf(sharedPlan.cluster.region) });
    pending.credentials.push(component.secretArn);
  }

  const silos = new Map<string, SiloTenant>();
  for (const plan of part.silos) {
    const { location } = plan;
    const component = new SiloTenant(
      plan.componentName,
      {
        ctx,
        tenantId: plan.tenantId,
        location,
        policy: plan.policy,
        orgId: orgFor(location.government),
        accessList: registry.network.accessList,
        ...(plan.privateLink && { privateLink: plan.privateLink }),
        ...(registry.contacts.backupCompliance && { complianceContact: registry.contacts.backupCompliance }),
        ...(registry.contacts.alertsEmail && { alertsEmail: registry.contacts.alertsEmail }),
        protect: settings.protect && !plan.offboarding && !plan.retired,
        operations: plan.operations,
      },
      providersFor(location.government),
    );
    silos.set(plan.componentName, component);
    if (plan.retired) continue; // registered, never routed to: the map is the one without the source
    clusters.push({ key: siloClusterKey(plan.tenantId, location.generation), name: siloClusterName(plan.tenantId), kind: "silo", standardSrv: "", region: location.region, awsRegion: awsRegionOf(location.region), residency: plan.residency });
    pending.clusters.push(component.standardSrv);
    credentials.push({ key: component.credentialKey, secretArn: "", region: awsRegionOf(location.region) });
    pending.credentials.push(component.secretArn);
  }
  const facts: pulumi.Output<MapFacts> = pulumi
    .all([pulumi.all(pending.clusters), pulumi.all(pending.credentials)])
    .apply(([srvs, arns]) => ({
      clusters: clusters.map((c, i) => ({ ...c, standardSrv: srvs[i] ?? "" })),
      credentials: credentials.map((c, i) => ({ ...c, secretArn: arns[i] ?? "" })),
    }));

  const sharedPart = scope.part.kind === "all" || scope.part.kind === "shared";
  const sharedOutputs = sharedPart
    ? pulumi.all([pulumi.all(Object.fromEntries(projectIds)), pulumi.all(Object.fromEntries([...sharedClusters].map(([n, c]) => [n, c.clusterName]))), facts]).apply(
        ([ids, names, own]): SharedStackOutputs => ({ projectIds: ids, clusterNames: names, facts: own }),
      )
    : undefined;

  // The single layout's map; the shared stack's when it publishes, over the facts the tenant stacks reported (a
  // tenant whose stack has not run yet is left out until the orchestrator's publication pass).
  const built =
    scope.part.kind === "all" || (scope.part.kind === "shared" && settings.publishToSsm)
      ? facts.apply((own) => mapFromFacts(layout, input, [own, ...(scope.tenantFacts ?? [])]))
      : undefined;
  const connectionMap = built?.apply((b) => b.map);

  if (settings.publishToSsm && built && connectionMap) {
    const reported = scope.tenantFacts ?? [];
    const published =
      scope.part.kind === "all"
        ? input.placements
        : coveredPlacements(
            input.placements,
            new Set([...clusters.map((c) => c.key), ...reported.flatMap((f) => f.clusters.map((c) => c.key))]),
            new Set([...credentials.map((c) => c.key), ...reported.flatMap((f) => f.credentials.map((c) => c.key))]),
          );
    new MapPublication("connection-map", {
      ctx,
      // Only the tenants whose resources the map's facts cover (every tenant in the single layout).
      map: scope.part.kind === "all" ? connectionMap : connectionMap.apply((m) => withTenants(m, new Set(published.map((p) => p.tenantId)))),
      tenantCount: published.length,
      awsRegion: settings.awsRegion,
    });
  }

  return { connectionMap, facts, sharedOutputs, warnings: layout.warnings, layout, sharedClusters, bridges, silos };
}

/** The map with only `ids` among its tenants (clusters and credentials unchanged). */
function withTenants(map: ConnectionMap, ids: ReadonlySet<string>): ConnectionMap {
  return { ...map, tenants: Object.fromEntries(Object.entries(map.tenants).filter(([id]) => ids.has(id))) };
}
