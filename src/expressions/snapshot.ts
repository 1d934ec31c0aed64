/**
 * Defence in depth before feelin sees a snapshot: plain data only (FINDINGS: a function or a
 * getter in the context runs with the expression's arguments; a cycle or a huge list escapes
 * evaluate() as an exception), copied so that what was checked is exactly what is evaluated.
 */
import { isFeelTemporal } from './temporal.js';
import { normalizeName, RESERVED_PREFIX } from './analyze.js';
import type { ExpressionLimits, ExpressionScope } from './types.js';

export class SnapshotRefused extends Error {
  constructor(readonly code: 'LIMIT_EXCEEDED' | 'EVALUATION_FAILED', message: string) {
    super(message);
    this.name = 'SnapshotRefused';
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Keys that parse as a plain FEEL name whatever the context (anything else may change how a path reads). */
const SIMPLE_KEY = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'for', 'return', 'if', 'then', 'else', 'some', 'every', 'satisfies', 'between', 'instance', 'of', 'true', 'false', 'null', 'function', 'external']);

export function isSimpleKey(key: string): boolean {
  return SIMPLE_KEY.test(key) && !KEYWORDS.has(key) && normalizeName(key) === key;
}

interface CopyState {
  items: number;
  maxListLength: number;
  /** Whether a copied context holds a key that may alter parsing (hyphens, spaces, keywords). */
  specialKey: boolean;
}

function where(path: string): string {
  return path === '' ? 'the snapshot' : `"${path}"`;
}

function copyValue(v: unknown, depth: number, path: string, st: CopyState, limits: Readonly<ExpressionLimits>): unknown {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at ${where(path)} is ${String(v)}, not a finite number`);
      return v;
    case 'object':
      break;
    default:
      throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at ${where(path)} is a ${typeof v}; only plain data may be evaluated`);
  }
  if (isFeelTemporal(v)) {
    for (const key of Object.getOwnPropertyNames(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d && (d.get || d.set)) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at ${where(path)} has a getter`);
    }
    return v;
  }
  if (depth >= limits.maxSnapshotDepth) {
    throw new SnapshotRefused('LIMIT_EXCEEDED', `snapshot nests deeper than ${limits.maxSnapshotDepth} levels at ${where(path)} (or holds a cycle)`);
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (Array.isArray(v)) {
    if (proto !== Array.prototype) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at ${where(path)} is not a plain list`);
    const n = v.length;
    st.items += n;
    if (st.items > limits.maxSnapshotItems) throw new SnapshotRefused('LIMIT_EXCEEDED', `snapshot holds more than ${limits.maxSnapshotItems} values`);
    if (n > st.maxListLength) st.maxListLength = n;
    const out: unknown[] = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const d = Object.getOwnPropertyDescriptor(v, i);
      if (d && (d.get || d.set)) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at ${where(`${path}[${i}]`)} is a getter; only plain data may be evaluated`);
      out[i] = copyValue(d?.value, depth + 1, `${path}[${i}]`, st, limits);
    }
    return out;
  }
  if (proto !== Object.prototype && proto !== null) {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at ${where(path)} is ${typeof name === 'string' && name ? `a ${name}` : 'an object with a prototype'}; only plain data and FEEL temporal values may be evaluated`);
  }
  const out: Record<string, unknown> = {};
  const keys = Reflect.ownKeys(v);
  st.items += keys.length;
  if (st.items > limits.maxSnapshotItems) throw new SnapshotRefused('LIMIT_EXCEEDED', `snapshot holds more than ${limits.maxSnapshotItems} values`);
  for (const key of keys) {
    if (typeof key !== 'string') throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at ${where(path)} has a symbol key`);
    const sub = path === '' ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key) || key.startsWith(RESERVED_PREFIX)) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot key ${where(sub)} is not allowed`);
    const d = Object.getOwnPropertyDescriptor(v, key);
    if (!d) continue;
    if (d.get || d.set) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at ${where(sub)} is a getter; only plain data may be evaluated`);
    if (!isSimpleKey(key)) st.specialKey = true;
    out[key] = copyValue(d.value, depth + 1, sub, st, limits);
  }
  return out;
}

export interface PreparedContext {
  /** The evaluation context: the scope's shape, values from the snapshot, null where absent. */
  context: Record<string, unknown>;
  /** The longest list in the snapshot, for the bound on nested loops. */
  maxListLength: number;
  /** True when data under an opaque (`true`) scope entry has keys that could change parsing. */
  mayReparse: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p: unknown = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Lays the copied snapshot over the scope: every scope name present (null when missing), nothing else. */
function project(scope: ExpressionScope, data: Record<string, unknown>, path: string, st: { mayReparse: boolean }, specialUnder: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(scope)) {
    const shape = scope[key];
    const has = Object.prototype.hasOwnProperty.call(data, key);
    const value = has ? data[key] : null;
    const sub = path === '' ? key : `${path}.${key}`;
    if (shape === true || shape === undefined) {
      out[key] = value;
      if (specialUnder.has(sub)) st.mayReparse = true;
      continue;
    }
    if (value === null || value === undefined) {
      out[key] = project(shape, {}, sub, st, specialUnder);
    } else if (isPlainObject(value)) {
      out[key] = project(shape, value, sub, st, specialUnder);
    } else {
      throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at "${sub}" should be a context with keys ${Object.keys(shape).slice(0, 10).join(', ')}`);
    }
  }
  return out;
}

/** Collects the dotted paths (under the scope) whose data hold keys that are not simple names. */
function specialPaths(scope: ExpressionScope, data: Record<string, unknown>, path: string, out: Set<string>): void {
  for (const key of Object.keys(scope)) {
    const shape = scope[key];
    const value = data[key];
    const sub = path === '' ? key : `${path}.${key}`;
    if (shape === true || shape === undefined) {
      if (typeof value === 'object' && value !== null && hasSpecialKey(value, 0)) out.add(sub);
    } else if (isPlainObject(value)) {
      specialPaths(shape, value, sub, out);
    }
  }
}

function hasSpecialKey(v: unknown, depth: number): boolean {
  if (depth > 64 || typeof v !== 'object' || v === null || isFeelTemporal(v)) return false;
  if (Array.isArray(v)) return v.some((x) => hasSpecialKey(x, depth + 1));
  for (const [k, x] of Object.entries(v)) {
    if (!isSimpleKey(k) || hasSpecialKey(x, depth + 1)) return true;
  }
  return false;
}

/**
 * Checks and copies the whole snapshot, then projects it onto the scope (the feelin evaluator's
 * path, where the interpreter may touch anything in the context). Throws SnapshotRefused.
 */
export function prepareContext(snapshot: unknown, scope: ExpressionScope, limits: Readonly<ExpressionLimits>): PreparedContext {
  if (!isPlainObject(snapshot)) {
    throw new SnapshotRefused('EVALUATION_FAILED', 'the snapshot is not a plain object');
  }
  const st: CopyState = { items: 0, maxListLength: 0, specialKey: false };
  const copy = copyValue(snapshot, 0, '', st, limits) as Record<string, unknown>;
  const special = new Set<string>();
  if (st.specialKey) specialPaths(scope, copy, '', special);
  const ps = { mayReparse: false };
  const context = project(scope, copy, '', ps, special);
  return { context, maxListLength: st.maxListLength, mayReparse: ps.mayReparse };
}

export interface PreparedRoots {
  /** The values of the keys read, in the order asked for: copied, and projected where the scope declares a shape. */
  roots: unknown[];
  /** The longest list among the values read, for the bound on nested loops. */
  maxListLength: number;
  /** True when data read under an opaque (`true`) scope entry has keys that could change parsing. */
  mayReparse: boolean;
}

/** One check of a top-level entry that is not read: no code, no class instances, nothing huge. */
function checkShallow(v: unknown, key: string, st: CopyState, limits: Readonly<ExpressionLimits>): void {
  if (v === null || v === undefined) return;
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return;
    case 'number':
      if (!Number.isFinite(v)) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at "${key}" is ${String(v)}, not a finite number`);
      return;
    case 'object':
      break;
    default:
      throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at "${key}" is a ${typeof v}; only plain data may be evaluated`);
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Array.prototype) {
    st.items += (v as unknown[]).length;
    if (st.items > limits.maxSnapshotItems) throw new SnapshotRefused('LIMIT_EXCEEDED', `snapshot holds more than ${limits.maxSnapshotItems} values`);
    return;
  }
  if (proto === Object.prototype || proto === null || isFeelTemporal(v)) return;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at "${key}" is ${typeof name === 'string' && name ? `a ${name}` : 'an object with a prototype'}; only plain data and FEEL temporal values may be evaluated`);
}

/** Snapshots whose top level passed the shallow check (it only guards entries the closures never touch). */
const shallowChecked = new WeakSet<object>();

function checkTopLevel(snapshot: Record<string, unknown>, read: ReadonlySet<string>, limits: Readonly<ExpressionLimits>): void {
  const st: CopyState = { items: 0, maxListLength: 0, specialKey: false };
  if (Object.getOwnPropertySymbols(snapshot).length > 0) throw new SnapshotRefused('EVALUATION_FAILED', 'the snapshot has a symbol key');
  const keys = Object.getOwnPropertyNames(snapshot);
  st.items += keys.length;
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key) || key.startsWith(RESERVED_PREFIX)) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot key "${key}" is not allowed`);
    const d = Object.getOwnPropertyDescriptor(snapshot, key);
    if (!d) continue;
    if (d.get || d.set) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at "${key}" is a getter; only plain data may be evaluated`);
    if (!read.has(key)) checkShallow(d.value, key, st, limits);
  }
  if (st.items > limits.maxSnapshotItems) throw new SnapshotRefused('LIMIT_EXCEEDED', `snapshot holds more than ${limits.maxSnapshotItems} values`);
}

/** The declared keys of a shape, read from the data (copied, checked), null where absent. */
function projectShape(shape: ExpressionScope, v: unknown, depth: number, path: string, st: CopyState, limits: Readonly<ExpressionLimits>, ps: { mayReparse: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (v !== null && v !== undefined && !isPlainObject(v)) {
    throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at "${path}" should be a context with keys ${Object.keys(shape).slice(0, 10).join(', ')}`);
  }
  if (depth >= limits.maxSnapshotDepth) throw new SnapshotRefused('LIMIT_EXCEEDED', `snapshot nests deeper than ${limits.maxSnapshotDepth} levels at "${path}"`);
  for (const key of Object.keys(shape)) {
    const sub = shape[key]!;
    const d = v === null || v === undefined ? undefined : Object.getOwnPropertyDescriptor(v, key);
    if (d && (d.get || d.set)) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at "${path}.${key}" is a getter; only plain data may be evaluated`);
    const value = d?.value;
    out[key] = readEntry(sub, value, depth + 1, `${path}.${key}`, st, limits, ps);
  }
  return out;
}

function readEntry(shape: ExpressionScope | true, value: unknown, depth: number, path: string, st: CopyState, limits: Readonly<ExpressionLimits>, ps: { mayReparse: boolean }): unknown {
  if (shape !== true) return projectShape(shape, value, depth, path, st, limits, ps);
  const before = st.specialKey;
  st.specialKey = false;
  const copy = copyValue(value, depth, path, st, limits);
  if (st.specialKey && typeof copy === 'object' && copy !== null && hasSpecialKey(copy, 0)) ps.mayReparse = true;
  st.specialKey ||= before;
  st.items++;
  return copy;
}

/** What an expression reads at the top level, prepared once per expression. */
export interface RootPlan {
  keys: readonly string[];
  keySet: ReadonlySet<string>;
  shapes: readonly (ExpressionScope | true)[];
}

export function rootPlan(keys: readonly string[], scope: ExpressionScope): RootPlan {
  return { keys, keySet: new Set(keys), shapes: keys.map((k) => scope[k] ?? true) };
}

/**
 * The compiled evaluator's path: only the top-level keys an expression reads are copied and
 * deeply checked (plain data, depth, size; only the declared keys where the scope gives a
 * shape); the other top-level entries, which the closures never touch, are checked shallowly
 * once per snapshot object. Throws SnapshotRefused.
 */
export function prepareRoots(snapshot: unknown, plan: RootPlan, limits: Readonly<ExpressionLimits>): PreparedRoots {
  if (!isPlainObject(snapshot)) {
    throw new SnapshotRefused('EVALUATION_FAILED', 'the snapshot is not a plain object');
  }
  if (!shallowChecked.has(snapshot)) {
    checkTopLevel(snapshot, plan.keySet, limits);
    shallowChecked.add(snapshot);
  }
  const st: CopyState = { items: 0, maxListLength: 0, specialKey: false };
  const ps = { mayReparse: false };
  const n = plan.keys.length;
  const roots = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const key = plan.keys[i]!;
    const d = Object.getOwnPropertyDescriptor(snapshot, key);
    if (d && (d.get || d.set)) throw new SnapshotRefused('EVALUATION_FAILED', `snapshot value at "${key}" is a getter; only plain data may be evaluated`);
    roots[i] = readEntry(plan.shapes[i]!, d?.value, 1, key, st, limits, ps);
  }
  if (st.items > limits.maxSnapshotItems) throw new SnapshotRefused('LIMIT_EXCEEDED', `snapshot holds more than ${limits.maxSnapshotItems} values`);
  return { roots, maxListLength: st.maxListLength, mayReparse: ps.mayReparse };
}
