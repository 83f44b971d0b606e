import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.js';

describe('parseChallenges', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'
      )
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/alpine:pull',
        },
      },
    ]);
  });

  it('tells several challenges in one header apart from parameters', () => {
    const got = parseChallenges(
      'Basic realm="x", Bearer realm="https://t/token", service=reg,Negotiate abc=='
    );
    expect(got.map((c) => c.scheme)).toEqual(['basic', 'bearer', 'negotiate']);
    expect(got[1]!.params).toEqual({ realm: 'https://t/token', service: 'reg' });
  });

  it('reads header lines separately, unescapes quoted pairs, lowercases names, keeps the first duplicate', () => {
    const got = parseChallenges(['Basic realm="a\\"b"', 'BEARER Realm=r, realm=second']);
    expect(got).toEqual([
      { scheme: 'basic', params: { realm: 'a"b' } },
      { scheme: 'bearer', params: { realm: 'r' } },
    ]);
  });

  it('survives malformed and hostile input', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges('Bearer realm="unterminated')).toEqual([
      { scheme: 'bearer', params: {} },
    ]);
    expect(parseChallenges('Bearer realm="x" ' + 'a=b,'.repeat(5000))).toHaveLength(0); // over the length cap
    const many = parseChallenges(
      'Bearer ' + Array.from({ length: 100 }, (_, i) => `p${i}=v`).join(',')
    );
    expect(Object.keys(many[0]!.params)).toHaveLength(32);
    const proto = parseChallenges('Bearer __proto__="x", realm=y');
    expect(proto[0]!.params['realm']).toBe('y');
    expect(Object.getPrototypeOf(proto[0]!.params)).toBe(Object.prototype);
  });
});
