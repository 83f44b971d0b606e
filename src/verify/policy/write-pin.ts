/**
 * Adding a pin to a policy file with yaml's Document API, so comments, key order and layout of
 * the rest of the file survive.
 */
import { isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq, Scalar } from 'yaml';
import type { Pin } from './types.js';

/** The pin as YAML (a one-item sequence), for printing. sha256 is quoted so YAML keeps it a string. */
export function pinEntryYaml(pin: Pin): string {
  const seq = new YAMLSeq();
  seq.items.push(pinNode(pin));
  const doc = parseDocument('');
  doc.contents = seq as never;
  return doc.toString();
}

function pinNode(pin: Pin): YAMLMap {
  const m = new YAMLMap();
  const sha = new Scalar(pin.sha256);
  sha.type = Scalar.QUOTE_SINGLE;
  m.set('sha256', sha);
  if (pin.version !== undefined) m.set('version', pin.version);
  if (pin.note !== undefined) m.set('note', pin.note);
  if (pin.expires !== undefined) m.set('expires', pin.expires);
  return m;
}

/**
 * Insert `pin` into `layers[ruleIndex].pins` of the policy text (creating `pins:` when absent).
 * Returns the new text, or the old text unchanged when the digest is already pinned.
 */
export function addPinToPolicyText(
  text: string,
  ruleIndex: number,
  pin: Pin
): { text: string; added: boolean } {
  const doc = parseDocument(text);
  const rule = doc.getIn(['layers', ruleIndex], true);
  if (!isMap(rule)) throw new Error(`layers[${ruleIndex}] is not a mapping`);
  let pins: unknown = rule.get('pins', true);
  if (pins === undefined || (isScalar(pins) && pins.value === null)) {
    const seq = new YAMLSeq();
    rule.set('pins', seq);
    pins = seq;
  }
  if (!isSeq(pins)) throw new Error(`layers[${ruleIndex}].pins is not a sequence`);
  const exists = pins.items.some((p) => isMap(p) && String(p.get('sha256')) === pin.sha256);
  if (exists) return { text, added: false };
  pins.items.push(pinNode(pin));
  return { text: doc.toString(), added: true };
}
