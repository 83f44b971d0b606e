/**
 * A scan's function record that does not keep its name apart from its ARN. A scan holds every
 * function to its end, and the name is a string of its own beside the ARN that contains it
 * (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:VERSION]`): 2.3 MiB at the 100,000-function
 * benchmark's short names, more for real ones.
 */
import type { ScanFunction } from './result.js';

/** The NAME of `…:function:NAME[:QUALIFIER]`; undefined when `arn` has no `:function:`. */
function nameInArn(arn: string): string | undefined {
  const at = arn.indexOf(':function:');
  if (at < 0) return undefined;
  const start = at + ':function:'.length;
  const end = arn.indexOf(':', start);
  return end < 0 ? arn.slice(start) : arn.slice(start, end);
}

/**
 * Shared by every record whose name is its ARN's, so that all keep one hidden class with their
 * fields in the object (an accessor made per object would give each a dictionary of its own).
 */
const NAME_FROM_ARN: PropertyDescriptor = {
  enumerable: true,
  get(this: ScanFunction): string {
    return nameInArn(this.arn)!;
  },
};

class ResultFunction implements ScanFunction {
  declare account: string;
  declare region: string;
  declare name: string;
  declare arn: string;
  declare version: string;
  declare runtime: string | null;
  declare handler?: string | null;
  declare architectures: string[];
  declare packageType: string;
  declare codeSigningConfig: ScanFunction['codeSigningConfig'];
  declare layers: ScanFunction['layers'];
  declare image?: ScanFunction['image'];
  declare environment?: ScanFunction['environment'];

  constructor(f: ScanFunction) {
    // Member by member, in the order JSON writes them; optional ones only when present.
    this.account = f.account;
    this.region = f.region;
    if (nameInArn(f.arn) === f.name) Object.defineProperty(this, 'name', NAME_FROM_ARN);
    else this.name = f.name;
    this.arn = f.arn;
    this.version = f.version;
    this.runtime = f.runtime;
    if ('handler' in f) this.handler = f.handler;
    this.architectures = f.architectures;
    this.packageType = f.packageType;
    this.codeSigningConfig = f.codeSigningConfig;
    this.layers = f.layers;
    if ('image' in f) this.image = f.image;
    if ('environment' in f) this.environment = f.environment;
  }
}

/**
 * `f` as a record to keep: the same members in the same order, read, written to JSON and spread
 * alike, with its name read from its ARN when the ARN holds that very name.
 */
export function resultFunction(f: ScanFunction): ScanFunction {
  return new ResultFunction(f);
}
