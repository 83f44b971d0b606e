import parse from 'spdx-expression-parse';

/** True when `text` parses as an SPDX license expression (ids, WITH, AND, OR, parentheses). */
export function isSpdxExpression(text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}
