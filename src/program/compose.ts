// The whole program from plain arguments: providers, shared projects, components, the connection map and its publication.
import * as aws from "@pulumi/aws";
import * as mongodbatlas from "@pulumi/mongodbatlas";
import * as pulumi from "@pulumi/pulumi";
import { assembleConnectionMap, type ClusterFacts, type CredentialFacts } from "../connection-map/build";
import type { ConnectionMap } from "../connection-map/schema";
import { sharedClusterKey, siloClusterKey, siloClusterName } from "../naming";
import type { Problem } from "../registry/problems";
import { awsRegionOf } from "../registry/zones";
import { BridgeTenant } from "./bridge-tenant";
import type { ProgramSettings } from "./config";
import { planLayout, routeKeys, type Layout, type ProgramInput } from "./layout";
import { MapPublication } from "./map-publication";
import { SharedCluster } from "./shared-cluster";
import { SiloTenant } from "./silo-tenant";

export type { ProgramInput } from "./layout";

/** GovCloud region of the AWS provider used for Atlas for Government tenants. */
export const AWS_GOV_REGION = "us-gov-west-1";

/** What the composition built: the map Output and handles tests and the offline engine use. */
export interface Tenantry {
  /** The connection map (validated); holds no secret: hosts, regions, secret ARNs and names only. */
  connectionMap: pulumi.Output<ConnectionMap>;
  /** Program warnings (project limits); registry warnings are the loader's. */
  warnings: Problem[];
  layout: Layout;
  sharedClusters: Map<string, SharedCluster>;
  /** By component name: a move within a stage holds two per tenant (`bridge-acme`, `bridge-acme-g2`). */
  bridges: Map<string, BridgeTenant>;
  silos: Map<string, SiloTenant>;
}

/** Builds every resource for one environment. Throws ProgramLayoutError before registering anything when the input is unusable. */
export function buildTenantry(settings: ProgramSettings, input: ProgramInput): Tenantry {
  const layout = planLayout(settings, input);
  const { registry } = input;
  const { ctx } = layout;
  const collections = registry.collections.map((c) => c.name);

  // Commercial Atlas goes through the default provider (configured by `mongodbatlas:*` stack config or MONGODB_ATLAS_* env);
  // Atlas for Government and GovCloud need their own providers, created only when a tenant needs them.
  const gov: pulumi.ProviderResource[] = layout.needsGov
    ? [
        new mongodbatlas.Provider("atlas-gov", { isMongodbgovCloud: true }),
        new aws.Provider("aws-gov", { region: AWS_GOV_REGION, ...(settings.awsGovProfile && { profile: settings.awsGovProfile }) }),
      ]
    : [];
  const providersFor = (government: boolean): pulumi.ComponentResourceOptions => (government ? { providers: gov } : {});
  const orgFor = (government: boolean) => (government ? (settings.atlasGovOrgId ?? "") : settings.atlasOrgId);

  const projectIds = new Map<string, pulumi.Input<string>>();
  for (const plan of layout.sharedProjects) {
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
  for (const plan of layout.sharedClusters) {
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

  const sharedPlans = new Map(layout.sharedClusters.map((c) => [c.cluster.name, c]));
  const bridges = new Map<string, BridgeTenant>();
  for (const plan of layout.bridges) {
    const shared = sharedClusters.get(plan.sharedCluster);
    const sharedPlan = sharedPlans.get(plan.sharedCluster);
    if (!shared || !sharedPlan) continue; // planLayout already refused unknown clusters
    const component = new BridgeTenant(
      plan.componentName,
      {
        ctx,
        tenantId: plan.tenantId,
        generation: plan.generation,
        projectId: projectIds.get(sharedPlan.projectKey) ?? "",
        clusterName: shared.clusterName,
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
  for (const plan of layout.silos) {
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
  const connectionMap = pulumi
    .all([pulumi.all(pending.clusters), pulumi.all(pending.credentials)])
    .apply(([srvs, arns]) => {
      const resolvedClusters = clusters.map((c, i) => ({ ...c, standardSrv: srvs[i] ?? "" }));
      const resolvedCredentials = credentials.map((c, i) => ({ ...c, secretArn: arns[i] ?? "" }));
      return assembleConnectionMap({
        ctx,
        collections: registry.collections,
        clusters: resolvedClusters,
        credentials: resolvedCredentials,
        placements: input.placements,
        keysOf: routeKeys,
        controlCluster: layout.controlCluster,
      });
    });

  if (settings.publishToSsm) {
    new MapPublication("connection-map", {
      ctx,
      map: connectionMap,
      tenantCount: input.placements.length,
      awsRegion: settings.awsRegion,
    });
  }

  return { connectionMap, warnings: layout.warnings, layout, sharedClusters, bridges, silos };
}
