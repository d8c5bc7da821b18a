// Residency zones and the Atlas AWS regions inside each (https://www.mongodb.com/docs/atlas/reference/amazon-aws/).

/** Atlas region names for AWS that Tenantry knows, with the zone they belong to. */
export const ZONE_REGIONS = {
  us: ["US_EAST_1", "US_EAST_2", "US_WEST_1", "US_WEST_2"],
  ca: ["CA_CENTRAL_1", "CA_WEST_1"],
  eu: [
    "EU_WEST_1",
    "EU_WEST_3",
    "EU_CENTRAL_1",
    "EU_NORTH_1",
    "EU_SOUTH_1",
    "EU_SOUTH_2",
  ],
  uk: ["EU_WEST_2"],
  ch: ["EU_CENTRAL_2"],
  au: ["AP_SOUTHEAST_2", "AP_SOUTHEAST_4"],
  jp: ["AP_NORTHEAST_1", "AP_NORTHEAST_3"],
  in: ["AP_SOUTH_1", "AP_SOUTH_2"],
  sg: ["AP_SOUTHEAST_1"],
  br: ["SA_EAST_1"],
  // Atlas for Government (FedRAMP) runs in AWS GovCloud; commercial Atlas has no GovCloud regions.
  "us-gov": ["US_GOV_WEST_1", "US_GOV_EAST_1"],
} as const satisfies Record<string, readonly string[]>;

export type ResidencyZone = keyof typeof ZONE_REGIONS;
export type AtlasRegion = (typeof ZONE_REGIONS)[ResidencyZone][number];

export const RESIDENCY_ZONES = Object.keys(ZONE_REGIONS) as [ResidencyZone, ...ResidencyZone[]];
export const ATLAS_REGIONS = Object.values(ZONE_REGIONS).flat() as [AtlasRegion, ...AtlasRegion[]];

const zoneOfRegion = new Map<string, ResidencyZone>(
  RESIDENCY_ZONES.flatMap((zone) => ZONE_REGIONS[zone].map((region) => [region, zone] as const)),
);

/** The residency zone an Atlas region lies in, or undefined for a region Tenantry does not know. */
export function zoneOf(region: string): ResidencyZone | undefined {
  return zoneOfRegion.get(region);
}

/** `EU_CENTRAL_1` → `eu-central-1`: the rule holds for AWS regions only (https://www.mongodb.com/docs/atlas/reference/amazon-aws/). */
export function awsRegionOf(atlasRegion: string): string {
  return atlasRegion.toLowerCase().replaceAll("_", "-");
}

/** `eu-central-1` → `EU_CENTRAL_1`. */
export function atlasRegionOf(awsRegion: string): string {
  return awsRegion.toUpperCase().replaceAll("-", "_");
}

/** Zones served by Atlas for Government rather than commercial Atlas. */
export function isGovZone(zone: ResidencyZone): boolean {
  return zone === "us-gov";
}
