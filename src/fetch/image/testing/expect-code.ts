/** Test helpers: the ImageError or RegistryError code a call fails with, or undefined when it succeeds. */
import { expect } from 'vitest';
import {
  ImageError,
  RegistryError,
  type ImageErrorCode,
  type RegistryErrorCode,
} from '../errors.js';

type Code = ImageErrorCode | RegistryErrorCode;

function code(err: unknown): Code {
  expect(err instanceof ImageError || err instanceof RegistryError, String(err)).toBe(true);
  return (err as ImageError | RegistryError).code;
}

/** The code a synchronous call throws. */
export function codeOf(fn: () => unknown): Code | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return code(err);
  }
}

/** The code a promise rejects with; a resolved image handle is closed. */
export async function codeOfAsync(p: Promise<unknown>): Promise<Code | undefined> {
  try {
    const value = await p;
    await (value as { close?: () => Promise<void> } | undefined)?.close?.();
    return undefined;
  } catch (err) {
    return code(err);
  }
}
