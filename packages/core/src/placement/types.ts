// Where each tenant lives: the output of placement (src/registry/placement.ts), the input of the program and the map.
export type { Location, Placement } from "../registry/placement";
export type { Stage } from "../registry/schema";
