#!/usr/bin/env node
// Write policies/policy.schema.validate.generated.cjs from policies/policy.schema.json (run it
// after editing the schema; see scripts/lib/policy-validator.mjs).
import { writeFileSync } from 'node:fs';
import { policyValidatorCode, VALIDATOR } from './lib/policy-validator.mjs';

writeFileSync(VALIDATOR, policyValidatorCode());
console.log(`wrote ${VALIDATOR}`);
