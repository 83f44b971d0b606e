import type * as CDX from './cdx-types.js';

type XmlElement = CDX.Serialize.XML.Types.SimpleXml.Element;

/**
 * Characters XML 1.0 does not allow anywhere, not even as character
 * references: C0 controls other than tab, LF and CR; lone UTF-16 surrogates;
 * U+FFFE and U+FFFF. https://www.w3.org/TR/xml/#charsets
 */
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- control characters are what is matched
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text safe for an XML 1.0 document: each character XML forbids is written as
 * the visible escape `\uXXXX` (its UTF-16 code unit in hex). Everything else is
 * kept; the serializer escapes `<`, `&`, quotes and CR as usual. The JSON SBOM
 * keeps such characters exactly (JSON can escape them).
 */
export function xmlSafeText(s: string): string {
  FORBIDDEN.lastIndex = 0;
  if (!FORBIDDEN.test(s)) return s;
  return s.replace(
    FORBIDDEN,
    (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
  );
}

/** Apply {@link xmlSafeText} to every text node and attribute value of a serializer's tree. */
export function sanitizeXmlTree(el: XmlElement): void {
  if (el.attributes) {
    for (const [k, v] of Object.entries(el.attributes))
      if (typeof v === 'string') el.attributes[k] = xmlSafeText(v);
  }
  const kids = el.children;
  if (typeof kids === 'string') {
    el.children = xmlSafeText(kids);
    return;
  }
  if (kids === undefined || typeof kids === 'number') return;
  const list = [...kids];
  for (const k of list) {
    if (k.type === 'element') sanitizeXmlTree(k);
    else if (typeof k.text === 'string') k.text = xmlSafeText(k.text);
  }
  el.children = list;
}
