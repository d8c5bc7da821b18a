// Map loaders: where a running application gets its connection map from, and how it stays fresh.
export { MapSourceError } from "./errors";
export { fileMapLoader, loadMapFile } from "./file";
export { loadMapFromSsm, sdkParameterSource, ssmMapLoader } from "./ssm";
export type { ParameterSource, SsmMapOptions } from "./ssm";
export { watchMap } from "./watch";
export type { MapWatch, WatchMapOptions } from "./watch";
