/** Test helpers: the `ImageError` code a call fails with, or undefined when it succeeds. */
import { expect } from 'vitest';
import { ImageError, type ImageErrorCode } from '../errors.js';

function code(err: unknown): ImageErrorCode {
  expect(err).toBeInstanceOf(ImageError);
  return (err as ImageError).code;
}

/** The code a synchronous call throws. */
export function codeOf(fn: () => unknown): ImageErrorCode | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return code(err);
  }
}

/** The code a promise rejects with; a resolved image handle is closed. */
export async function codeOfAsync(p: Promise<unknown>): Promise<ImageErrorCode | undefined> {
  try {
    const value = await p;
    await (value as { close?: () => Promise<void> } | undefined)?.close?.();
    return undefined;
  } catch (err) {
    return code(err);
  }
}
