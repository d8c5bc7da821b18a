// Pulumi Kubernetes Operator `Stack` resources for the per-tenant layout: one per stack, the shared stack a prerequisite of the rest.
import type { StackPlan } from "../program/stacks/partition";

/**
 * The operator's `pulumi.com/v1` `Stack` (fields as documented in
 * https://github.com/pulumi/pulumi-kubernetes-operator/blob/master/docs/stacks.md): `spec.stack`, `projectRepo` +
 * `branch` + `repoDir`, `config`, `envRefs`, `prerequisites`.
 */
export interface OperatorStack {
  apiVersion: "pulumi.com/v1";
  kind: "Stack";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    stack: string;
    projectRepo: string;
    branch: string;
    repoDir?: string;
    config: Record<string, string>;
    envRefs: Record<string, { type: "Secret"; secret: { name: string; key: string } }>;
    prerequisites?: { name: string; requirement: { succeededWithinDuration: string } }[];
    refresh: boolean;
    destroyOnFinalize: false;
    resyncFrequencySeconds: number;
  };
}

export interface OperatorOptions {
  /** Pulumi organization of the stacks (`spec.stack` is `<org>/<stack>`). */
  organization: string;
  /** Git repository holding this project. */
  repo: string;
  branch: string;
  /** Directory of Pulumi.yaml in the repository. */
  repoDir?: string;
  namespace: string;
  /** Kubernetes Secret holding PULUMI_ACCESS_TOKEN and the cloud credentials. */
  credentialsSecret: string;
  /** The environment stack's tenantry:* and aws:* config (plain values); tenant stacks get it inline. */
  sharedConfig: Record<string, string>;
  environmentStack: string;
}

/** Kubernetes object names: lowercase, digits, `-` and `.`, at most 253 characters. */
function objectName(stack: string): string {
  return `tenantry-${stack}`.toLowerCase().replace(/[^a-z0-9.-]/g, "-").slice(0, 253);
}

/** Environment variables the operator's workspace needs, each read from the credentials Secret. */
const ENV = ["PULUMI_ACCESS_TOKEN", "MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PRIVATE_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;

/**
 * One Stack per stack. Tenant stacks list the shared stack as a prerequisite (it must have succeeded within the
 * hour, so the StackReference reads fresh outputs); the shared stack's config lives in the repository's stack file,
 * tenant stacks get it inline with `tenantry:environmentStack`. Nothing is destroyed when a resource is deleted.
 */
export function operatorStacks(stacks: readonly StackPlan[], options: OperatorOptions): OperatorStack[] {
  const shared = stacks.find((s) => s.kind === "shared");
  const envRefs = Object.fromEntries(ENV.map((name) => [name, { type: "Secret" as const, secret: { name: options.credentialsSecret, key: name } }]));
  return stacks.map((plan): OperatorStack => {
    const tenant = plan.kind !== "shared";
    return {
      apiVersion: "pulumi.com/v1",
      kind: "Stack",
      metadata: {
        name: objectName(plan.name),
        namespace: options.namespace,
        labels: { "app.kubernetes.io/managed-by": "tenantry", "tenantry.dev/environment": options.environmentStack, "tenantry.dev/kind": plan.kind },
      },
      spec: {
        stack: `${options.organization}/${plan.name}`,
        projectRepo: options.repo,
        branch: options.branch,
        ...(options.repoDir && { repoDir: options.repoDir }),
        config: tenant ? { ...options.sharedConfig, "tenantry:stackLayout": "per-tenant", "tenantry:environmentStack": options.environmentStack } : {},
        envRefs,
        ...(tenant && shared && { prerequisites: [{ name: objectName(shared.name), requirement: { succeededWithinDuration: "1h" } }] }),
        refresh: true,
        destroyOnFinalize: false,
        resyncFrequencySeconds: 600,
      },
    };
  });
}
