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
  /** ECR tokens and registry endpoints (see registry.ts). */
  ecr: EcrContext;
}

/** What the ECR handlers need from the running registry. */
export interface EcrContext {
  /** A registry token for `caller` (honours the `expired` fault on GetAuthorizationToken). */
  issueToken(caller: string): { authorizationToken: string; expiresAt: Date };
  /** The loopback front of an account's registry in a Region, when images are served. */
  proxyEndpoint(account: string, region: string): string | undefined;
}
