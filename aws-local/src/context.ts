import type { ContentItem, ContentStore } from './content.js';
import type { Estate } from './estate.js';
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
