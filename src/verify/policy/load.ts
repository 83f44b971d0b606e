/**
 * Loading a policy file: YAML → JSON Schema validation (policies/policy.schema.json) →
 * semantic checks → trusted roots loaded and digest-checked. Every problem found is reported
 * at once, each with its path and line, so a policy can be fixed in one pass.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type * as Yaml from 'yaml';
import type { Document } from 'yaml';
import {
  loadPublicGoodTrustedRoot,
  loadTrustedRoot,
  TrustRootError,
  type TrustedRootMaterial,
} from '../trust/index.js';
import { PolicyError, formatProblems, type PolicyProblem } from './errors.js';
import type { LoadedPolicy, Policy } from './types.js';
import { parseExpiry } from './expiry.js';
import { compileDeny, purlKey } from '../checks/packages.js';
import { compileSubjectRegex } from '../sigstore/subject-regex.js';
import {
  loadNotationTrustStore,
  NotationTrustStoreError,
  type NotationTrustStore,
} from '../images/notation/trust-store.js';
import { requireCjs } from '../../util/cjs.js';
import { readBoundedSync } from '../../util/fs.js';

// CommonJS, loaded with require (util/cjs.ts): an import would parse it a second time.
const { LineCounter, isMap, isNode, isPair, isScalar, isSeq, parseDocument } = requireCjs(
  'yaml'
) as typeof Yaml;

/** Name of the built-in trust root: the pinned Sigstore public-good root shipped in policies/trust. */
export const PUBLIC_GOOD = 'public-good';

let validator: ValidateFunction | undefined;

/** Largest policy file read (1 MiB): real policies are a few KiB. */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** Largest file a policy names (a trusted root, a Notation root certificate) read: a few KiB each. */
export const MAX_POLICY_FILE_BYTES = 4 * 1024 * 1024;
/** yaml's `maxAliasCount`: how far aliases may expand before the document is refused. */
export const MAX_ALIAS_COUNT = 100;
/** Deepest nesting a policy may use (policies need about six levels). */
export const MAX_NESTING = 64;

/** Directory holding policy.schema.json (policies/ at the package root, beside src/ and dist/). */
export function policiesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'policies'))) {
      return join(dir, 'policies');
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot locate lamina policies/ directory');
    dir = up;
  }
}

/**
 * The schema's validator, compiled ahead of time by ajv (`scripts/gen-policy-validator.mjs`
 * writes it beside the schema; a test fails when it is not the schema's): loading ajv and
 * compiling the schema took about 110 ms of every verify, gate and pin.
 */
function getValidator(): ValidateFunction {
  validator ??= requireCjs(
    join(policiesDir(), 'policy.schema.validate.generated.cjs')
  ) as ValidateFunction;
  return validator;
}

/** Options for {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Read a file named by the policy (trust roots); default reads from disk. */
  readFile?: (path: string) => Buffer;
}

/**
 * Parse and validate a policy.
 * @param text the YAML text
 * @param fileName the policy's path: relative paths inside it resolve against its directory
 * @throws PolicyError `INVALID_POLICY` listing every problem as `path (line N): message`
 */
export function loadPolicy(
  text: string,
  fileName: string,
  opts: LoadPolicyOptions = {}
): LoadedPolicy {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw tooLarge(fileName);
  const deep = tooDeep(text);
  if (deep !== undefined)
    throw invalid(fileName, [
      { path: '', line: deep, message: `YAML nests deeper than ${MAX_NESTING} levels: refused` },
    ]);
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    throw invalid(fileName, [{ path: '', line: 0, message: `YAML: ${(e as Error).message}` }]);
  }
  const problems: PolicyProblem[] = [];
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;

  for (const e of doc.errors) {
    problems.push({
      path: '',
      line: lineAt(e.pos[0]),
      message: `YAML: ${e.message.split('\n')[0]}`,
    });
  }
  if (problems.length > 0) throw invalid(fileName, problems);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount (a "billion laughs").
    const why =
      e instanceof ReferenceError
        ? `YAML aliases expand too far (limit ${MAX_ALIAS_COUNT}): refused`
        : `YAML: ${(e as Error).message}`;
    throw invalid(fileName, [{ path: '', line: 0, message: why }]);
  }
  const validate = getValidator();
  if (!validate(data)) {
    for (const e of simplifyErrors(validate.errors ?? [])) {
      problems.push(schemaProblem(doc, e, lineAt));
    }
    throw invalid(fileName, dedupe(problems));
  }
  const policy = data as Policy;
  const baseDir = dirname(resolve(fileName));
  const at = (path: (string | number)[], message: string): void => {
    problems.push({ path: pointer(path), line: lineOf(doc, path, lineAt), message });
  };

  semanticChecks(policy, at);
  const trustRoots = loadTrustRoots(policy, baseDir, at, opts.readFile);
  const notationRoots = loadNotationRoots(policy, baseDir, at, opts.readFile);
  if (problems.length > 0) throw invalid(fileName, dedupe(problems));
  return {
    policy,
    trustRoots,
    baseDir,
    fileName,
    lines: collectLines(doc, lineAt),
    ...(notationRoots.size > 0 ? { notationRoots } : {}),
  };
}

/** A file the policy names, at most {@link MAX_POLICY_FILE_BYTES}. */
function readPolicyFile(path: string): Buffer {
  const bytes = readBoundedSync(path, MAX_POLICY_FILE_BYTES);
  if (bytes === undefined) throw new Error(`larger than ${MAX_POLICY_FILE_BYTES} bytes: refused`);
  return bytes;
}

/** Read and load a policy file from disk. @throws PolicyError */
export function loadPolicyFile(path: string, opts: LoadPolicyOptions = {}): LoadedPolicy {
  const bytes = readPolicyBytes(path);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return { ...loadPolicy(bytes.toString('utf8'), path, opts), digest };
}

/**
 * A policy file's bytes, bounded as they are read: neither a huge file nor /dev/zero is read
 * into memory (`lamina pin` reads the file it edits this way too).
 * @throws PolicyError POLICY_NOT_FOUND, POLICY_TOO_LARGE
 */
export function readPolicyBytes(path: string): Buffer {
  let bytes: Buffer | undefined;
  try {
    bytes = readBoundedSync(path, MAX_POLICY_BYTES);
  } catch (cause) {
    throw new PolicyError({
      code: 'POLICY_NOT_FOUND',
      message: `cannot read policy ${path}`,
      cause,
    });
  }
  if (bytes === undefined) throw tooLarge(path);
  return bytes;
}

type At = (path: (string | number)[], message: string) => void;

function semanticChecks(policy: Policy, at: At): void {
  const anchors = policy.anchors ?? {};
  const roots = policy.trustRoots ?? {};
  for (const [name, a] of Object.entries(anchors)) {
    if (a.kind === 'aws-signer') continue;
    if (a.kind === 'sigstore-keyless' && a.subjectRegex !== undefined) {
      try {
        compileSubjectRegex(a.subjectRegex);
      } catch (e) {
        at(['anchors', name, 'subjectRegex'], `does not compile: ${(e as Error).message}`);
      }
    }
    if (a.trustRoot !== PUBLIC_GOOD && !(a.trustRoot in roots)) {
      at(['anchors', name, 'trustRoot'], `no trust root named ${JSON.stringify(a.trustRoot)}`);
    }
  }
  (policy.layers ?? []).forEach((rule, i) => {
    checkPins(
      ['layers', i],
      rule.pins?.map((p) => ({ key: p.sha256, field: 'sha256', ...p })),
      at
    );
    if (rule.signers) checkSigners(['layers', i], rule.signers, anchors, at);
    checkDeny(['layers', i], rule.packages?.deny, at);
  });
  (policy.images ?? []).forEach((rule, i) => {
    checkPins(
      ['images', i],
      rule.pins?.map((p) => ({
        key: p.digest ?? p.index ?? '',
        field: p.digest !== undefined ? 'digest' : 'index',
        ...p,
      })),
      at
    );
    if (rule.signers) checkSigners(['images', i], rule.signers, anchors, at);
    checkDeny(['images', i], rule.packages?.deny, at);
  });
}

function checkPins(
  rule: (string | number)[],
  pins: { key: string; field: string; expires?: string | undefined }[] | undefined,
  at: At
): void {
  const seen = new Set<string>();
  pins?.forEach((pin, j) => {
    if (pin.expires !== undefined && parseExpiry(pin.expires) === undefined) {
      at([...rule, 'pins', j, 'expires'], `not a date: ${JSON.stringify(pin.expires)}`);
    }
    if (seen.has(pin.key)) at([...rule, 'pins', j, pin.field], 'duplicate pin');
    seen.add(pin.key);
  });
}

function checkSigners(
  rule: (string | number)[],
  signers: { anyOf: string[]; threshold?: number | undefined },
  anchors: Record<string, unknown>,
  at: At
): void {
  const seen = new Set<string>();
  signers.anyOf.forEach((name, j) => {
    if (!(name in anchors)) {
      at([...rule, 'signers', 'anyOf', j], `no anchor named ${JSON.stringify(name)}`);
    }
    if (seen.has(name)) {
      at([...rule, 'signers', 'anyOf', j], `anchor ${JSON.stringify(name)} listed twice`);
    }
    seen.add(name);
  });
  const threshold = signers.threshold ?? 1;
  if (threshold > seen.size) {
    at(
      [...rule, 'signers', 'threshold'],
      `threshold ${threshold} exceeds the ${seen.size} distinct anchors listed`
    );
  }
}

function checkDeny(
  rule: (string | number)[],
  deny: { purl: string; versions?: string | undefined }[] | undefined,
  at: At
): void {
  deny?.forEach((d, j) => {
    try {
      purlKey(d.purl);
    } catch (e) {
      at([...rule, 'packages', 'deny', j, 'purl'], `not a package URL: ${(e as Error).message}`);
      return;
    }
    try {
      compileDeny(d);
    } catch (e) {
      at([...rule, 'packages', 'deny', j, 'versions'], (e as Error).message);
    }
  });
}

/** Each aws-signer anchor's Notation root, read and checked against its pin. */
function loadNotationRoots(
  policy: Policy,
  baseDir: string,
  at: At,
  readFile: (path: string) => Buffer = readPolicyFile
): Map<string, NotationTrustStore> {
  const out = new Map<string, NotationTrustStore>();
  for (const [name, a] of Object.entries(policy.anchors ?? {})) {
    if (a.kind !== 'aws-signer' || a.notationRoot === undefined) continue;
    let bytes: Buffer;
    try {
      bytes = readFile(resolve(baseDir, a.notationRoot.path));
    } catch (e) {
      at(
        ['anchors', name, 'notationRoot', 'path'],
        `cannot read ${a.notationRoot.path}: ${(e as Error).message}`
      );
      continue;
    }
    try {
      out.set(
        name,
        loadNotationTrustStore({
          name,
          type: 'signingAuthority',
          pem: bytes,
          sha256: a.notationRoot.sha256,
        })
      );
    } catch (e) {
      const field =
        e instanceof NotationTrustStoreError && e.code === 'DIGEST_MISMATCH' ? 'sha256' : 'path';
      const code = e instanceof NotationTrustStoreError ? ` [${e.code}]` : '';
      at(['anchors', name, 'notationRoot', field], `${(e as Error).message}${code}`);
    }
  }
  return out;
}

function loadTrustRoots(
  policy: Policy,
  baseDir: string,
  at: At,
  readFile: (path: string) => Buffer = readPolicyFile
): Map<string, TrustedRootMaterial> {
  const out = new Map<string, TrustedRootMaterial>();
  for (const [name, ref] of Object.entries(policy.trustRoots ?? {})) {
    if (name === PUBLIC_GOOD) {
      at(['trustRoots', name], `${PUBLIC_GOOD} is built in and cannot be redefined`);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readFile(resolve(baseDir, ref.path));
    } catch (e) {
      at(['trustRoots', name, 'path'], `cannot read ${ref.path}: ${(e as Error).message}`);
      continue;
    }
    try {
      out.set(name, loadTrustedRoot(bytes, { expectedSha256: ref.sha256 }));
    } catch (e) {
      const field =
        e instanceof TrustRootError && e.code === 'TRUST_ROOT_DIGEST_MISMATCH' ? 'sha256' : 'path';
      const code = e instanceof TrustRootError ? ` [${e.code}]` : '';
      at(['trustRoots', name, field], `${(e as Error).message}${code}`);
    }
  }
  const usesPublicGood = Object.values(policy.anchors ?? {}).some(
    (a) => a.kind !== 'aws-signer' && a.trustRoot === PUBLIC_GOOD
  );
  if (usesPublicGood) {
    try {
      out.set(PUBLIC_GOOD, loadPublicGoodTrustedRoot());
    } catch (e) {
      at(
        ['anchors'],
        `cannot load the built-in ${PUBLIC_GOOD} trusted root: ${(e as Error).message}`
      );
    }
  }
  return out;
}

/**
 * The first line (1-based) where the text nests deeper than MAX_NESTING (flow brackets, block
 * sequence dashes or indentation), or undefined. Checked before parsing: the YAML parser
 * recurses per level, so deep nesting would cost time and stack for nothing a policy needs.
 */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  let line = 1;
  let atLineStart = true;
  let indent = 0;
  let dashes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      atLineStart = true;
      indent = 0;
      dashes = 0;
      continue;
    }
    if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && depth > 0) depth--;
    if (atLineStart) {
      if (c === ' ' || c === '\t') indent++;
      else if (c === '-' && (text[i + 1] === ' ' || text[i + 1] === '\t')) dashes++;
      else atLineStart = false;
    }
    if (depth > MAX_NESTING || dashes > MAX_NESTING || indent > MAX_NESTING * 4) return line;
  }
  return undefined;
}

function tooLarge(fileName: string): PolicyError {
  return new PolicyError({
    code: 'POLICY_TOO_LARGE',
    message: `policy ${fileName} is larger than ${MAX_POLICY_BYTES} bytes: refused`,
  });
}

function invalid(fileName: string, problems: PolicyProblem[]): PolicyError {
  problems.sort((a, b) => a.line - b.line || a.path.localeCompare(b.path, 'en'));
  return new PolicyError({
    code: 'INVALID_POLICY',
    message: `invalid policy ${fileName} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${formatProblems(fileName, problems)}`,
    problems,
  });
}

function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Drop ajv's noise: `if` wrappers, and the `required` errors nested under a `oneOf` that is
 * itself reported (turned into one "exactly one of" message).
 */
function simplifyErrors(errors: ErrorObject[]): ErrorObject[] {
  const oneOfPaths = new Set(
    errors.filter((e) => e.keyword === 'oneOf').map((e) => `${e.instancePath}\0${e.schemaPath}`)
  );
  return errors.filter((e) => {
    if (e.keyword === 'if') return false;
    if (e.keyword === 'required') {
      for (const k of oneOfPaths) {
        const [ip, sp] = k.split('\0') as [string, string];
        if (e.instancePath === ip && e.schemaPath.startsWith(sp + '/')) return false;
      }
    }
    return true;
  });
}

function schemaProblem(
  doc: Document,
  e: ErrorObject,
  lineAt: (o: number) => number
): PolicyProblem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const params = e.params as Record<string, unknown>;
  let message = e.message ?? e.keyword;
  let line: number;
  if (e.keyword === 'additionalProperties') {
    const prop = String(params['additionalProperty']);
    path.push(prop);
    message = 'unknown field';
    line = lineOf(doc, path, lineAt, true);
  } else if (e.keyword === 'required') {
    message = `missing required field ${JSON.stringify(params['missingProperty'])}`;
    line = lineOf(doc, path, lineAt);
  } else if (e.keyword === 'oneOf') {
    const alts = (e.schema as { required?: string[] }[]).flatMap((s) => s.required ?? []);
    message = alts.length
      ? `needs exactly one of: ${alts.join(', ')}`
      : 'must match exactly one alternative';
    line = lineOf(doc, path, lineAt);
  } else {
    if (e.keyword === 'enum') {
      message = `must be one of: ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    if (e.keyword === 'const') message = `must be ${JSON.stringify(params['allowedValue'])}`;
    if (e.keyword === 'propertyNames')
      message = `bad name ${JSON.stringify(params['propertyName'])}`;
    line = lineOf(doc, path, lineAt);
  }
  return { path: pointer(path), line, message };
}

/** How deep {@link collectLines} records lines: `/layers/0/signers/anyOf/1` is five levels. */
const LINE_DEPTH = 6;

/**
 * The 1-based line of every policy node down to LINE_DEPTH levels, by JSON pointer: a map
 * entry's line is its key's, a sequence item's its own. Aliases are not followed (their line is
 * where the alias is written), so nothing is expanded.
 */
function collectLines(doc: Document, lineAt: (o: number) => number): Map<string, number> {
  const lines = new Map<string, number>();
  const walk = (node: unknown, at: string, depth: number): void => {
    if (depth >= LINE_DEPTH) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const child = `${at}/${pointerSegment(String(pair.key.value))}`;
        lines.set(child, lineAt(pair.key.range[0]));
        walk(pair.value, child, depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (!isNode(item) || !item.range) return;
        const child = `${at}/${i}`;
        lines.set(child, lineAt(item.range[0]));
        walk(item, child, depth + 1);
      });
    }
  };
  if (isNode(doc.contents) && doc.contents.range) lines.set('', lineAt(doc.contents.range[0]));
  walk(doc.contents, '', 0);
  return lines;
}

function pointerSegment(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointer(path: (string | number)[]): string {
  return path.map((p) => '/' + pointerSegment(String(p))).join('');
}

/**
 * Line of the YAML node at `path`; for a missing node, the nearest existing ancestor.
 * With `keyOfLast`, the line of the last segment's key (for unknown fields).
 */
function lineOf(
  doc: Document,
  path: (string | number)[],
  lineAt: (o: number) => number,
  keyOfLast = false
): number {
  if (keyOfLast && path.length > 0) {
    const parent = doc.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(last)
      );
      if (pair && isNode(pair.key) && pair.key.range) return lineAt(pair.key.range[0]);
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lineAt(node.range[0]);
  }
  return 0;
}
