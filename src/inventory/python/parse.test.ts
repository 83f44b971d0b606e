import { describe, expect, it } from 'vitest';
import { pythonLicenses } from './license.js';
import { CoreMetadata } from './metadata.js';
import { parseRecord, recordPathInLayer } from './record.js';
import { parseRequirement, parseRequiresTxt } from './requirements.js';

describe('CoreMetadata', () => {
  it('joins continuation lines, keeps repeated fields and stops at the body', () => {
    const m = new CoreMetadata(
      [
        'Metadata-Version: 1.1',
        'Name: x',
        'Version: 1',
        'License: line one',
        '        line two',
        'Classifier: A',
        'Classifier: B',
        'Project-URL: Source, https://src',
        'Project-URL: Home Page, https://home',
        '',
        'Name: not-a-header',
      ].join('\n')
    );
    expect(m.get('license')).toBe('line one\nline two');
    expect(m.all('classifier')).toEqual(['A', 'B']);
    expect(m.homepage).toBe('https://home');
    expect(m.name).toBe('x');
  });

  // Each case checked against Python 3.11: email.message_from_string(text).get('Name').
  it("reads headers as Python's email parser does", () => {
    const name = (text: string): string | undefined => new CoreMetadata(text).get('name');
    expect(name('Metadata-Version: 2.1\rName: cr\rVersion: 1.0\r')).toBe('cr');
    expect(name('Metadata-Version: 2.1\r\nName: mixed\rVersion: 1.0\n')).toBe('mixed');
    expect(name(' leading continuation\nName: x\nVersion: 1')).toBe('x');
    expect(name('From nobody\nName: fromline\n')).toBe('fromline');
    expect(name('Name: first\nName: second\n')).toBe('first');
    expect(name('Metadata-Version: 2.1\nthis is not a header\nName: late\n')).toBeUndefined();
    expect(name('Name : spaced\n')).toBeUndefined();
    // Form feed and U+2028 are not line breaks for email (they are for str.splitlines).
    expect(name('Metadata-Version: 2.1\fName: ff\n')).toBeUndefined();
    expect(name('Name: a\u2028Version: 9\n')).toBe('a\u2028Version: 9');
    // A byte order mark hides every header from Python; lamina is more lenient.
    expect(name('\uFEFFMetadata-Version: 2.1\nName: bom\n')).toBe('bom');
    expect(new CoreMetadata('Version: 1\nbad line\n').defects).toHaveLength(1);
  });
});

describe('pythonLicenses', () => {
  const lic = (lines: string[]): unknown =>
    pythonLicenses(new CoreMetadata(['Name: x', 'Version: 1', ...lines].join('\n')));
  it('prefers License-Expression, then an SPDX License, then mapped classifiers', () => {
    expect(lic(['License-Expression: Apache-2.0 OR MIT', 'License: BSD'])).toEqual([
      { $case: 'expression', expression: 'Apache-2.0 OR MIT' },
    ]);
    expect(
      lic(['License: Apache-2.0', 'Classifier: License :: OSI Approved :: MIT License'])
    ).toEqual([{ $case: 'expression', expression: 'Apache-2.0' }]);
    expect(
      lic([
        'License: GPL',
        'Classifier: License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)',
      ])
    ).toEqual([{ $case: 'expression', expression: 'LGPL-3.0-or-later' }]);
    expect(lic(['Classifier: License :: OSI Approved :: BSD License'])).toEqual([
      { $case: 'name', name: 'BSD License' },
    ]);
    expect(lic(['License: UNKNOWN'])).toEqual([]);
    expect(lic(['License: Apache License, Version 2.0'])).toEqual([
      { $case: 'expression', expression: 'Apache-2.0' },
    ]);
    expect(lic(['License: Dual License'])).toEqual([{ $case: 'name', name: 'Dual License' }]);
  });
});

describe('requirements', () => {
  it('classifies PEP 508 requirements by marker', () => {
    expect(parseRequirement('charset_normalizer<4,>=2')).toEqual({
      name: 'charset_normalizer',
      kind: 'required',
    });
    expect(parseRequirement('PySocks!=1.5.7,>=1.5.6; extra == "socks"')?.kind).toBe('extra');
    expect(parseRequirement('typing (>=3.7.4) ; python_version < "3.5"')).toEqual({
      name: 'typing',
      kind: 'conditional',
    });
    expect(parseRequirement('zope.interface[docs]')?.name).toBe('zope.interface');
  });

  it('reads requires.txt sections', () => {
    expect(
      parseRequiresTxt('a\n[:sys_platform == "win32"]\nb\n[x]\nc\n[y:python_version<"3"]\nd\n')
    ).toEqual([
      { name: 'a', kind: 'required' },
      { name: 'b', kind: 'conditional' },
      { name: 'c', kind: 'extra' },
      { name: 'd', kind: 'extra' },
    ]);
  });
});

describe('RECORD', () => {
  it('parses quoted CSV rows, empty hashes and sizes', () => {
    expect(
      parseRecord('six.py,sha256=abc,10\n"we,ird ""x"".py",sha256=def,2\nx.dist-info/RECORD,,\n')
    ).toEqual([
      { path: 'six.py', hash: { algorithm: 'sha256', digest: 'abc' }, size: 10 },
      { path: 'we,ird "x".py', hash: { algorithm: 'sha256', digest: 'def' }, size: 2 },
      { path: 'x.dist-info/RECORD' },
    ]);
    // Python's csv (not strict): an unterminated quote runs to the end, text after a quote joins.
    expect(parseRecord('"unterminated,sha256=x,1')).toEqual([{ path: 'unterminated,sha256=x,1' }]);
    expect(parseRecord('"a"b,sha256=x,1\na"b,,\n')).toEqual([
      { path: 'ab', hash: { algorithm: 'sha256', digest: 'x' }, size: 1 },
      { path: 'a"b' },
    ]);
    // A quoted field spans lines (importlib.metadata splits with str.splitlines first).
    expect(parseRecord('"a\nb",sha256=x,1\fc,,')).toEqual([
      { path: 'ab', hash: { algorithm: 'sha256', digest: 'x' }, size: 1 },
      { path: 'c' },
    ]);
  });

  it('keeps RECORD paths inside the layer', () => {
    const site = 'python/lib/python3.11/site-packages';
    expect(recordPathInLayer(site, '../../../bin/x')).toBe('python/bin/x');
    expect(recordPathInLayer('python', '../../../bin/x')).toBeUndefined();
    expect(recordPathInLayer('python', '/usr/bin/x')).toBeUndefined();
    expect(recordPathInLayer('', 'a/b.py')).toBe('a/b.py');
  });
});
