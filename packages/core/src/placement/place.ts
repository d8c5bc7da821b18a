// Placement's entry for its callers: the stage policy and placeTenants, implemented in the registry layer (the loader places).
export * from "../registry/stage-policy";
export { PlacementError, placeTenant, placeTenants } from "../registry/placement";
