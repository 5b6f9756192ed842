import { invalidParams } from './errors.js';

/** Parses a positive integer path parameter such as a video id, or throws 400 naming it. */
export function parseId(value: string | undefined, label: string, field = 'id') {
  if (!value || !/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw invalidParams(`Invalid ${label}: expected a positive integer, got ${JSON.stringify(value ?? '')}`, [field]);
  }
  return Number(value);
}
