/** zod building blocks shared by the template format and the command inputs. */
import { z } from 'zod';
import { parseIsoDuration } from './duration.js';

/** Stage, task, approval and deliverable keys: kebab-case, starting with a letter. */
export const KEY_PATTERN = /^[a-z][a-z0-9-]*$/;
/** Field keys: FEEL-friendly names. */
export const FIELD_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Role names. */
export const ROLE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Keys no object coming from outside may carry. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const keySchema = z.string().regex(KEY_PATTERN, { message: 'must be kebab-case: a lowercase letter, then lowercase letters, digits or "-"' }).max(100);
export const roleSchema = z.string().regex(ROLE_PATTERN, { message: 'must be a role name: a letter, then letters, digits, "_" or "-"' }).max(100);

const LANG_PATTERN = /^[a-z]{2}(?:-[A-Za-z]{2,4})?$/;
export const i18nTextSchema = z.union([
  z.string().min(1).max(2000),
  z.record(z.string().regex(LANG_PATTERN, { message: 'language keys are codes such as en, zh, zh-TW' }), z.string().min(1).max(2000))
    .refine((o) => Object.keys(o).length > 0, { message: 'give the text in at least one language, e.g. { en: ..., zh: ... }' }),
]);

export const durationSchema = z.union([
  z.string().refine((s) => parseIsoDuration(s) !== undefined, { message: 'must be an ISO 8601 duration such as P3D, PT4H or P1W (integers only)' }),
  z.strictObject({ businessDays: z.number().int().min(1).max(3650) }),
]);

export const feelSchema = z.string().min(1).max(2000);

/** The path of the first own key such as `__proto__` in plain input data, or undefined (depth-limited walk). */
export function findForbiddenKey(value: unknown, path: (string | number)[] = [], depth = 0): (string | number)[] | undefined {
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findForbiddenKey(value[i], [...path, i], depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return [...path, key];
    const hit = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key], depth + 1);
    if (hit) return hit;
  }
  return undefined;
}
