import { describe, expect, it } from 'vitest';
import { newPackage } from '../../model/package.js';
import { isOwned, OwnershipIndex, redirectedParts } from './ownership.js';

const pkg = (id: string, owns: string[]) =>
  newPackage({ id, ecosystem: 'npm', name: id, foundBy: 'test', locations: [], owns });

describe('isOwned', () => {
  const packages = [
    pkg('a', ['nodejs/node_modules/sharp/', 'python/lib/python3.12/site-packages/x.so']),
    pkg('b', ['java/lib/']),
  ];
  const index = new OwnershipIndex(packages);

  it('matches exact paths and directory prefixes', () => {
    expect(isOwned('python/lib/python3.12/site-packages/x.so', index)).toBe(true);
    expect(isOwned('nodejs/node_modules/sharp/build/Release/sharp.node', index)).toBe(true);
    expect(isOwned('java/lib/libfoo.so', packages)).toBe(true);
  });

  it('does not match siblings that merely share a name prefix', () => {
    expect(isOwned('nodejs/node_modules/sharp-extra/x.node', index)).toBe(false);
    expect(isOwned('python/lib/python3.12/site-packages/x.so.1', index)).toBe(false);
    expect(isOwned('java/library/x.so', index)).toBe(false);
    expect(isOwned('bin/tool', index)).toBe(false);
  });

  it('treats a prefix as a directory, not the directory entry itself', () => {
    expect(isOwned('java/lib', index)).toBe(false);
    expect(isOwned('anything', new OwnershipIndex([]))).toBe(false);
  });
});

describe('an OS database in an image whose Lambda part is a symlink', () => {
  const deb = newPackage({
    id: 'deb:allowed-tools',
    ecosystem: 'deb',
    name: 'allowed-tools',
    foundBy: 'test',
    locations: [],
    owns: ['srv/app/bootstrap', 'usr/bin/tool'],
  });
  // `var/task -> ../srv/app`, `opt` a real directory, the other parts absent.
  const real: Record<string, string> = { 'var/task': 'srv/app', opt: 'opt', 'opt/bin': 'opt/bin' };
  const redirects = redirectedParts((p) => real[p]);

  it('maps the real directory to the part it stands for, nothing else', () => {
    expect([...redirects]).toEqual([['srv/app/', 'var/task/']]);
  });

  it('may not claim function code under the real directory', () => {
    const index = new OwnershipIndex([deb], 'image', redirects);
    expect(index.has('srv/app/bootstrap')).toBe(false);
    expect(index.refusedClaimant('srv/app/bootstrap')).toBe(deb);
    expect(index.has('usr/bin/tool')).toBe(true);
    // Without the redirect (as before), the claim was accepted.
    expect(new OwnershipIndex([deb], 'image').has('srv/app/bootstrap')).toBe(true);
  });
});
