/**
 * umoci as the squash oracle: write layers (uncompressed tars) as a minimal
 * OCI image layout, `umoci unpack` it, and list the root file system it
 * made. Test-only.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SquashedImage } from '../squash.js';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Write an OCI image layout holding one image of `layers` (base first), tagged `tag`. */
export function writeLayout(dir: string, layers: readonly Buffer[], tag = 'test'): void {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const blob = (b: Buffer | string): { digest: string; size: number } => {
    const h = sha(b);
    writeFileSync(join(dir, 'blobs/sha256', h), b);
    return { digest: `sha256:${h}`, size: Buffer.byteLength(b) };
  };
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha(l)}`) },
  });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(config) },
    layers: layers.map((l) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      ...blob(l),
    })),
  });
  const m = blob(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...m,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    })
  );
}

/** One path of an unpacked root: `path kind [-> target | size]`. */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, p));
      if (st.isSymbolicLink()) out.push(`${p} symlink -> ${readlinkSync(join(root, p))}`);
      else if (st.isDirectory()) {
        out.push(`${p} dir`);
        walk(p);
      } else if (st.isFile()) out.push(`${p} file ${st.size}`);
      else out.push(`${p} special`);
    }
  };
  walk('');
  return out.sort();
}

/** `umoci unpack` an image of `layers`; returns the rootfs listing or umoci's error. */
export function umociListing(
  layers: readonly Buffer[]
): { ok: true; paths: string[] } | { ok: false; error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-umoci-'));
  try {
    writeLayout(join(dir, 'layout'), layers);
    const r = spawnSync(
      'umoci',
      ['unpack', '--image', `${join(dir, 'layout')}:test`, join(dir, 'bundle')],
      {
        encoding: 'utf8',
      }
    );
    if (r.error) throw r.error;
    if (r.status !== 0) return { ok: false, error: r.stderr.trim() };
    return { ok: true, paths: listTree(join(dir, 'bundle/rootfs')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A squashed image listed the way {@link listTree} lists an unpacked root. */
export function imageListing(img: SquashedImage): string[] {
  return img
    .entries()
    .map((e) =>
      e.kind === 'symlink'
        ? `${e.path} symlink -> ${e.linkTarget ?? ''}`
        : e.kind === 'file'
          ? `${e.path} file ${e.size}`
          : `${e.path} ${e.kind}`
    )
    .sort();
}
