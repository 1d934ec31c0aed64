/**
 * Static analysis of a FEEL expression's lezer tree (feelin's `parseExpression`): the subset
 * winpath accepts, the names it reads, and the rewrites that make time come from the engine.
 */
import { parseExpression } from 'feelin';
import { didYouMean, WinpathError, type ErrorCode } from '../errors/index.js';
import type { ExpressionLimits, ExpressionScope } from './types.js';

export type Tree = ReturnType<typeof parseExpression>;
export type SyntaxNode = Tree['topNode'];

/** Snapshot names evaluate() fills from the engine clock; user text can never name them (see RESERVED_PREFIX). */
export const RESERVED_PREFIX = '__winpath';
export const NOW_VARIABLE = '__winpath_now';
export const TODAY_VARIABLE = '__winpath_today';

/** Built-in functions an expression may call (feelin 8.2.0 names). */
export const ALLOWED_FUNCTIONS: readonly string[] = Object.freeze([
  // boolean and list
  'not', 'count', 'sum', 'min', 'max', 'mean', 'all', 'any', 'list contains', 'append', 'concatenate',
  'distinct values', 'flatten',
  // numbers
  'abs', 'floor', 'ceiling', 'decimal', 'round up', 'round down', 'round half up', 'round half down', 'modulo',
  'odd', 'even',
  // strings
  'string length', 'substring', 'substring before', 'substring after', 'upper case', 'lower case', 'contains',
  'starts with', 'ends with', 'string join',
  // conversion and time
  'number', 'string', 'date', 'time', 'date and time', 'duration', 'years and months duration', 'day of week',
  'day of year', 'month of year', 'week of year', 'now', 'today',
]);
const ALLOWED = new Set(ALLOWED_FUNCTIONS);

/** Built-ins refused because they take a regular expression: a bad pattern hangs the engine. */
export const REGEX_FUNCTIONS: readonly string[] = Object.freeze(['matches', 'replace', 'split']);
const REGEX = new Set(REGEX_FUNCTIONS);

/** Every other feelin built-in: named so that a bare use gets a helpful message. */
const OTHER_BUILTINS = new Set([
  'sort', 'sqrt', 'get value', 'get entries', 'context', 'context merge', 'context put', 'sublist', 'insert before',
  'remove', 'reverse', 'index of', 'union', 'product', 'median', 'stddev', 'mode', 'log', 'exp', 'is', 'before',
  'after', 'meets', 'met by', 'overlaps', 'overlaps before', 'overlaps after', 'finishes', 'finished by', 'includes',
  'during', 'starts', 'started by', 'coincides', 'list replace', '@',
]);
const WHY_REFUSED: Record<string, string> = {
  sort: 'it takes a function argument, and function values are outside the subset',
  'get value': 'it reads context entries by computed name',
  'get entries': 'it reads context entries by computed name',
};

/** Type names `instance of` may test against (feelin's own checks; any other name resolves a JS constructor). */
const TYPE_NAMES = new Set([
  'Any', 'Null', 'number', 'string', 'boolean', 'date', 'time', 'date and time', 'duration',
  'days and time duration', 'years and months duration', 'context', 'list', 'range', 'function',
]);

/** Operators that an unparenthesised `in` swallows (`x in [1..5] and y` is `x in ([1..5] and y)` in feelin). */
const SWALLOWED_BY_IN = new Set(['Conjunction', 'Disjunction', 'Comparison', 'IfExpression', 'ForExpression', 'QuantifiedExpression', 'InstanceOfExpression']);

/** Names that reach JavaScript internals; refused anywhere, whatever the scope says. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Nodes that need no checking of their own (punctuation, keywords, comments, plain wrappers). */
const PLAIN_NODES = new Set([
  'Expression', 'Identifier', '.', 'ArithOp', 'in', '..', 'return', 'IfExpression', 'if', 'then', 'else', 'some',
  'every', 'satisfies', 'Disjunction', 'or', 'Conjunction', 'and', 'CompareOp', 'between', '(', ')',
  'ArithmeticExpression', 'instance', 'of', 'days', 'time', 'duration', 'years', 'months', 'date', '>', '<', 'list',
  'context', ']', '[', 'null', 'NumericLiteral', 'BooleanLiteral', 'DateTimeConstructor', 'AtLiteral',
  'ParenthesizedExpression', '}', '{', 'LineComment', 'BlockComment', 'PositionalParameters', 'NamedParameters',
  'PositiveUnaryTests', 'Comparison', 'for',
]);

/** One place in the expression an iteration can reach, for the run-time bound on nested loops. */
export interface IterationCost {
  /** Product of the sizes of literal domains (ranges, list literals) on the way. */
  literal: number;
  /** Count of domains whose size comes from the snapshot (a list field, a filter target). */
  fromData: number;
}

export interface Analysis {
  /** feelin's parse tree of the body (parsed once, compiled by compile-tree.ts). */
  tree: Tree;
  /** Top-level names read, spelled as in the scope, in order of first use. */
  freeVariables: string[];
  /** Every scope path read (`['deliverables', 'visit-record']`), spelled as in the scope. */
  paths: string[][];
  /** The text feelin evaluates: `now()`/`today()` replaced by reserved variables. */
  evalSource: string;
  usesNowCall: boolean;
  usesTodayCall: boolean;
  iterationCosts: IterationCost[];
}

/** FEEL's context-key normalisation (lezer-feel `normalizeContextKey`): `visit - record` equals `visit-record`. */
export function normalizeName(name: string): string {
  return name.replace(/\s*([./\-'+]|\*\*?)\s*/g, ' $1 ').replace(/\s{2,}/g, ' ').trim();
}

const lookupCache = new WeakMap<object, Map<string, string>>();

/** The scope key a normalised name stands for, if any. */
export function lookup(scope: ExpressionScope, name: string): string | undefined {
  let m = lookupCache.get(scope);
  if (!m) {
    m = new Map();
    for (const key of Object.keys(scope)) if (!m.has(normalizeName(key))) m.set(normalizeName(key), key);
    lookupCache.set(scope, m);
  }
  return m.get(normalizeName(name));
}

function listNames(names: Iterable<string>, max = 30): string {
  const all = [...names].sort();
  if (all.length === 0) return '(none)';
  return all.length > max ? `${all.slice(0, max).join(', ')}, … (${all.length - max} more)` : all.join(', ');
}

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Children that carry meaning (no comments). */
function parts(node: SyntaxNode): SyntaxNode[] {
  return kids(node).filter((c) => !c.type.isSkipped);
}

/** Parse context built from the scope: the same shape the snapshot will have, values ignored. */
export function parseContextOf(scope: ExpressionScope, extra: readonly string[] = []): Record<string, unknown> {
  const ctx: Record<string, unknown> = { ...scope };
  for (const name of extra) if (!Object.prototype.hasOwnProperty.call(ctx, name)) ctx[name] = true;
  return ctx;
}

/** feelin's reading of a numeric literal (`parseInt` without a dot, so `- 5` is NaN and `1e3` is 1). */
export function numericLiteralValue(raw: string): number {
  return raw.includes('.') ? parseFloat(raw) : parseInt(raw);
}

/** A literal integer as feelin reads it: `5`, `-5`; else undefined. */
function integerLiteral(node: SyntaxNode | undefined, text: (n: SyntaxNode) => string): number | undefined {
  if (!node || node.name !== 'NumericLiteral') return undefined;
  const n = numericLiteralValue(text(node));
  return Number.isInteger(n) ? n : undefined;
}

/**
 * Checks one expression body. `body` is the text after `=` and whitespace; `base` is its offset in
 * the original string, so that errors point into what the author wrote.
 */
export function analyze(body: string, base: number, original: string, scope: ExpressionScope, limits: Readonly<ExpressionLimits>): Analysis {
  const text = (n: SyntaxNode): string => body.slice(n.from, n.to);
  const fail = (code: ErrorCode, what: string, at: { from: number; to: number }, fix?: string): never => {
    const offset = base + at.from;
    const length = Math.max(0, at.to - at.from);
    const details: Record<string, unknown> = { offset, length, expression: original };
    if (fix !== undefined) details['fix'] = fix;
    throw new WinpathError(code, `${what} at offset ${offset} in "${clip(original, 80)}"`, details);
  };

  const tree = parseExpression(body, parseContextOf(scope, ['now']), undefined);

  // Pass 1 (iterative, so that a deep tree cannot overflow our stack): syntax errors and depth.
  let firstError: SyntaxNode | undefined;
  let depth = 0;
  let deepest: { from: number; to: number } | undefined;
  tree.iterate({
    enter(ref) {
      depth++;
      if (ref.type.isError && (!firstError || ref.from < firstError.from)) firstError = ref.node;
      if (depth > limits.maxDepth && !deepest) deepest = { from: ref.from, to: ref.to };
    },
    leave() {
      depth--;
    },
  });
  if (firstError) {
    const at = firstError.from;
    const near = body.slice(at, at + 20);
    fail(
      'EXPRESSION_INVALID',
      near.trim() === ''
        ? `expression does not parse near "${body.slice(Math.max(0, at - 20), at)}" (it ends too early)`
        : `expression does not parse near "${near}"`,
      { from: at, to: Math.max(at + 1, firstError.to) },
      'check brackets, quotes and operators; the FEEL subset is described in docs/expressions.md',
    );
  }
  if (deepest) {
    fail('LIMIT_EXCEEDED', `expression nests deeper than ${limits.maxDepth} levels`, deepest, 'split it into simpler checks, or write long sums as sum([a, b, c])');
  }

  const free = new Map<string, string>(); // scope key -> scope key, insertion order
  const pathKeys = new Set<string>();
  const paths: string[][] = [];
  const rewrites: { from: number; to: number; text: string }[] = [];
  const iterationCosts: IterationCost[] = [];
  let usesNowCall = false;
  let usesTodayCall = false;

  const recordPath = (path: string[]): void => {
    const k = JSON.stringify(path);
    if (!pathKeys.has(k)) {
      pathKeys.add(k);
      paths.push(path);
    }
  };

  /** The name as the author likely meant it: `first-meting` where the parser, not knowing it, read `first - meting`. */
  const writtenName = (node: SyntaxNode): string => {
    const tail = /^(?:-[\p{L}\p{N}_]+)+/u.exec(body.slice(node.to))?.[0] ?? '';
    return text(node).trim() + tail;
  };

  const knownNames = (bound: ReadonlySet<string>): string => listNames(new Set([...Object.keys(scope), ...bound]));

  const checkNewName = (name: string, node: SyntaxNode): void => {
    if (FORBIDDEN_NAMES.has(name) || name.startsWith(RESERVED_PREFIX)) {
      fail('EXPRESSION_INVALID', `the name "${name}" is reserved`, node, 'choose another name');
    }
  };

  interface Env {
    bound: ReadonlySet<string>; // normalised names bound by for/some/every/filter/context literals
    level: number; // iteration nesting
    cost: IterationCost;
  }

  const bind = (env: Env, names: string[]): Env => {
    const b = new Set(env.bound);
    for (const n of names) b.add(n);
    return { ...env, bound: b };
  };

  /** Enters one more iteration level over a domain of the given literal size (undefined: from data). */
  const iterate = (env: Env, node: SyntaxNode, literalSize: number | undefined): Env => {
    const level = env.level + 1;
    if (level > limits.maxIterationNesting) {
      fail('LIMIT_EXCEEDED', `iteration nested more than ${limits.maxIterationNesting} deep (for, some, every and filters count)`, node, 'flatten the expression, or compute the value outside the template');
    }
    const cost: IterationCost = literalSize === undefined
      ? { literal: env.cost.literal, fromData: env.cost.fromData + 1 }
      : { literal: env.cost.literal * Math.max(1, literalSize), fromData: env.cost.fromData };
    iterationCosts.push(cost);
    return { ...env, level, cost };
  };

  /** A literal range's size, or a refusal when its bounds are not small integer literals. */
  const literalRange = (lo: SyntaxNode | undefined, hi: SyntaxNode | undefined, whole: SyntaxNode): number => {
    const a = integerLiteral(lo, text);
    const b = integerLiteral(hi, text);
    if (a === undefined || b === undefined) {
      fail('EXPRESSION_INVALID', `a range used as an iteration domain ("${clip(text(whole), 40)}") must have integer literal bounds`, whole, `iterate over a list, or write literal bounds at most ${limits.maxRangeSpan} apart`);
    }
    const span = Math.abs(b! - a!) + 1;
    if (span > limits.maxRangeSpan) {
      fail('LIMIT_EXCEEDED', `range "${clip(text(whole), 40)}" spans ${span} values, over the limit of ${limits.maxRangeSpan}`, whole, `keep iteration ranges to at most ${limits.maxRangeSpan} values`);
    }
    return span;
  };

  /** The size of an iteration domain when it is literal, else undefined; refuses unbounded ranges. */
  const domainSize = (ctx: SyntaxNode): number | undefined => {
    const p = parts(ctx);
    if (p.some((c) => c.name === '..')) return literalRange(p[0], p[2], ctx);
    const only = p[0];
    if (only?.name === 'SimplePositiveUnaryTest') {
      const interval = parts(only).find((c) => c.name === 'Interval');
      if (interval) {
        const ip = parts(interval).filter((c) => !['[', ']', '(', ')', '..'].includes(c.name));
        return literalRange(ip[0], ip[1], interval);
      }
    }
    if (only?.name === 'List') return parts(only).filter((c) => c.name !== '[' && c.name !== ']').length;
    return undefined;
  };

  /** Resolves a path target: the scope level it reaches (true: unknown shape, null: not from the scope). */
  const resolveTarget = (node: SyntaxNode, env: Env): { scope: ExpressionScope | true | null; path: string[] | null } => {
    if (node.name === 'VariableName') {
      const key = readVariable(node, env);
      if (key === null) return { scope: null, path: null };
      const s = scope[key];
      return { scope: s ?? true, path: [key] };
    }
    if (node.name === 'PathExpression') return walkPath(node, env);
    walk(node, env);
    return { scope: null, path: null };
  };

  const walkPath = (node: SyntaxNode, env: Env): { scope: ExpressionScope | true | null; path: string[] | null } => {
    const p = parts(node);
    const target = p[0];
    const member = p[p.length - 1];
    if (!target || !member || member.name !== 'PathName') return fail('EXPRESSION_INVALID', 'malformed path', node);
    const res = resolveTarget(target, env);
    const raw = normalizeName(text(member));
    if (FORBIDDEN_NAMES.has(raw) || FORBIDDEN_NAMES.has(text(member).trim())) {
      fail('EXPRESSION_INVALID', `member "${text(member)}" is not readable`, member, 'read only the data in the deal snapshot');
    }
    if (res.scope !== null && res.scope !== true) {
      const key = lookup(res.scope, raw);
      if (key === undefined) {
        const owner = res.path?.join('.') ?? 'value';
        const written = writtenName(member);
        const hint = didYouMean(written, Object.keys(res.scope));
        fail(
          'EXPRESSION_INVALID',
          `unknown member "${written}" of "${owner}"${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${listNames(Object.keys(res.scope))}`,
          member,
          hint ? `write ${owner}.${hint}` : `use one of the keys declared in the template for ${owner}`,
        );
      }
      const path = [...(res.path ?? []), key!];
      recordPath(path);
      return { scope: res.scope[key!] ?? true, path };
    }
    if (res.scope === true && res.path) {
      const path = [...res.path, text(member).trim()];
      return { scope: true, path };
    }
    return { scope: null, path: null };
  };

  /** A variable read: returns its scope key, or null when it is a bound name. */
  const readVariable = (node: SyntaxNode, env: Env): string | null => {
    const name = normalizeName(text(node));
    if (env.bound.has(name)) return null;
    if (FORBIDDEN_NAMES.has(name) || name.startsWith(RESERVED_PREFIX)) {
      fail('EXPRESSION_INVALID', `the name "${name}" is reserved and cannot be read`, node, 'read only the names of the deal snapshot');
    }
    const key = lookup(scope, name) ?? (name === 'now' ? 'now' : undefined);
    if (key === undefined) {
      if (name === 'partial') {
        fail('EXPRESSION_INVALID', 'unknown variable "partial" (the running results of a for expression are outside the subset)', node, 'compute the value without `partial`');
      }
      if (name === 'today' || ALLOWED.has(name) || REGEX.has(name) || OTHER_BUILTINS.has(name)) {
        fail('EXPRESSION_INVALID', `"${name}" is a function, not a variable`, node, ALLOWED.has(name) ? `call it: ${name}(...)` : 'function values are outside the subset');
      }
      const written = writtenName(node);
      const hint = didYouMean(written, [...Object.keys(scope), ...env.bound]);
      fail(
        'EXPRESSION_INVALID',
        `unknown variable "${written}"${hint ? ` (did you mean "${hint}"?)` : ''}; known names: ${knownNames(env.bound)}`,
        node,
        hint ? `write ${hint}` : 'declare it as a field in the template, or use one of the known names',
      );
    }
    if (!free.has(key!)) free.set(key!, key!);
    recordPath([key!]);
    return key!;
  };

  const functionName = (target: SyntaxNode): string | undefined => {
    if (target.name === 'VariableName') return normalizeName(text(target));
    if (target.name === 'SpecialFunctionName') return text(target).replace(/\s+/g, ' ').trim();
    return undefined;
  };

  const walkCall = (node: SyntaxNode, env: Env): void => {
    const p = parts(node);
    const target = p[0];
    if (!target) return fail('EXPRESSION_INVALID', 'malformed function call', node);
    const name = functionName(target);
    if (name === undefined) {
      walk(target, env); // a function definition or a forbidden member is named for what it is
      fail('EXPRESSION_INVALID', `only built-in functions may be called ("${clip(text(target), 30)}" is not one)`, target, `call one of: ${listNames(ALLOWED)}`);
    }
    const fname = name!;
    const isTime = fname === 'now' || fname === 'today';
    if (env.bound.has(fname) || (!isTime && lookup(scope, fname) !== undefined)) {
      const known = ALLOWED.has(fname) || REGEX.has(fname) || OTHER_BUILTINS.has(fname);
      fail(
        'EXPRESSION_INVALID',
        known ? `"${fname}" is both a variable and a built-in function here; the variable would hide the function` : `"${fname}" is a variable, not a function`,
        target,
        known ? `rename the variable "${fname}"` : `read it without parentheses: ${fname}`,
      );
    }
    if (REGEX.has(fname)) {
      fail('EXPRESSION_INVALID', `function "${fname}" is not allowed: it takes a regular expression, and a bad pattern hangs the engine`, target, 'use contains, starts with, ends with, substring before/after or string length instead');
    }
    if (!ALLOWED.has(fname)) {
      const why = WHY_REFUSED[fname] ?? (OTHER_BUILTINS.has(fname) ? 'it is outside the supported subset' : 'it is not a built-in function');
      const hint = OTHER_BUILTINS.has(fname) ? undefined : didYouMean(fname, ALLOWED);
      fail(
        'EXPRESSION_INVALID',
        `function "${fname}" is not allowed (${why})${hint ? `; did you mean "${hint}"?` : ''}`,
        target,
        `allowed functions: ${listNames(ALLOWED, 100)}`,
      );
    }
    const args = p.slice(1).filter((c) => c.name !== '(' && c.name !== ')');
    if (isTime) {
      const hasArgs = args.some((a) => parts(a).length > 0);
      if (hasArgs) fail('EXPRESSION_INVALID', `${fname}() takes no arguments`, node, `write ${fname}()`);
      if (fname === 'now') usesNowCall = true;
      else usesTodayCall = true;
      rewrites.push({ from: node.from, to: node.to, text: `(${fname === 'now' ? NOW_VARIABLE : TODAY_VARIABLE})` });
      return;
    }
    for (const a of args) walk(a, env);
  };

  const checkType = (node: SyntaxNode): void => {
    // Type > QualifiedName | SpecialType | ListType | ContextType | FunctionType
    for (const c of parts(node)) {
      switch (c.name) {
        case 'QualifiedName': {
          const n = text(c).replace(/\s+/g, ' ').trim();
          if (!TYPE_NAMES.has(n)) fail('EXPRESSION_INVALID', `unknown type "${n}" after "instance of"`, c, `use one of: ${listNames(TYPE_NAMES)}`);
          break;
        }
        case 'SpecialType':
          break;
        case 'ListType':
        case 'ContextType':
        case 'ContextEntryTypes':
        case 'ContextEntryType':
        case 'Type':
          checkType(c);
          break;
        case 'list': case 'context': case '<': case '>': case 'Name':
          break;
        default:
          fail('EXPRESSION_INVALID', `type "${clip(text(c), 30)}" is outside the supported subset`, c);
      }
    }
  };

  const walk = (node: SyntaxNode, env: Env): void => {
    switch (node.name) {
      case 'VariableName':
        readVariable(node, env);
        return;
      case 'PathExpression':
        walkPath(node, env);
        return;
      case 'FunctionInvocation':
        walkCall(node, env);
        return;
      case 'NumericLiteral':
        // feelin reads `1e6` as 1 but `1.5e3` as 1500: refuse exponents rather than guess
        if (/[eE]/.test(text(node))) fail('EXPRESSION_INVALID', `number "${text(node)}" has an exponent, which FEEL engines read differently`, node, `write the number out, e.g. ${Number(text(node)).toLocaleString('en').replace(/,/g, '')}`);
        return;
      case 'StringLiteral': {
        const len = node.to - node.from - 2;
        if (len > limits.maxStringLength) fail('LIMIT_EXCEEDED', `string literal of ${len} characters, over the limit of ${limits.maxStringLength}`, node);
        return;
      }
      case 'List': {
        const items = parts(node).filter((c) => c.name !== '[' && c.name !== ']');
        if (items.length > limits.maxListItems) fail('LIMIT_EXCEEDED', `list literal of ${items.length} items, over the limit of ${limits.maxListItems}`, node);
        for (const c of items) walk(c, env);
        return;
      }
      case 'ForExpression':
      case 'QuantifiedExpression': {
        const p = parts(node);
        const ins = p.find((c) => c.name === 'InExpressions');
        if (!ins) return fail('EXPRESSION_INVALID', 'malformed iteration', node);
        let inner = env;
        for (const ie of parts(ins).filter((c) => c.name === 'InExpression')) {
          const ip = parts(ie);
          const nameNode = ip.find((c) => c.name === 'Name');
          const domain = ip.find((c) => c.name === 'IterationContext');
          if (!nameNode || !domain) return fail('EXPRESSION_INVALID', 'malformed iteration', ie);
          const size = domainSize(domain);
          // the domain is evaluated once per combination of the earlier variables
          for (const c of parts(domain)) if (c.name !== '..') walkDomainPart(c, inner);
          const bname = normalizeName(text(nameNode));
          checkNewName(bname, nameNode);
          inner = bind(iterate(inner, ie, size), [bname]);
        }
        const body = p[p.length - 1];
        if (body && body !== ins) walk(body, inner);
        return;
      }
      case 'FilterExpression': {
        const p = parts(node).filter((c) => c.name !== '[' && c.name !== ']');
        const [target, predicate] = p;
        if (!target || !predicate) return fail('EXPRESSION_INVALID', 'malformed filter', node);
        walk(target, env);
        const size = target.name === 'List' ? parts(target).filter((c) => c.name !== '[' && c.name !== ']').length : undefined;
        walkPredicate(predicate, bind(iterate(env, node, size), ['item']));
        return;
      }
      case 'Context': {
        let inner = env;
        for (const entry of parts(node).filter((c) => c.name === 'ContextEntry')) {
          const [key, value] = parts(entry);
          if (!key || !value) return fail('EXPRESSION_INVALID', 'malformed context entry', entry);
          const keyNode = parts(key)[0];
          const kname = keyNode?.name === 'StringLiteral' ? text(keyNode).slice(1, -1) : normalizeName(text(key));
          checkNewName(kname, key);
          walk(value, inner);
          inner = bind(inner, [normalizeName(kname)]);
        }
        return;
      }
      case 'InstanceOfExpression': {
        const p = parts(node);
        if (p[0]) walk(p[0], env);
        const type = p.find((c) => c.name === 'Type');
        if (type) checkType(type);
        return;
      }
      case 'DateTimeLiteral':
      case 'NamedParameter': {
        for (const c of parts(node)) if (c.name !== 'ParameterName') walk(c, env);
        return;
      }
      case 'PositiveUnaryTest': {
        // after `in`: a value, a list, a comparison (`> 5`) or an interval whose bounds may be any expression
        for (const c of parts(node)) {
          if (SWALLOWED_BY_IN.has(c.name)) {
            // feelin reads `x in [1..10] and y` as `x in ([1..10] and y)`: silently wrong, so refused
            const start = node.parent ?? node;
            const head = text(start).slice(0, node.from - start.from);
            fail(
              'EXPRESSION_INVALID',
              `"in" takes everything after it: "${clip(text(start), 60)}" reads as "${clip(head, 30)}(${clip(text(c), 30)})"`,
              c,
              'put the membership test in parentheses, e.g. (x in [1..10]) and y',
            );
          }
          if (c.name === 'SimplePositiveUnaryTest') walkUnaryTest(c, env);
          else walk(c, env);
        }
        return;
      }
      case 'SimplePositiveUnaryTest':
        fail('EXPRESSION_INVALID', `a unary test ("${clip(text(node), 30)}") may only stand after "in"`, node, 'write a comparison such as `x > 5` or `x in [1..10]`');
        return;
      case '?':
        fail('EXPRESSION_INVALID', '"?" (the implicit input value of a unary test) is outside the subset', node, 'name the variable instead');
        return;
      case 'FunctionDefinition':
        fail('EXPRESSION_INVALID', 'function definitions are not allowed', node, 'write the computation inline');
        return;
      default:
        if (!PLAIN_NODES.has(node.name)) {
          fail('EXPRESSION_INVALID', `"${clip(text(node), 30)}" (${node.name}) is outside the supported FEEL subset`, node);
        }
        for (const c of parts(node)) walk(c, env);
    }
  };

  const walkUnaryTest = (node: SyntaxNode, env: Env): void => {
    for (const c of parts(node)) {
      if (c.name === 'Interval') {
        for (const b of parts(c)) if (!['[', ']', '(', ')', '..'].includes(b.name)) walk(b, env);
      } else if (c.name !== 'CompareOp') {
        walk(c, env);
      }
    }
  };

  /** An iteration domain's parts: a literal range (already checked) or any expression. */
  const walkDomainPart = (node: SyntaxNode, env: Env): void => {
    if (node.name === 'SimplePositiveUnaryTest') walkUnaryTest(node, env);
    else walk(node, env);
  };

  /** A filter's predicate: an index, a boolean expression, or a unary test (`list[> 3]`). */
  const walkPredicate = (node: SyntaxNode, env: Env): void => {
    if (node.name === 'SimplePositiveUnaryTest') walkUnaryTest(node, env);
    else walk(node, env);
  };

  walk(tree.topNode, { bound: new Set(), level: 0, cost: { literal: 1, fromData: 0 } });

  let evalSource = body;
  for (const r of [...rewrites].sort((a, b) => b.from - a.from)) {
    evalSource = evalSource.slice(0, r.from) + r.text + evalSource.slice(r.to);
  }

  return { tree, freeVariables: [...free.keys()], paths, evalSource, usesNowCall, usesTodayCall, iterationCosts };
}

/** A compact structural signature of a parse (node types and spans), to compare two parses. */
export function treeSignature(source: string, parseContext: Record<string, unknown>): string {
  const tree = parseExpression(source, parseContext, undefined);
  let sig = '';
  tree.iterate({
    enter(ref) {
      sig += `${ref.type.id}:${ref.from}-${ref.to};`;
    },
  });
  return sig;
}
