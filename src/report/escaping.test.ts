import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { printFindings } from '../cli/output.js';
import type { Inventory } from '../model/inventory.js';
import { newPackage } from '../model/package.js';
import type { Verdict } from '../verify/verdict.js';
import { marked } from 'marked';
import { escapeJsonText, escapeTerminal, mdText } from '../util/escape.js';
import { summarizeInventory } from './inventory-summary.js';
import { serializeScanResult } from '../scan/result.js';
import { scanResultChunks } from '../scan/result-stream.js';
import { renderChangesJson } from './changes.js';
import { renderHistoryJson } from './history.js';
import { renderScanText } from './scan-text.js';
import { renderVerdictJson } from './verdict-json.js';
import { renderVerdictSarif } from './verdict-sarif.js';
import { renderVerdictText } from './verdict-text.js';

/** What a terminal would act on: C0 (but line feed), DEL, C1, bidi and zero-width marks. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

const HOSTILE = 'evil\x1b]0;pwned\x07\x1b[2J\r\u009b31m\u202egnp.exe\u2066x\u0000';

describe('escapeTerminal', () => {
  it('writes every unsafe character as a visible escape', () => {
    expect(escapeTerminal(HOSTILE)).toBe(
      'evil\\x1b]0;pwned\\x07\\x1b[2J\\r\\x9b31m\\u202egnp.exe\\u2066x\\x00'
    );
    expect(escapeTerminal('a\nb\tc')).toBe('a\\nb\\tc');
    expect(escapeTerminal('a\nb\r', { keepNewlines: true })).toBe('a\nb\\r');
  });
  it('leaves ordinary text, including non-ASCII letters and emoji, alone', () => {
    const s = 'naïve café 日本語 😀 path/to/x.so';
    expect(escapeTerminal(s)).toBe(s);
  });
  it('escapes lone surrogates but keeps pairs', () => {
    expect(escapeTerminal('a\ud800b\udc00c')).toBe('a\\ud800b\\udc00c');
    expect(escapeTerminal('\ud83d\ude00')).toBe('\ud83d\ude00');
  });
  it('escapeJsonText keeps the JSON value and leaves nothing raw', () => {
    const json = JSON.stringify({ name: HOSTILE });
    const safe = escapeJsonText(json);
    expect(RAW.test(safe)).toBe(false);
    expect(JSON.parse(safe)).toEqual({ name: HOSTILE });
  });
});

describe('mdText', () => {
  it('leaves GitHub no @mention or #123 reference to find in the rendered text', () => {
    const s = 'cc @octo-org/security and @alice, see #123 and a@b.example; 1.0 #x';
    const html = marked.parse(`| ${mdText(s)} |\n| --- |\n`, { async: false, gfm: true });
    // What GitHub's mention and reference filters read: each text node, entities decoded.
    const texts = html
      .split(/<[^>]*>/)
      .map((t) => t.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))));
    expect(texts.join('').trim()).toBe(s);
    expect(texts.some((t) => /@\w|#\d/.test(t))).toBe(false);
  });
});

describe('renderers escape what comes from layers, policies and AWS', () => {
  const verdict: Verdict = {
    subject: { kind: 'layer', name: `layer${HOSTILE}`, sha256: 'a'.repeat(64) },
    mode: 'enforce',
    ok: false,
    checks: [
      {
        id: 'packages',
        kind: 'packages',
        outcome: 'fail',
        detail: `Denied package(s): pkg:npm/${HOSTILE}\n  PASS digest: forged line`,
        evidence: { name: HOSTILE },
      },
    ],
  };

  it('verdict text, JSON and SARIF', () => {
    const text = renderVerdictText([verdict]);
    expect(RAW.test(text)).toBe(false);
    expect(text).toContain('\\x1b]0;pwned');
    // A newline in a detail cannot start a report line of its own.
    expect(text.split('\n').some((l) => l.startsWith('  PASS digest'))).toBe(false);
    for (const json of [renderVerdictJson([verdict]), renderVerdictSarif([verdict])]) {
      expect(RAW.test(json)).toBe(false);
      expect(JSON.stringify(JSON.parse(json))).toContain('\\u001b');
    }
  });

  it('inventory summary and findings on stderr', () => {
    const inv: Inventory = {
      artifact: { name: `x${HOSTILE}.zip`, kind: 'zip', sha256: 'a', size: 0, properties: {} },
      packages: [
        newPackage({
          id: 'f',
          ecosystem: 'generic',
          name: 'f',
          type: 'file',
          foundBy: 't',
          locations: [{ path: `bin/${HOSTILE}` }],
        }),
      ],
      findings: [],
      complete: false,
    };
    expect(RAW.test(summarizeInventory(inv))).toBe(false);
    let err = '';
    const stderr = new Writable({
      write(chunk: Buffer, _e, cb) {
        err += chunk.toString();
        cb();
      },
    });
    printFindings({ stdout: stderr, stderr }, `l${HOSTILE}`, [
      {
        code: 'PARSE_ERROR',
        severity: 'warning',
        path: HOSTILE,
        message: `bad ${HOSTILE}\nforged`,
      },
    ]);
    expect(RAW.test(err)).toBe(false);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('scan text', () => {
    const text = renderScanText({
      scope: { accounts: [`1${HOSTILE}`], regions: ['us-east-1'] },
      layers: [],
      functions: [],
      drift: { digestMismatches: [] },
      failures: [{ scope: 'function', subject: HOSTILE, code: 'API_ERROR', reason: HOSTILE }],
    } as unknown as Parameters<typeof renderScanText>[0]);
    expect(RAW.test(text)).toBe(false);
    expect(text).toContain('\\u202e');
  });

  it('scan, changes and history JSON: every value kept, nothing raw', () => {
    const scan = {
      scope: { accounts: ['1'], regions: ['us-east-1'] },
      layers: [],
      functions: [],
      drift: { digestMismatches: [] },
      failures: [{ scope: 'function', subject: HOSTILE, code: 'API_ERROR', reason: HOSTILE }],
    } as unknown as Parameters<typeof serializeScanResult>[0];
    const changes = { functionsAdded: [HOSTILE] } as unknown as Parameters<
      typeof renderChangesJson
    >[0];
    const history = [{ id: 1, finishedAt: HOSTILE }] as unknown as Parameters<
      typeof renderHistoryJson
    >[1];
    for (const [json, value] of [
      [serializeScanResult(scan), scan],
      [[...scanResultChunks(scan)].join(''), scan],
      [renderChangesJson(changes), { ...changes, failing: [] }],
      [renderHistoryJson('h.db', history), { db: 'h.db', scans: history }],
    ] as const) {
      expect(RAW.test(json)).toBe(false);
      expect(JSON.parse(json)).toEqual(value);
    }
  });
});
