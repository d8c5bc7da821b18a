// What the program will build, decided from plain values before any resource is registered (pure; linear in tenants).
import { type SiloOperations, siloOperations } from "./silo-ops";
import { componentName, credentialKey, sharedClusterKey, siloClusterKey, sharedProjectName, type NamingContext } from "@tenantry/contract/naming";
import type { Location, Placement } from "@tenantry/core/placement/types";
import type { Problem } from "@tenantry/core/registry/problems";
import { projectLimitFinding } from "@tenantry/core/registry/project-limits";
import { isDedicatedSize, type BackupPolicy, type NetworkSpec, type Registry, type SharedCluster } from "@tenantry/core/registry/schema";
import { isGovZone, zoneOf, type ResidencyZone } from "@tenantry/core/registry/zones";
import type { ProgramSettings } from "./config";
import { assertClosedCidr } from "./network";

/** What the program needs from a loaded registry (`LoadedRegistry` from `registry/load` satisfies it). */
export interface ProgramInput {
  registry: Registry;
  placements: readonly Placement[];
  warnings?: readonly Problem[];
}

type SiloLocation = Extract<Location, { stage: "silo" }>;
type PrivateLink = NetworkSpec["privateLink"][number];

export interface SharedProjectPlan {
  /** Key of the project in the layout: the residency zone, or `existing:<id>` for a cluster pinned to a project. */
  key: string;
  /** Pulumi logical name of the Project resource (absent when the project exists already). */
  resourceName?: string;
  /** Atlas project name (created projects only). */
  name?: string;
  /** Existing Atlas project id (from the registry or `settings.sharedProjectIds`). */
  existingId?: string;
  zone: ResidencyZone;
  government: boolean;
  /** Database users and custom roles the program puts in this project. */
  users: number;
  roles: number;
  /** `Project.limits` entries raised above the defaults. */
  limits: { name: string; value: number }[];
}

export interface SharedClusterPlan {
  cluster: SharedCluster;
  componentName: string;
  projectKey: string;
  policy: BackupPolicy;
  government: boolean;
  /** Project-level network the component owns: the first cluster of a project owns the access list, the first in a region its PrivateLink. */
  accessList: NetworkSpec["accessList"];
  privateLink?: PrivateLink;
}

export interface BridgePlan {
  tenantId: string;
  componentName: string;
  sharedCluster: string;
  /** Generation of its role, user and secret names (a bridge → bridge move holds two). */
  generation: number;
  offboarding: boolean;
  /** The source of a cut-over move (`Placement.retired`): protect lifted, no map entries. */
  retired: boolean;
}

export interface SiloPlan {
  tenantId: string;
  componentName: string;
  residency: ResidencyZone;
  location: SiloLocation;
  policy: BackupPolicy;
  offboarding: boolean;
  /** The source of a cut-over move (`Placement.retired`): protect lifted, no map entries. */
  retired: boolean;
  privateLink?: PrivateLink;
  /** Maintenance window, auditing, auto-scaling, customer DBA user, alert routing (`silo-ops.ts`). */
  operations: SiloOperations;
}

export interface Layout {
  ctx: NamingContext;
  sharedProjects: SharedProjectPlan[];
  sharedClusters: SharedClusterPlan[];
  bridges: BridgePlan[];
  silos: SiloPlan[];
  /**
   * Shared cluster holding the environment's control location (overrides, move journal): the registry's first shared
   * cluster, undefined when there is none. Registry order is stable as long as clusters are appended (the registry's
   * rule for shared clusters); inserting one first would move the control location, i.e. every running resolver and
   * the mover would look for overrides and journals somewhere new.
   */
  controlCluster: string | undefined;
  /** True when any resource goes through Atlas for Government. */
  needsGov: boolean;
  /** Component logical name → tenant id, to attribute resources to tenants. */
  componentTenants: Map<string, string>;
  warnings: Problem[];
}

/** Thrown before any resource is registered when the registry asks for something the program cannot build. */
export class ProgramLayoutError extends Error {
  override readonly name = "ProgramLayoutError";
  constructor(readonly problems: readonly Problem[]) {
    super(`the program cannot be built:\n  ${problems.map((p) => `${p.path}  ${p.message}`).join("\n  ")}`);
  }
}

/** Decides every component, project and limit from the registry and placements; throws ProgramLayoutError listing every problem. */
export function planLayout(settings: ProgramSettings, input: ProgramInput): Layout {
  const { registry, placements } = input;
  const ctx: NamingContext = { prefix: settings.namingPrefix, environment: registry.environment };
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const error = (path: string, message: string, tenantId?: string) =>
    errors.push({ severity: "error", path, message, ...(tenantId && { tenantId }) });

  for (const [i, entry] of registry.network.accessList.entries()) {
    try {
      assertClosedCidr(entry.cidr);
    } catch (e) {
      error(`network.accessList[${i}].cidr`, (e as Error).message);
    }
  }

  const policyOf = (name: string, path: string, tenantId?: string): BackupPolicy => {
    const policy = registry.backupPolicies[name];
    if (!policy) error(path, `backup policy ${name} is not defined in backupPolicies`, tenantId);
    return policy ?? {};
  };
  const checkCopies = (policy: BackupPolicy, zone: ResidencyZone, path: string, tenantId?: string) => {
    for (const region of policy.copyTo ?? []) {
      if (zoneOf(region) !== zone) error(path, `snapshot copies to ${region} would leave residency zone ${zone}`, tenantId);
    }
  };

  // Shared projects and clusters.
  const projects = new Map<string, SharedProjectPlan>();
  const clusters = new Map<string, SharedClusterPlan>();
  const privateLinkOwned = new Set<string>();
  for (const [i, cluster] of registry.sharedClusters.entries()) {
    const zone = cluster.residency;
    const existingId = cluster.projectId ?? settings.sharedProjectIds[zone];
    const key = cluster.projectId ? `existing:${cluster.projectId}` : zone;
    let project = projects.get(key);
    const firstInProject = !project;
    if (!project) {
      project = {
        key,
        zone,
        government: isGovZone(zone),
        users: 0,
        roles: 0,
        limits: [],
        ...(existingId
          ? { existingId }
          : { resourceName: componentName.sharedProject(zone), name: sharedProjectName(ctx, zone) }),
      };
      projects.set(key, project);
    }
    project.users += 1; // the application's user of this cluster
    const policy = policyOf(cluster.backupPolicy, `sharedClusters[${i}].backupPolicy`);
    checkCopies(policy, zone, `sharedClusters[${i}].backupPolicy`);
    const plKey = `${key}/${cluster.region}`;
    const privateLink = privateLinkOwned.has(plKey) ? undefined : registry.network.privateLink.find((pl) => pl.region === cluster.region);
    if (privateLink) privateLinkOwned.add(plKey);
    clusters.set(cluster.name, {
      cluster,
      componentName: componentName.shared(cluster.name),
      projectKey: key,
      policy,
      government: isGovZone(zone),
      accessList: firstInProject ? registry.network.accessList : [],
      ...(privateLink && { privateLink }),
    });
  }

  // Tenants: bridges and silos (pool tenants add nothing but a map row).
  const bridges: BridgePlan[] = [];
  const silos: SiloPlan[] = [];
  const componentTenants = new Map<string, string>();
  const indexOf = new Map(registry.tenants.map((t, i) => [t.id, i]));
  for (const placement of placements) {
    const id = placement.tenantId;
    const path = `tenants[${indexOf.get(id) ?? "?"}]`;
    const offboarding = placement.status === "offboarding";
    const locations: Location[] = [placement.current, ...(placement.target ? [placement.target] : []), ...(placement.retired ? [placement.retired] : [])];
    // A move within bridge or silo provisions the target beside the current placement under its generation's names;
    // after its cut-over the former current stays registered under the same names, protect lifted, until `move:` goes.
    for (const location of locations) {
      const retired = location === placement.retired;
      if (location.stage !== "silo") {
        const cluster = clusters.get(location.sharedCluster);
        if (!cluster) {
          error(`${path}.sharedCluster`, `tenant [${id}] is placed on shared cluster ${location.sharedCluster}, which sharedClusters does not define`, id);
          continue;
        }
        if (location.stage === "bridge") {
          const project = projects.get(cluster.projectKey);
          if (project) {
            project.users += 1;
            project.roles += 1;
          }
          const name = componentName.bridge(id, location.generation);
          bridges.push({ tenantId: id, componentName: name, sharedCluster: location.sharedCluster, generation: location.generation, offboarding, retired });
          componentTenants.set(name, id);
        }
        continue;
      }
      const policy = policyOf(location.backupPolicy, `${path}.backupPolicy`, id);
      checkCopies(policy, placement.residency, `${path}.backupPolicy`, id);
      if (zoneOf(location.region) !== placement.residency) {
        error(`${path}.region`, `tenant [${id}] silo region ${location.region} lies outside residency zone ${placement.residency}`, id);
      }
      if (location.backupCompliancePolicy && !registry.contacts.backupCompliance) {
        error("contacts.backupCompliance", `tenant [${id}] needs a Backup Compliance Policy, which needs contacts.backupCompliance`, id);
      }
      if (location.government && !settings.atlasGovOrgId) {
        error("settings.atlasGovOrgId", `tenant [${id}] is provisioned through Atlas for Government: set tenantry:atlasGovOrgId`, id);
      }
      if (!isDedicatedSize(location.instanceSize)) {
        if (location.customerManagedKey || location.backupCompliancePolicy) {
          error(`${path}.instanceSize`, `tenant [${id}] needs a dedicated size (M10 or larger) for its customer-managed key and compliance policy, registry says ${location.instanceSize}`, id);
        } else {
          warnings.push({ severity: "warning", path: `${path}.instanceSize`, tenantId: id, message: `tenant [${id}] silo on ${location.instanceSize}: no backup schedule (only Atlas's automatic snapshots) and no PrivateLink` });
        }
      }
      const name = componentName.silo(id, location.generation);
      const privateLink = registry.network.privateLink.find((pl) => pl.region === location.region);
      const tenant = registry.tenants[indexOf.get(id) ?? -1];
      const operations: SiloOperations = tenant ? siloOperations(tenant) : { customerDba: false };
      if (!isDedicatedSize(location.instanceSize) && (operations.auditing || operations.maintenanceWindow)) {
        // Flex has neither (REFERENCE §2.3, §2.14): the silo runs without them, and says so.
        warnings.push({ severity: "warning", path: `${path}.instanceSize`, tenantId: id, message: `tenant [${id}] silo on ${location.instanceSize}: no database auditing and no maintenance window on this size` });
      }
      silos.push({ tenantId: id, componentName: name, residency: placement.residency, location, policy, offboarding, retired, operations, ...(privateLink && { privateLink }) });
      componentTenants.set(name, id);
    }
  }

  // Project limits: warn above the default (and raise it in a project Tenantry creates), fail above the maximum.
  for (const project of projects.values()) {
    const label = project.name ?? project.existingId ?? project.key;
    for (const [kind, count] of [["users", project.users], ["roles", project.roles]] as const) {
      const finding = projectLimitFinding(kind, count, { project: label, managed: project.existingId === undefined });
      if (finding?.severity === "error") error(`sharedProjects.${project.key}`, finding.message);
      else if (finding) {
        if (finding.raise) project.limits.push(finding.raise);
        warnings.push({ severity: "warning", path: `sharedProjects.${project.key}`, message: finding.message });
      }
    }
  }

  const sharedProjects = [...projects.values()];
  const needsGov = sharedProjects.some((p) => p.government) || silos.some((s) => s.location.government);
  if (sharedProjects.some((p) => p.government) && !settings.atlasGovOrgId) {
    error("settings.atlasGovOrgId", "a shared cluster lies in zone us-gov (Atlas for Government): set tenantry:atlasGovOrgId");
  }
  if (errors.length > 0) throw new ProgramLayoutError(errors);
  const controlCluster = registry.sharedClusters[0]?.name;
  return { ctx, sharedProjects, sharedClusters: [...clusters.values()], controlCluster, bridges, silos, needsGov, componentTenants, warnings };
}

/** The map keys of a location: where the resolver routes a tenant. */
export function routeKeys(tenantId: string, location: Location): { cluster: string; credential: string } {
  switch (location.stage) {
    case "pool":
      return { cluster: sharedClusterKey(location.sharedCluster), credential: credentialKey.shared(location.sharedCluster) };
    case "bridge":
      return { cluster: sharedClusterKey(location.sharedCluster), credential: credentialKey.bridge(tenantId, location.generation) };
    case "silo":
      return { cluster: siloClusterKey(tenantId, location.generation), credential: credentialKey.silo(tenantId, location.generation) };
  }
}
