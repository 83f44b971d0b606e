import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/** Where a command writes: injected so tests can capture output. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** True when stderr is a terminal (progress display allowed). */
  isTty?: boolean;
}

/** Write a file atomically (temp file + rename) so a failed run never leaves half a file. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, data);
  await rename(tmp, path);
}
