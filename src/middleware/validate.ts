import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { invalidParams, missingFields } from '../lib/errors.js';

function isBlank(value: unknown) {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * zValidator whose failures become the spec's envelope: MISSING_REQUIRED_FIELDS when a required field
 * is absent or blank, otherwise INVALID_PARAMS, with the offending fields in `details.fields`.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result) => {
    if (result.success) return;

    const input = (result.data ?? {}) as Record<string, unknown>;
    const issues = result.error.issues;
    const fields = [...new Set(issues.map((issue) => String(issue.path[0] ?? target)))];
    const messages = issues.map((issue) => issue.message);
    const message = [...new Set(messages)].join('; ');
    const allBlank = issues.every((issue) => issue.path.length > 0 && isBlank(input[String(issue.path[0])]));

    if (allBlank) throw missingFields(message, fields);
    throw invalidParams(message, fields);
  });
}
