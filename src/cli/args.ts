import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../unpack/source.js';

type Options = NonNullable<ParseArgsConfig['options']>;

type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/** parseArgs with our error type: an unknown flag is a usage error (exit 2), not a crash. */
export function parse<O extends Options>(argv: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: err instanceof Error ? err.message : String(err),
    });
  }
}

/** Flags that change the archive limits; shared by every command that reads layers. */
export const LIMIT_FLAGS = {
  'max-entries': { type: 'string' },
  'max-total-size': { type: 'string' },
  'max-ratio': { type: 'string' },
  'max-depth': { type: 'string' },
  'max-file-size': { type: 'string' },
  'max-nested-size': { type: 'string' },
  'max-rehash-size': { type: 'string' },
} as const satisfies Options;

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parse `123`, `64k`, `512M`, `2G` (binary units). */
export function parseSize(flag: string, text: string): number {
  const m = /^(\d+)\s*([kmg]?)(i?b)?$/i.exec(text.trim());
  if (!m)
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--${flag}: not a size: ${JSON.stringify(text)}`,
    });
  return Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
}

function parseCount(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--${flag}: not a whole number: ${JSON.stringify(text)}`,
    });
  }
  return Number(text);
}

/** Turn the limit flags into Limits, starting from the defaults. */
export function limitsFromFlags(
  values: Partial<Record<keyof typeof LIMIT_FLAGS, string | undefined>>
): Limits {
  const l: Limits = { ...DEFAULT_LIMITS };
  if (values['max-entries'] !== undefined)
    l.maxEntries = parseCount('max-entries', values['max-entries']);
  if (values['max-total-size'] !== undefined)
    l.maxTotalSize = parseSize('max-total-size', values['max-total-size']);
  if (values['max-ratio'] !== undefined) l.maxRatio = parseCount('max-ratio', values['max-ratio']);
  if (values['max-depth'] !== undefined) l.maxDepth = parseCount('max-depth', values['max-depth']);
  if (values['max-file-size'] !== undefined)
    l.maxFileSize = parseSize('max-file-size', values['max-file-size']);
  if (values['max-nested-size'] !== undefined)
    l.maxNestedSize = parseSize('max-nested-size', values['max-nested-size']);
  if (values['max-rehash-size'] !== undefined)
    l.maxRehashSize = parseSize('max-rehash-size', values['max-rehash-size']);
  return l;
}

/** A whole number of at least 1 (`--concurrency`, `--page-size`, `--max-attempts`). */
export function positiveInt(flag: string, text: string): number {
  if (!/^[1-9]\d*$/.test(text.trim())) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--${flag}: not a positive whole number: ${JSON.stringify(text)}`,
    });
  }
  return Number(text);
}

/** `--account`/`--region` as rule-matching facts for a layer not yet published. */
export function factFlags(values: { account?: string | undefined; region?: string | undefined }): {
  account?: string;
  region?: string;
} {
  return {
    ...(values.account !== undefined ? { account: values.account } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
  };
}
