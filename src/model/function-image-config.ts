/**
 * A container-image function's own image settings (Lambda's `ImageConfig`): an entry point, a
 * command and a working directory that replace the image config's when Lambda starts the image.
 * https://docs.aws.amazon.com/lambda/latest/api/API_ImageConfig.html
 */
import type { ImageConfig } from './oci.js';

/** GetFunction's `ImageConfigResponse.ImageConfig`, each part only when the function sets it. */
export interface FunctionImageConfig {
  entryPoint?: readonly string[];
  command?: readonly string[];
  workingDirectory?: string;
}

/** What starts the process: an entry point, its arguments, the directory it starts in. */
export interface RunConfig {
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  workingDir?: string;
}

/**
 * What Lambda runs: each of the function's settings wins over the image config's; an empty
 * working directory is no setting (Lambda starts in the image's).
 */
export function effectiveRunConfig(
  image: Pick<ImageConfig, 'entrypoint' | 'cmd' | 'workingDir'>,
  fn: FunctionImageConfig | undefined
): RunConfig {
  const entrypoint = fn?.entryPoint ?? image.entrypoint;
  const cmd = fn?.command ?? image.cmd;
  const workingDir = fn?.workingDirectory || image.workingDir;
  return {
    ...(entrypoint ? { entrypoint } : {}),
    ...(cmd ? { cmd } : {}),
    ...(workingDir ? { workingDir } : {}),
  };
}
