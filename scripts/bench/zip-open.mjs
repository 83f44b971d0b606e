// Open one zip with lamina's own reader (end records, central directory, every name and kind
// checked, every local header and every entry inflated and CRC-checked, the path index built)
// and exit: the zip-open cost `scripts/bench-startup.mjs` sets against `unzip -t`.
//
// usage: node scripts/bench/zip-open.mjs DIST ZIP   (DIST: a built lamina's dist directory)
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, zip] = process.argv.slice(2);
if (!dist || !zip) throw new Error('usage: zip-open.mjs DIST ZIP');
const { openZipFile } = await import(pathToFileURL(join(resolve(dist), 'src/unpack/zip.js')).href);
const source = await openZipFile(zip);
if (source.entries().length === 0) throw new Error(`${zip}: no entries`);
await source.close();
