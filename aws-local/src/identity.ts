/**
 * Access keys → accounts. Static keys come from the estate; STS AssumeRole mints
 * temporary ones (ASIA…, with a session token and an expiry) for the role's account.
 */
import { createHash } from 'node:crypto';
import type { Estate } from './estate.js';
import { ApiError, type Caller } from './wire.js';

interface Session {
  caller: Caller;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Temporary credentials as STS returns them. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  caller: Caller;
}

export class IdentityStore {
  private readonly staticKeys = new Map<string, Caller>();
  private readonly sessions = new Map<string, Session>();
  private readonly staticSecrets = new Map<string, string>();
  private counter = 0;

  constructor(private readonly estate: Estate) {
    for (const account of estate.accounts.values()) {
      for (const k of account.accessKeys) {
        this.staticSecrets.set(k.accessKeyId, k.secretAccessKey);
        this.staticKeys.set(k.accessKeyId, {
          account: account.id,
          accessKeyId: k.accessKeyId,
          arn: `arn:${estate.partition}:iam::${account.id}:user/${account.name}`,
          userId: `AIDA${hex(k.accessKeyId, 17).toUpperCase()}`,
        });
      }
    }
  }

  /**
   * The caller for an access key; the error `family` picks the code names
   * (restJson services vs STS's awsQuery names).
   */
  resolve(
    accessKeyId: string,
    sessionToken: string | undefined,
    now: Date,
    family: 'json' | 'query'
  ): Caller {
    const invalid = (): ApiError =>
      family === 'query'
        ? new ApiError(
            403,
            'InvalidClientTokenId',
            'The security token included in the request is invalid.'
          )
        : new ApiError(
            403,
            'UnrecognizedClientException',
            'The security token included in the request is invalid.'
          );
    const st = this.staticKeys.get(accessKeyId);
    if (st) return st;
    const s = this.sessions.get(accessKeyId);
    if (!s || s.sessionToken !== sessionToken) throw invalid();
    if (now.getTime() >= s.expiration.getTime()) {
      throw family === 'query'
        ? new ApiError(
            400,
            'ExpiredTokenException',
            'The security token included in the request is expired'
          )
        : new ApiError(
            403,
            'ExpiredTokenException',
            'The security token included in the request is expired'
          );
    }
    return s.caller;
  }

  /** The secret key of a known access key id (static or issued by AssumeRole). */
  secretOf(accessKeyId: string): string | undefined {
    return this.staticSecrets.get(accessKeyId) ?? this.sessions.get(accessKeyId)?.secretAccessKey;
  }

  /** AssumeRole: the role must exist and trust the caller's account. */
  assumeRole(
    caller: Caller,
    roleArn: string,
    sessionName: string,
    durationSeconds: number,
    now: Date
  ): IssuedCredentials {
    const m = /^arn:[a-z-]+:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(roleArn);
    const denied = new ApiError(
      403,
      'AccessDenied',
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`
    );
    if (!m) throw new ApiError(400, 'ValidationError', `${roleArn} is not a valid role ARN`);
    const [, accountId = '', roleName = ''] = m;
    const role = this.estate.accounts.get(accountId)?.roles.find((r) => r.name === roleName);
    if (!role) throw denied;
    const trusted = role.trustedAccounts ?? [...this.estate.accounts.keys()];
    if (!trusted.includes(caller.account)) throw denied;
    this.counter += 1;
    const seed = `${roleArn}\0${sessionName}\0${this.counter}`;
    const accessKeyId = `ASIA${hex(seed, 16).toUpperCase()}`;
    const roleId = `AROA${hex(roleArn, 17).toUpperCase()}`;
    const session: Session = {
      caller: {
        account: accountId,
        accessKeyId,
        arn: `arn:${this.estate.partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
        userId: `${roleId}:${sessionName}`,
      },
      secretAccessKey: hex(`secret\0${seed}`, 40),
      sessionToken: Buffer.from(`lamina-local-session\0${seed}`).toString('base64'),
      expiration: new Date(Math.floor(now.getTime() / 1000) * 1000 + durationSeconds * 1000),
    };
    this.sessions.set(accessKeyId, session);
    return { accessKeyId, ...session };
  }
}

function hex(seed: string, n: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, n);
}
