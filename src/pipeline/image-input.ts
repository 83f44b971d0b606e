/**
 * Whether a command's input names a container image or a layer. Kept apart from ./image.js so
 * that every command can ask without loading the image stack (registry, AWS SDK, tar reader).
 */
import { stat } from 'node:fs/promises';

/**
 * Whether `input` names a container image rather than a layer: an `oci:`, `docker-archive:` or
 * `docker://` reference, a directory holding `oci-layout`, or (when no such path exists and it
 * is neither an ARN nor a `.zip` name) text that reads as a registry reference `HOST/REPO[:TAG|@sha256:…]`.
 */
export async function isImageInput(input: string): Promise<boolean> {
  if (/^(oci|docker-archive):/.test(input) || input.startsWith('docker://')) return true;
  // A file that is there (a layer zip) is no layout directory and no reference: answered
  // without loading the image reference parser.
  const st = await stat(input).catch(() => undefined);
  if (st && !st.isDirectory()) return false;
  const { isLayoutDirectory, parseImageReference } = await import('../fetch/image/reference.js');
  if (await isLayoutDirectory(input)) return true;
  // An ARN, or a zip that is not there (a missing layer, not a registry `host.d/x.zip`).
  if (input.startsWith('arn:') || /\.zip$/i.test(input)) return false;
  // A directory that is there but holds no layout is a layer directory.
  if (st) return false;
  try {
    parseImageReference(input);
    return true;
  } catch {
    return false;
  }
}
