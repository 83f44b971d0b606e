/** The policy schema (policies/policy.schema.json). */
export const SCHEMA: string;
/** Its generated validator (policies/policy.schema.validate.generated.cjs). */
export const VALIDATOR: string;
/** The ajv options the policy is validated with. */
export const AJV_OPTIONS: Readonly<Record<string, unknown>>;
/** The validator's CommonJS source for the schema as it is now. */
export function policyValidatorCode(): string;
