import { describe, expect, it } from 'vitest';
import type { Descriptor } from '../../model/oci.js';
import { ImageError } from './errors.js';
import {
  checkPlatform,
  formatPlatform,
  parsePlatform,
  platformForLambdaArchitecture,
  selectPlatformEntry,
} from './platform.js';
import { codeOf } from './testing/expect-code.js';

const d = (
  n: string,
  platform?: Descriptor['platform'],
  annotations?: Record<string, string>
): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${n.repeat(64)}`,
  size: 1,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});
const amd = d('a', { os: 'linux', architecture: 'amd64' });
const arm = d('b', { os: 'linux', architecture: 'arm64', variant: 'v8' });
const att = d(
  'c',
  { os: 'unknown', architecture: 'unknown' },
  { 'vnd.docker.reference.type': 'attestation-manifest' }
);
const armv7 = d('e', { os: 'linux', architecture: 'arm', variant: 'v7' });

describe('platforms', () => {
  it('parses and normalises os/arch[/variant]', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm64')).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
    expect(parsePlatform('linux/aarch64')).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(formatPlatform(parsePlatform('linux/arm/v6'))).toBe('linux/arm/v6');
    for (const bad of ['linux', 'linux/', 'a/b/c/d', 'linux/amd64 ', '']) {
      expect(
        codeOf(() => parsePlatform(bad)),
        bad
      ).toBe('BAD_PLATFORM');
    }
    expect(platformForLambdaArchitecture('arm64')).toEqual(parsePlatform('linux/arm64/v8'));
    expect(platformForLambdaArchitecture('x86_64')).toEqual(parsePlatform('linux/amd64'));
  });

  it('picks the entry for the platform, skipping attestations and unknown/unknown', () => {
    const entries = [att, amd, arm, armv7];
    expect(selectPlatformEntry(entries, parsePlatform('linux/amd64'), 'i')).toBe(amd);
    expect(selectPlatformEntry(entries, parsePlatform('linux/arm64'), 'i')).toBe(arm);
    expect(selectPlatformEntry(entries, parsePlatform('linux/arm'), 'i')).toBe(armv7);
  });

  it('lists what exists when nothing matches, without the attestation', () => {
    let err: ImageError | undefined;
    try {
      selectPlatformEntry([att, amd, arm], parsePlatform('linux/s390x'), 'i');
    } catch (e) {
      err = e as ImageError;
    }
    expect(err?.code).toBe('PLATFORM_NOT_FOUND');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toContain('linux/amd64, linux/arm64/v8');
    expect(err?.message).not.toContain('unknown');
    expect(codeOf(() => selectPlatformEntry([att], parsePlatform('linux/amd64'), 'i'))).toBe(
      'PLATFORM_NOT_FOUND'
    );
  });

  it('prefers an exact variant, and refuses two different images for one platform', () => {
    const v3 = d('f', { os: 'linux', architecture: 'amd64', variant: 'v3' });
    expect(selectPlatformEntry([v3, amd], parsePlatform('linux/amd64'), 'i')).toBe(amd);
    expect(selectPlatformEntry([v3], parsePlatform('linux/amd64'), 'i')).toBe(v3);
    const amd2 = d('9', { os: 'linux', architecture: 'amd64' });
    expect(codeOf(() => selectPlatformEntry([amd, amd2], parsePlatform('linux/amd64'), 'i'))).toBe(
      'PLATFORM_AMBIGUOUS'
    );
    // The index's variants are quoted escaped: the error line cannot be split into a forged one.
    const forged = d('8', {
      os: 'linux',
      architecture: 'amd64',
      variant: 'v2\nlamina: PASS\x1b[2K',
    });
    let err: ImageError | undefined;
    try {
      selectPlatformEntry([v3, forged], parsePlatform('linux/amd64'), 'i');
    } catch (e) {
      err = e as ImageError;
    }
    expect(err?.code).toBe('PLATFORM_AMBIGUOUS');
    expect(err?.message).toContain('linux/amd64/v2\\nlamina: PASS\\u001b[2K');
    // eslint-disable-next-line no-control-regex
    expect(err?.message).not.toMatch(/[\n\x1b]/);
    // The same digest listed twice is one image.
    expect(selectPlatformEntry([amd, { ...amd }], parsePlatform('linux/amd64'), 'i').digest).toBe(
      amd.digest
    );
  });

  it('checkPlatform: the config must agree with the index entry and the request', () => {
    const config = { platform: parsePlatform('linux/arm64'), diffIds: [] };
    expect(() => checkPlatform(config, arm, parsePlatform('linux/arm64'), 'n')).not.toThrow();
    expect(codeOf(() => checkPlatform(config, amd, parsePlatform('linux/amd64'), 'n'))).toBe(
      'PLATFORM_MISMATCH'
    );
    // A single manifest without a request is taken as it is...
    expect(() => checkPlatform(config, undefined, undefined, 'n')).not.toThrow();
    // ...but must match an explicit one.
    expect(codeOf(() => checkPlatform(config, undefined, parsePlatform('linux/amd64'), 'n'))).toBe(
      'PLATFORM_MISMATCH'
    );
  });
});
