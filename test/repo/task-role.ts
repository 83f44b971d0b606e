import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../e2e/helpers/cli.js';

/** The IAM actions the Step Functions deployment's task role allows (deploy/step-functions/template.yaml). */
export function taskRoleActions(): string[] {
  const template = parse(
    readFileSync(join(REPO_ROOT, 'deploy', 'step-functions', 'template.yaml'), 'utf8')
  ) as {
    Resources: Record<
      string,
      {
        Properties: {
          Policies?: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
        };
      }
    >;
  };
  return (template.Resources['TaskRole']?.Properties.Policies ?? [])
    .flatMap((p) => p.PolicyDocument.Statement)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}
