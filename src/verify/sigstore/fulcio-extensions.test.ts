import { describe, expect, it } from 'vitest';
import { decodeDerUtf8String } from './fulcio-extensions.js';

const der = (bytes: number[]): Uint8Array => Uint8Array.from([0x0c, bytes.length, ...bytes]);
const utf8 = (s: string): number[] => [...Buffer.from(s, 'utf8')];

describe('decodeDerUtf8String', () => {
  it('decodes a DER UTF8String that spans its input', () => {
    expect(decodeDerUtf8String(der(utf8('https://github.com/o/r')))).toBe('https://github.com/o/r');
    expect(decodeDerUtf8String(Uint8Array.from([0x0c, 5, 0x61]))).toBeUndefined();
    expect(decodeDerUtf8String(Uint8Array.from([0x13, 1, 0x61]))).toBeUndefined();
  });

  it('keeps a leading byte order mark: an identity "\\uFEFFo/r" is not "o/r"', () => {
    expect(decodeDerUtf8String(der(utf8('\ufeffo/r')))).toBe('\ufeffo/r');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(decodeDerUtf8String(der([0xff, 0x61]))).toBeUndefined();
  });
});
