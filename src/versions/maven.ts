/**
 * Maven versions ordered as Maven's `ComparableVersion` orders them
 * (https://maven.apache.org/pom.html#Version_Order_Specification): `.`/`-` and digit/letter
 * transitions separate items, trailing zeros and empty qualifiers do not count (`1.0` = `1`),
 * known qualifiers order alpha < beta < milestone < rc = cr < snapshot < release (= "" = ga =
 * final) < sp, unknown qualifiers (`jre`, `android`) come after, lexically. So `5.3.0.RELEASE`
 * equals `5.3.0` and `31.1-jre` sorts after `31.1`. Ranges also take Maven's interval notation,
 * several intervals being a union.
 */
import { compileIntervals, type Ordering } from './ranges.js';
import { cmp } from '../util/compare.js';

type Item = { t: 'int'; v: bigint } | { t: 'str'; v: string } | { t: 'list'; v: Item[] };

/** A parsed Maven version: the ComparableVersion item list. */
export interface MavenVersion {
  items: Item[];
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) {
    v = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[v] ?? v;
  }
  return { t: 'str', v: ALIASES[v] ?? v };
}

const comparable = (q: string): string => {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
};

const isNull = (it: Item): boolean =>
  it.t === 'int'
    ? it.v === 0n
    : it.t === 'str'
      ? comparable(it.v) === RELEASE_INDEX
      : it.v.length === 0;

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.t !== 'list') break;
  }
}

/** `a.compareTo(b)` of ComparableVersion's items; `b` undefined is Java's null. */
function compareItem(a: Item, b: Item | undefined): number {
  if (a.t === 'int') {
    if (!b) return a.v === 0n ? 0 : 1;
    if (b.t === 'int') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    return 1; // 1.1 > 1-sp, 1.1 > 1-1
  }
  if (a.t === 'str') {
    if (!b) return cmp(comparable(a.v), RELEASE_INDEX);
    if (b.t === 'str') return cmp(comparable(a.v), comparable(b.v));
    return -1; // 1.any < 1.1, 1.any < 1-1
  }
  if (!b) return a.v.length === 0 ? 0 : compareItem(a.v[0]!, undefined);
  if (b.t === 'int') return -1;
  if (b.t === 'str') return 1;
  for (let i = 0; i < Math.max(a.v.length, b.v.length); i++) {
    const l = a.v[i];
    const r = b.v[i];
    const result =
      l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (result !== 0) return result;
  }
  return 0;
}

function parseItems(version: string): Item[] {
  const root: Item[] = [];
  const stack: Item[][] = [root];
  let list = root;
  const push = (): void => {
    const next: Item[] = [];
    list.push({ t: 'list', v: next });
    list = next;
    stack.push(next);
  };
  const item = (digit: boolean, buf: string): Item =>
    digit ? { t: 'int', v: BigInt(buf) } : stringItem(buf, false);
  const v = version.toLowerCase();
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.' || c === '-') {
      list.push(i === start ? { t: 'int', v: 0n } : item(isDigit, v.slice(start, i)));
      start = i + 1;
      if (c === '-') push();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(stringItem(v.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(item(true, v.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (v.length > start) list.push(item(isDigit, v.slice(start)));
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i]!);
  return root;
}

function parse(text: string): MavenVersion | undefined {
  const t = text.trim();
  // ComparableVersion takes any string; a version must at least start with a digit, so an
  // unresolved `${project.version}` is not taken for an old version.
  if (!/^[0-9][0-9A-Za-z._+-]*$/.test(t) || t.length > 256) return undefined;
  return { items: parseItems(t) };
}

export const mavenOrdering: Ordering<MavenVersion> = {
  name: 'Maven',
  parse,
  compare: (a, b) => compareItem({ t: 'list', v: a.items }, { t: 'list', v: b.items }),
  native: (text) => compileIntervals(mavenOrdering, text, true),
};
