import type { ContentItem, ContentStore } from './content.js';
import type { Estate, RegionEstate } from './estate.js';
import type { Caller } from './wire.js';

/** What a service handler gets for one request. */
export interface HandlerContext {
  estate: Estate;
  caller: Caller;
  region: string;
  /** Path segments after the leading '/', percent-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** Request body (STS form posts). */
  body: string;
  content: ContentStore;
  /** Presigned URL for a content item; honours the `expired` fault. */
  presign(item: ContentItem): string;
  now(): Date;
}

/** The caller's view of one account+region; empty when the estate has none. */
export function regionOf(estate: Estate, account: string, region: string): RegionEstate {
  return (
    estate.accounts.get(account)?.regions.get(region) ?? {
      layers: [],
      functions: [],
      signingProfiles: [],
      signingJobs: [],
      codeSigningConfigs: [],
    }
  );
}
