import type { ScanResult } from '../scan/result.js';
import { plural, shortDigest } from './words.js';

/**
 * The images section of the scan report (pure): per ECR repository, each digest in use with
 * its tags now, push order, the functions running it and whether it was read; then the image
 * drift findings. Empty when the scan found no image function.
 */
export function renderScanImagesText(result: ScanResult): string[] {
  const repos = result.images ?? [];
  const imageFns = result.functions.filter((f) => f.packageType === 'Image');
  if (imageFns.length === 0) return [];
  const lines: string[] = [
    '',
    `Images: ${plural(imageFns.length, 'image function')} in ${plural(repos.length, 'repository', 'repositories')}`,
  ];
  const label = (arn: string): string => {
    const f = result.functions.find((x) => x.arn === arn);
    if (!f) return arn;
    const name = f.version === '$LATEST' ? f.name : `${f.name}:${f.version}`;
    return `${name} [${f.account} ${f.region}]`;
  };
  for (const r of repos) {
    lines.push(`  ${r.registry}/${r.name} (${r.tagMutability ?? 'not described'})`);
    if (r.failure) lines.push(`    FAILED ${r.failure.code}`);
    for (const i of r.images) {
      const tags = i.tags.length ? `tags ${i.tags.join(', ')}` : 'untagged';
      const order = i.pushOrder !== null ? `push #${i.pushOrder}` : 'not listed';
      const newest = i.digest === r.newestDigest ? ', newest' : '';
      const state =
        i.status === 'inventoried'
          ? `${plural(i.packageCount ?? 0, 'package')}${i.architecture ? `, ${i.architecture}` : ''}`
          : i.status === 'failed'
            ? `FAILED ${i.failure?.code ?? ''}`
            : 'not in use';
      lines.push(`    ${shortDigest(i.digest)}  ${tags}; ${order}${newest}; ${state}`);
      for (const arn of i.usedBy) lines.push(`      ${label(arn)}`);
    }
  }
  const findings = result.drift.images?.findings ?? [];
  if (findings.length > 0) {
    lines.push(`  Image findings (${findings.length}):`);
    for (const f of findings) {
      const who = f.function ? label(f.function) : f.repository;
      lines.push(`    ${f.severity.padEnd(7)} ${f.kind}  ${who}: ${f.message}`);
    }
  }
  return lines;
}
