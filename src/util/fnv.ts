/**
 * FNV-1a over a string's UTF-16 code units (for ASCII, the bytes), as a signed 32-bit integer:
 * V8 keeps such numbers in a list without boxing them. Not for anything an attacker could aim
 * at; callers must treat equal hashes as "maybe equal".
 */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}
