import type { ScanResult } from '../scan/result.js';
import { imagePlace, imageState, scanImagesView } from './scan-images.js';
import { plural, shortDigest } from './words.js';

/**
 * The images section of the scan report (pure): per ECR repository, each digest in use with
 * its tags now, push order, the functions running it and whether it was read; then the image
 * drift findings. Empty when the scan found no image function.
 */
export function renderScanImagesText(result: ScanResult): string[] {
  const view = scanImagesView(result);
  if (!view) return [];
  const lines: string[] = [
    '',
    `Images: ${plural(view.functionCount, 'image function')} in ${plural(view.repositories.length, 'repository', 'repositories')}`,
  ];
  for (const r of view.repositories) {
    lines.push(`  ${r.repository} (${r.tagMutability ?? 'not described'})`);
    if (r.failure) lines.push(`    FAILED ${r.failure.code}`);
    for (const i of r.images) {
      lines.push(`    ${shortDigest(i.digest)}  ${imagePlace(i)}; ${imageState(i)}`);
      for (const f of i.functions) lines.push(`      ${f}`);
    }
  }
  if (view.findings.length > 0) {
    lines.push(`  Image findings (${view.findings.length}):`);
    for (const f of view.findings)
      lines.push(`    ${f.severity.padEnd(7)} ${f.kind}  ${f.subject}: ${f.message}`);
  }
  return lines;
}
