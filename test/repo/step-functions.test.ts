import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MERGE_USAGE } from '../../src/cli/commands/merge.js';
import { SCAN_USAGE } from '../../src/cli/commands/scan.js';
import { REPO_ROOT } from '../e2e/helpers/cli.js';
import { taskRoleActions } from './task-role.js';

type Validate = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean }
) => { isValid: boolean; errors: { message?: string }[] };
const validate = createRequire(import.meta.url)('asl-validator') as Validate;

const DIR = join(REPO_ROOT, 'deploy', 'step-functions');
const aslText = readFileSync(join(DIR, 'statemachine.asl.json'), 'utf8');
const template = parse(readFileSync(join(DIR, 'template.yaml'), 'utf8')) as {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};
const entrypoint = readFileSync(join(DIR, 'entrypoint.sh'), 'utf8');
const placeholders = [...new Set([...aslText.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))].sort();

/** The definition as deployed: the template's substitutions filled in with example values. */
function deployed(): Record<string, unknown> {
  const text = aslText.replace(/\$\{(\w+)\}/g, (_, name: string) =>
    name === 'SubnetId'
      ? 'subnet-0123456789abcdef0'
      : `arn:aws:ecs:us-east-1:111111111111:x/${name}`
  );
  return JSON.parse(text) as Record<string, unknown>;
}

describe('the Step Functions state machine (deploy/step-functions)', () => {
  it('is valid Amazon States Language (asl-validator)', () => {
    const { isValid, errors } = validate(deployed());
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('is checked for real: a dangling transition is invalid', () => {
    const broken = deployed() as { States: Record<string, Record<string, unknown>> };
    broken.States['Plan']!['Next'] = 'NoSuchState';
    expect(validate(broken).isValid).toBe(false);
  });

  it('runs the shards in a Distributed Map, then the merge, with commands the entry point has', () => {
    const asl = deployed() as { StartAt: string; States: Record<string, Record<string, unknown>> };
    const map = asl.States['Shards']!;
    expect(map['Type']).toBe('Map');
    expect(map['Next']).toBe('Merge');
    expect(
      (map['ItemProcessor'] as { ProcessorConfig: { Mode: string } }).ProcessorConfig.Mode
    ).toBe('DISTRIBUTED');
    expect(aslText).toContain(`States.Array('scan-shard', $.shard, $.runId)`);
    expect(aslText).toContain(`States.Array('merge', $.runId)`);
    expect(aslText).toContain(`States.Format('{}/{}', $$.Map.Item.Value, $.shardCount)`);
    expect(entrypoint).toMatch(/^ {2}scan-shard\)$/m);
    expect(entrypoint).toMatch(/^ {2}merge\)$/m);
    // The flags the entry point passes exist in the CLI.
    expect(entrypoint).toContain('lamina scan $region_flags $(roles) --shard "$shard" --out');
    for (const flag of ['--shard I/N', '--stats', '--quiet', '--role-arn', '--region', '--out'])
      expect(SCAN_USAGE).toContain(flag);
    expect(entrypoint).toContain('lamina merge --out /tmp/merged');
    expect(MERGE_USAGE).toContain('lamina merge [--out DIR]');
  });

  it('is deployed by the SAM template with every placeholder substituted and a schedule', () => {
    const sm = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Serverless::StateMachine'
    )!;
    expect(existsSync(join(DIR, sm.Properties['DefinitionUri'] as string))).toBe(true);
    expect(Object.keys(sm.Properties['DefinitionSubstitutions'] as object).sort()).toEqual(
      placeholders
    );
    const events = sm.Properties['Events'] as Record<
      string,
      { Type: string; Properties: { Input: { 'Fn::Sub': string } } }
    >;
    const scheduled = Object.values(events).find((e) => e.Type === 'ScheduleV2')!;
    expect(JSON.parse(scheduled.Properties.Input['Fn::Sub'].replace('${ShardCount}', '8'))).toEqual(
      { shardCount: 8 }
    );
    // The task role may call what the scan calls, and nothing that writes to Lambda.
    const actions = taskRoleActions();
    expect(actions).toContain('lambda:ListCodeSigningConfigs');
    expect(actions).toContain('lambda:ListFunctionsByCodeSigningConfig');
    expect(actions.filter((a) => /^lambda:(Create|Update|Delete|Put|Publish)/.test(a))).toEqual([]);
  });
});
