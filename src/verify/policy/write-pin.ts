/**
 * Adding a pin to a policy file with yaml's Document API, so comments, key order and layout of
 * the rest of the file survive.
 */
import type * as Yaml from 'yaml';
import type { ImagePin, Pin } from './types.js';
import { requireCjs } from '../../util/cjs.js';

// CommonJS, loaded with require (util/cjs.ts): an import would parse it a second time.
const { isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq, Scalar } = requireCjs(
  'yaml'
) as typeof Yaml;
type YAMLMap = Yaml.YAMLMap;

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
  return addToRulePins(text, 'layers', ruleIndex, 'sha256', pin.sha256, pinNode(pin));
}

function imagePinNode(pin: ImagePin): YAMLMap {
  const m = new YAMLMap();
  for (const key of ['digest', 'index'] as const) {
    const v = pin[key];
    if (v === undefined) continue;
    const s = new Scalar(v);
    s.type = Scalar.QUOTE_SINGLE;
    m.set(key, s);
  }
  if (pin.platform !== undefined) m.set('platform', pin.platform);
  if (pin.note !== undefined) m.set('note', pin.note);
  if (pin.expires !== undefined) m.set('expires', pin.expires);
  return m;
}

/** An image pin as YAML (a one-item sequence), for printing. */
export function imagePinEntryYaml(pin: ImagePin): string {
  const seq = new YAMLSeq();
  seq.items.push(imagePinNode(pin));
  const doc = parseDocument('');
  doc.contents = seq as never;
  return doc.toString();
}

/** Insert an image pin (by manifest digest) into `images[ruleIndex].pins`, as for layers. */
export function addImagePinToPolicyText(
  text: string,
  ruleIndex: number,
  pin: ImagePin & { digest: string }
): { text: string; added: boolean } {
  return addToRulePins(text, 'images', ruleIndex, 'digest', pin.digest, imagePinNode(pin));
}

function addToRulePins(
  text: string,
  section: 'layers' | 'images',
  ruleIndex: number,
  key: string,
  value: string,
  node: YAMLMap
): { text: string; added: boolean } {
  const doc = parseDocument(text);
  const rule = doc.getIn([section, ruleIndex], true);
  if (!isMap(rule)) throw new Error(`${section}[${ruleIndex}] is not a mapping`);
  let pins: unknown = rule.get('pins', true);
  if (pins === undefined || (isScalar(pins) && pins.value === null)) {
    const seq = new YAMLSeq();
    rule.set('pins', seq);
    pins = seq;
  }
  if (!isSeq(pins)) throw new Error(`${section}[${ruleIndex}].pins is not a sequence`);
  const exists = pins.items.some((p) => isMap(p) && String(p.get(key)) === value);
  if (exists) return { text, added: false };
  pins.items.push(node);
  return { text: doc.toString(), added: true };
}
