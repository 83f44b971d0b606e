/**
 * Test-only checks of a SARIF log: the OASIS SARIF 2.1.0 JSON schema (draft-04, copied under
 * testdata/schemas/sarif-2.1.0) with ajv, and GitHub code scanning's ingestion rules as
 * assertions. The rules come from GitHub's "SARIF support for code scanning" reference
 * (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning)
 * and the GitHub rule set of the SARIF validator in microsoft/sarif-sdk
 * (src/Sarif.Multitool.Library/Rules/GH*.cs, Base*.cs); each message starts with the rule it
 * breaks. Not built into the package.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const SCHEMA = new URL(
  '../../../testdata/schemas/sarif-2.1.0/sarif-schema-2.1.0.json',
  import.meta.url
);

// ajv-draft-04 is CommonJS (module.exports is the class): loaded with require. The SARIF
// schema is draft-04, which ajv 8 only reads through this class.
interface Ajv04 {
  compile(schema: object): ValidateFunction;
}
const Ajv = createRequire(import.meta.url)('ajv-draft-04') as new (opts: object) => Ajv04;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv04) => Ajv04;

let validate: ValidateFunction | undefined;

/** Errors of the SARIF 2.1.0 schema, empty when valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
  }
  if (validate(log)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`
  );
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';

/** GitHub's documented limits (sarif-limits) and the validator's display defaults (GH1004). */
const LIMITS = { runs: 20, rules: 25_000, results: 25_000, locations: 10, tags: 10 };

/**
 * Every GitHub ingestion rule the log breaks, as `RULE: where: what`; empty when GitHub code
 * scanning would accept and display every result.
 */
export function githubSarifViolations(log: unknown): string[] {
  const out: string[] = [];
  const fail = (rule: string, where: string, what: string): void =>
    void out.push(`${rule}: ${where}: ${what}`);
  const root = obj(log);

  // GH1011: $schema refers to the final 2.1.0 schema; GH1013: version 2.1.0, runs present.
  const schema = text(root['$schema']);
  if (!/2\.1\.0(\.json)?$/.test(schema))
    fail('GH1011', '/$schema', `not the 2.1.0 schema: ${schema}`);
  if (root['version'] !== '2.1.0') fail('GH1013', '/version', 'must be 2.1.0');
  const runs = arr(root['runs']);
  if (!Array.isArray(root['runs'])) fail('GH1013', '/runs', 'absent');
  if (runs.length > LIMITS.runs)
    fail('GH1013', '/runs', `${runs.length} runs, limit ${LIMITS.runs}`);

  runs.forEach((r, ri) => {
    const run = obj(r);
    const at = `/runs/${ri}`;
    // GH1014 / GH1018: tool.driver with a name and rules; results present.
    const driver = obj(obj(run['tool'])['driver']);
    if (!run['tool']) fail('GH1014', at, 'no tool');
    if (!obj(run['tool'])['driver']) fail('GH1018', `${at}/tool`, 'no driver');
    if (!nonEmpty(driver['name'])) fail('GH1018', `${at}/tool/driver`, 'no name');
    if (!Array.isArray(driver['rules'])) fail('GH1018', `${at}/tool/driver`, 'no rules array');
    if (!Array.isArray(run['results'])) fail('GH1014', at, 'no results array');
    // Docs: informationUri, when given, is a URL a user can open.
    if (
      driver['informationUri'] !== undefined &&
      !/^https:\/\/\S+$/.test(text(driver['informationUri']))
    )
      fail('docs', `${at}/tool/driver/informationUri`, 'not an https URL');
    // Docs (runAutomationDetails): the category is everything before the last slash.
    const id = obj(run['automationDetails'])['id'];
    if (id !== undefined && !nonEmpty(id)) fail('docs', `${at}/automationDetails/id`, 'empty');

    const rules = arr(driver['rules']).map(obj);
    if (rules.length > LIMITS.rules) fail('docs', `${at}/tool/driver/rules`, 'too many rules');
    const ruleIds = rules.map((x) => text(x['id']));
    rules.forEach((rule, i) => {
      const where = `${at}/tool/driver/rules/${i}`;
      // Base2012 / GH2012: id, short and full descriptions, help text.
      if (!nonEmpty(rule['id'])) fail('Base2012', where, 'no id');
      if (!nonEmpty(obj(rule['shortDescription'])['text']))
        fail('GH2012', where, 'no shortDescription');
      if (!nonEmpty(obj(rule['fullDescription'])['text']))
        fail('GH2012', where, 'no fullDescription');
      if (!rule['help']) fail('GH2012', where, 'no help');
      else if (!nonEmpty(obj(rule['help'])['text'])) fail('GH2012', `${where}/help`, 'no text');
      // Docs: lengths, tags, severity and precision values.
      if (text(rule['name']).length > 255) fail('docs', where, 'name over 255 characters');
      for (const d of ['shortDescription', 'fullDescription'])
        if (text(obj(rule[d])['text']).length > 1024)
          fail('docs', where, `${d} over 1024 characters`);
      const level = obj(rule['defaultConfiguration'])['level'];
      if (level !== undefined && !['note', 'warning', 'error'].includes(text(level)))
        fail('docs', where, `defaultConfiguration.level ${text(level)}`);
      const props = obj(rule['properties']);
      const tags = arr(props['tags']);
      if (tags.length > LIMITS.tags)
        fail('docs', where, `${tags.length} tags; only ${LIMITS.tags} are shown`);
      if (tags.some((t) => !nonEmpty(t))) fail('docs', where, 'empty tag');
      const sev = props['security-severity'];
      if (sev !== undefined) {
        const n = Number(text(sev));
        if (typeof sev !== 'string' || !(n > 0 && n <= 10))
          fail(
            'docs',
            where,
            `security-severity ${JSON.stringify(sev)} is not a string in (0, 10]`
          );
        if (!tags.includes('security'))
          fail('docs', where, 'security-severity without the security tag');
      }
      const precision = props['precision'];
      if (
        precision !== undefined &&
        !['very-high', 'high', 'medium', 'low'].includes(text(precision))
      )
        fail('docs', where, `precision ${text(precision)}`);
      const problem = props['problem.severity'];
      if (problem !== undefined && !['error', 'warning', 'recommendation'].includes(text(problem)))
        fail('docs', where, `problem.severity ${text(problem)}`);
    });

    const workDirs = arr(run['invocations'])
      .map((x) => text(obj(obj(x)['workingDirectory'])['uri']))
      .filter((u) => u !== '');
    const results = arr(run['results']).map(obj);
    if (results.length > LIMITS.results)
      fail('docs', `${at}/results`, `${results.length} results, limit ${LIMITS.results}`);
    const identities = new Set<string>();
    results.forEach((result, i) => {
      const where = `${at}/results/${i}`;
      // GH1015 / GH1007: a message with text (no id-only messages).
      if (!nonEmpty(obj(result['message'])['text'])) fail('GH1007', where, 'no message.text');
      // Docs: the rule the result names exists; ruleIndex agrees.
      const ruleId = text(result['ruleId']);
      if (!ruleIds.includes(ruleId)) fail('docs', where, `ruleId ${ruleId} is not a rule`);
      const ruleIndex = result['ruleIndex'];
      if (ruleIndex !== undefined && ruleIds[Number(ruleIndex)] !== ruleId)
        fail('docs', where, `ruleIndex ${JSON.stringify(ruleIndex)} does not name ${ruleId}`);
      const level = result['level'];
      if (level !== undefined && !['none', 'note', 'warning', 'error'].includes(text(level)))
        fail('docs', where, `level ${text(level)}`);
      // GH1001 / GH1015: at least one location; GH1004: at most the displayed number.
      const locations = arr(result['locations']).map(obj);
      if (!Array.isArray(result['locations'])) fail('GH1001', where, 'no locations');
      else if (locations.length === 0) fail('GH1001', where, 'empty locations');
      if (locations.length > LIMITS.locations)
        fail('GH1004', where, `${locations.length} locations`);
      const checkLocation = (loc: Json, lw: string, primary: boolean): void => {
        // GH1016: a physical location; GH1001 / GH1017: with an artifact URI and a region.
        const phys = obj(loc['physicalLocation']);
        if (!loc['physicalLocation']) return fail('GH1016', lw, 'no physicalLocation');
        const uri = obj(phys['artifactLocation'])['uri'];
        if (!nonEmpty(uri)) fail('GH1001', `${lw}/physicalLocation`, 'no artifactLocation.uri');
        const region = obj(phys['region']);
        if (!phys['region']) fail('GH1017', `${lw}/physicalLocation`, 'no region');
        else {
          const start = region['startLine'];
          const binary =
            typeof region['byteOffset'] === 'number' || typeof region['charOffset'] === 'number';
          // GH1003: a primary location's region gives its start line.
          if (primary && !(typeof start === 'number' && start >= 1))
            fail('GH1003', `${lw}/physicalLocation/region`, 'no startLine ≥ 1');
          if (!primary && !(typeof start === 'number' && start >= 1) && !binary)
            fail('Base1017', `${lw}/physicalLocation/region`, 'no start');
          const end = region['endLine'];
          if (typeof end === 'number' && typeof start === 'number' && end < start)
            fail('Base1017', `${lw}/physicalLocation/region`, 'endLine before startLine');
        }
        // GH1005: a relative reference or a file URI; GH1006: absolute file URIs under a
        // known checkout path.
        const u = text(uri);
        const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(u)?.[1];
        if (scheme !== undefined && scheme.toLowerCase() !== 'file')
          fail('GH1005', `${lw}/physicalLocation/artifactLocation/uri`, `not a file path: ${u}`);
        if (
          scheme?.toLowerCase() === 'file' &&
          !workDirs.some((w) => u.startsWith(w.endsWith('/') ? w : `${w}/`))
        )
          fail(
            'GH1006',
            `${lw}/physicalLocation/artifactLocation/uri`,
            'absolute URI without a checkout path'
          );
      };
      locations.forEach((l, j) => checkLocation(l, `${where}/locations/${j}`, true));
      arr(result['relatedLocations'])
        .map(obj)
        .forEach((l, j) => checkLocation(l, `${where}/relatedLocations/${j}`, false));
      // GH1002: thread flow locations are inline.
      for (const cf of arr(result['codeFlows']))
        for (const tf of arr(obj(cf)['threadFlows']))
          for (const tfl of arr(obj(tf)['locations']))
            if (obj(tfl)['index'] !== undefined) fail('GH1002', where, 'threadFlowLocation.index');
      // Docs: partialFingerprints (GitHub uses primaryLocationLineHash only); results that
      // share rule, file and fingerprint become one alert.
      const fp = obj(result['partialFingerprints'])['primaryLocationLineHash'];
      if (!nonEmpty(fp)) fail('docs', where, 'no partialFingerprints.primaryLocationLineHash');
      const primaryUri = text(
        obj(obj(locations[0]?.['physicalLocation'])['artifactLocation'])['uri']
      );
      const identity = `${ruleId}\0${primaryUri}\0${text(fp)}`;
      if (identities.has(identity))
        fail('docs', where, 'same rule, file and fingerprint as an earlier result: one alert');
      identities.add(identity);
    });
  });
  return out;
}
