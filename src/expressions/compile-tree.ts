/**
 * Compiles feelin's parse tree (`parseExpression`, a lezer tree) into reusable closures, once
 * at load: no eval, no `new Function`, no re-parsing per call. Each node mirrors what feelin's
 * interpreter (interpreter.ts, MIT licence) does for it, including its static type tags, which
 * decide how a filter reads its brackets. Every node evaluation and loop iteration costs a step
 * of the run's budget; where feelin would report a warning, the run fails (FeelWarning).
 */
import { WinpathError } from '../errors/index.js';
import { lookup, normalizeName, numericLiteralValue, type SyntaxNode, type Tree } from './analyze.js';
import { BUILTINS, invokeBuiltin, type Builtin } from './feel-builtins.js';
import {
  addDuration, addDurations, equals, getFromContext, getType, isContext, isDuration, isTemporal, makeRange, rangeIncludes, rangeValues,
  subtractTemporals, type Bounds, FeelFault, type FeelType,
} from './feel-values.js';
import { FeelWarning, Runtime } from './runtime.js';
import type { ExpressionScope } from './types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

/** A compiled node: its evaluation, and feelin's static type tag for it (undefined where feelin tags none). */
interface Built {
  ev: (rt: Runtime) => unknown;
  type: string | undefined;
  /** Present when the value is known at load. */
  constant?: { value: unknown };
  /** A root variable whose declared shape is known (`deliverables`), for static member reads. */
  shape?: ExpressionScope;
}

/** A test standing after `in`, inside a filter, or as an iteration domain: never a value of its own. */
class RangeTest {
  constructor(readonly bounds: Bounds) {}
}
class EqualityTest {
  constructor(readonly operand: unknown, readonly negate: boolean) {}
  test(value: unknown, rt: Runtime): boolean | null {
    const r = equals(value, this.operand, rt);
    return this.negate ? (r === null ? null : !r) : r;
  }
}

type Layer =
  | { kind: 'bind'; names: Map<string, number> }
  /** A filter element: its keys are names inside the brackets (feelin spreads it into the context). */
  | { kind: 'spread'; slot: number }
  /** Inside a for body: `partial` would be the running results, outside the subset. */
  | { kind: 'partial' };

type Env = readonly Layer[];

export interface CompiledTree {
  evaluate(rt: Runtime): unknown;
  slotCount: number;
  /** Scope keys read at the top level, in the order of Runtime.roots. */
  rootKeys: readonly string[];
}

const TEMPORAL_ARITH_TYPES = new Set<FeelType>(['date', 'time', 'date time', 'duration']);
const FILTER_INDEX_TYPES = new Set(['number', 'boolean', 'any']);

function isTruthy(v: unknown): boolean {
  return v !== false && v !== null;
}

function coalesce(a: Built, b: Built | undefined): string | undefined {
  if (!b) return a.type;
  if (a.type === b.type) return a.type;
  return 'any';
}

const constant = (value: unknown, type: string): Built => ({ ev: () => value, type, constant: { value } });

/** Unescapes a FEEL string literal exactly as feelin does. */
export function parseStringLiteral(raw: string): string {
  let s = raw;
  if (s.startsWith('"')) s = s.slice(1);
  if (s.endsWith('"')) s = s.slice(0, -1);
  return s.replace(/(\\")|(\\\\)|(\\n)|(\\r)|(\\t)|(\\u[a-fA-F0-9]{5,6})|((?:\\u[a-fA-F0-9]{1,4})+)/gi, (substring: string, ...groups: Any[]) => {
    const [quotes, backslash, newline, carriageReturn, tab, codePoint, charCodes] = groups;
    if (quotes) return '"';
    if (newline) return '\n';
    if (carriageReturn) return '\r';
    if (tab) return '\t';
    if (backslash) return '\\';
    const escapePattern = /\\u([a-fA-F0-9]+)/gi;
    if (codePoint) return String.fromCodePoint(parseInt(escapePattern.exec(codePoint)![1]!, 16));
    if (charCodes) {
      const chars: number[] = [];
      let m: RegExpExecArray | null;
      while ((m = escapePattern.exec(substring)) !== null) chars.push(parseInt(m[1]!, 16));
      return String.fromCharCode(...chars);
    }
    throw new Error('illegal match');
  });
}

/** Named FEEL types for `instance of` (feelin's NAMED_TYPE_CHECKS). */
const NAMED_TYPE_CHECKS: Record<string, (v: unknown) => boolean> = {
  Any: (v) => getType(v) !== 'nil',
  Null: (v) => v === null,
  number: (v) => getType(v) === 'number',
  string: (v) => getType(v) === 'string',
  boolean: (v) => getType(v) === 'boolean',
  date: (v) => getType(v) === 'date',
  time: (v) => getType(v) === 'time',
  'date and time': (v) => getType(v) === 'date time',
  duration: (v) => getType(v) === 'duration',
  'days and time duration': (v) => isDuration(v) && !(v as Any).yearsMonths,
  'years and months duration': (v) => isDuration(v) && (v as Any).yearsMonths,
  context: (v) => getType(v) === 'context',
  list: (v) => getType(v) === 'list',
  range: (v) => getType(v) === 'range',
  function: (v) => getType(v) === 'function',
};

type TypeCheck = (v: unknown) => boolean;

/** A value folded at load is shared by every run: frozen, so that no caller can change it. */
function frozen<T>(v: T): T {
  return typeof v === 'object' && v !== null ? Object.freeze(v) : v;
}

/** A compile-time runtime for folding constant date(...) calls. */
function foldingRuntime(): Runtime {
  const noClock = (): never => {
    throw new FeelFault('no clock while folding');
  };
  return new Runtime({ maxSteps: 100_000, maxCreatedStringLength: 100_000, maxCreatedListItems: 100_000 }, 0, [], noClock, noClock);
}

/**
 * Compiles an analysed expression. `tree` and `body` are analyze()'s; `fail` reports a construct
 * the compiler does not know (refused at load, like anything outside the subset).
 */
export function compileTree(
  tree: Tree,
  body: string,
  scope: ExpressionScope,
  fail: (what: string, at: { from: number; to: number }) => never,
): CompiledTree {
  const text = (n: SyntaxNode): string => body.slice(n.from, n.to);
  const parts = (n: SyntaxNode): SyntaxNode[] => {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) if (!c.type.isSkipped) out.push(c);
    return out;
  };
  /** feelin's name of a VariableName / PathName / Name: its tokens joined by one space. */
  const tokensName = (n: SyntaxNode): string => {
    const p = parts(n);
    return p.length === 0 ? text(n) : p.map(text).join(' ');
  };

  let slotCount = 0;
  const newSlot = (): number => slotCount++;
  const rootKeys: string[] = [];
  const rootIndex = new Map<string, number>();
  const rootSlot = (key: string): number => {
    let i = rootIndex.get(key);
    if (i === undefined) {
      i = rootKeys.length;
      rootKeys.push(key);
      rootIndex.set(key, i);
    }
    return i;
  };

  // ---- names ----

  /** Looks a name up in a filter element the way feelin's spread context would see it. */
  const spreadLookup = (el: unknown, name: string, normalized: string): { found: boolean; value: unknown } => {
    if (typeof el !== 'object' || el === null) return { found: false, value: undefined };
    const e = el as Record<string, unknown>;
    if (Object.prototype.propertyIsEnumerable.call(e, name)) return { found: true, value: e[name] };
    if (Object.prototype.propertyIsEnumerable.call(e, normalized)) return { found: true, value: e[normalized] };
    for (const key of Object.keys(e)) if (normalizeName(key) === normalized) return { found: true, value: e[key] };
    return { found: false, value: undefined };
  };

  /**
   * Resolves a name through the layers (innermost first): filter elements are checked at run
   * time, bound names statically; else the root. Returns how to read it.
   */
  const resolveName = (name: string, env: Env, node: SyntaxNode): { spreads: number[]; slot?: number; root?: string; partial?: true } => {
    const normalized = normalizeName(name);
    const spreads: number[] = [];
    for (let i = env.length - 1; i >= 0; i--) {
      const layer = env[i]!;
      if (layer.kind === 'spread') spreads.push(layer.slot);
      else if (layer.kind === 'partial') {
        if (normalized === 'partial') return { spreads, partial: true };
      } else {
        const slot = layer.names.get(normalized);
        if (slot !== undefined) return { spreads, slot };
      }
    }
    const key = lookup(scope, normalized) ?? (normalized === 'now' ? 'now' : undefined);
    if (key !== undefined) return { spreads, root: key };
    void node;
    return { spreads };
  };

  const variable = (node: SyntaxNode, env: Env): Built => {
    const name = tokensName(node);
    const normalized = normalizeName(name);
    const r = resolveName(name, env, node);
    if (r.partial) fail('"partial" (the running results of a for expression) is outside the subset', node);
    let base: (rt: Runtime) => unknown;
    let shape: ExpressionScope | undefined;
    if (r.slot !== undefined) {
      const slot = r.slot;
      // feelin treats a bound name whose value is undefined (`append(xs)` pads with one) as not found
      base = (rt) => {
        const v = rt.slots[slot];
        return v === undefined ? undefinedVariable(rt, name) : v;
      };
    } else if (r.root === 'now') {
      // `now` is always the engine clock, whatever the snapshot holds
      base = (rt) => rt.now();
    } else if (r.root !== undefined) {
      const i = rootSlot(r.root);
      const s = scope[r.root];
      if (s !== true && s !== undefined) shape = s;
      base = (rt) => rt.roots[i];
    } else {
      // a name feelin would not find here (`item` in an index filter): its warning
      base = (rt) => rt.warn(`Variable '${name}' not found`);
    }
    if (r.spreads.length === 0) {
      return { ev: (rt) => { if (--rt.steps < 0) rt.exceeded(); return base(rt); }, type: 'any', ...(shape ? { shape } : {}) };
    }
    const spreads = r.spreads;
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        for (const s of spreads) {
          const hit = spreadLookup(rt.slots[s], name, normalized);
          if (hit.found) return hit.value === undefined ? undefinedVariable(rt, name) : hit.value;
        }
        return base(rt);
      },
      type: 'any',
    };
  };

  const undefinedVariable = (rt: Runtime, name: string): never => rt.warn(`Variable '${name}' not found`);

  // ---- paths ----

  const pathRead = (rt: Runtime, target: unknown, name: string): unknown => {
    const v = getFromContext(name, target);
    if (v !== undefined) return v;
    if (isContext(target)) return rt.warn(`Key '${name}' not found in {target}`, { target });
    return rt.warn(`Property '${name}' not found in {target}`, { target });
  };

  const path = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node);
    const targetNode = p[0]!;
    const member = p[p.length - 1]!;
    const target = build(targetNode, env);
    const name = tokensName(member);
    if (target.shape) {
      const key = lookup(target.shape, normalizeName(name));
      if (key !== undefined) {
        const sub = target.shape[key];
        const tev = target.ev;
        return {
          ev: (rt) => {
            if (--rt.steps < 0) rt.exceeded();
            return (tev(rt) as Record<string, unknown>)[key];
          },
          type: 'any',
          ...(sub !== true && sub !== undefined ? { shape: sub } : {}),
        };
      }
    }
    const tev = target.ev;
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        const t = tev(rt);
        if (Array.isArray(t)) {
          rt.items(t.length);
          return t.map((x) => pathRead(rt, x, name));
        }
        return pathRead(rt, t, name);
      },
      type: 'any',
    };
  };

  // ---- comparison ----

  /** feelin's CompareOp: `<` and friends as a one-sided range, `=`/`!=` as an equality test. */
  const compareTest = (op: string, operand: unknown): RangeTest | EqualityTest => {
    switch (op) {
      case '>': return new RangeTest(makeRange(operand, null, false, false));
      case '>=': return new RangeTest(makeRange(operand, null, true, false));
      case '<': return new RangeTest(makeRange(null, operand, false, false));
      case '<=': return new RangeTest(makeRange(null, operand, false, true));
      case '=': return new EqualityTest(operand, false);
      case '!=': return new EqualityTest(operand, true);
      default: throw new FeelFault(`unknown comparison ${op}`);
    }
  };

  const applyTest = (test: unknown, value: unknown, rt: Runtime): unknown => {
    if (test instanceof RangeTest) return rangeIncludes(test.bounds, value);
    if (test instanceof EqualityTest) return test.test(value, rt);
    return equals(test, value, rt);
  };

  /** feelin's compareIn: any matching test wins; an incomparable range test makes the answer unknown. */
  const compareIn = (value: unknown, tests: unknown, rt: Runtime): boolean | null => {
    if (!Array.isArray(tests)) {
      if (tests === null || tests === undefined) return null;
      tests = [tests];
    }
    let unknown = false;
    rt.items((tests as unknown[]).length);
    for (const test of tests as unknown[]) {
      let result = applyTest(test, value, rt);
      if (result === null && !(test instanceof RangeTest) && !(test instanceof EqualityTest)) result = false;
      if (result === true) return true;
      if (result === null) unknown = true;
    }
    return unknown ? null : false;
  };

  const comparison = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node);
    const left = build(p[0]!, env);
    const opNode = p[1]!;
    const lev = left.ev;
    if (opNode.name === 'in') {
      const testsNode = p[2]!.name === '(' ? p[3]! : p[2]!;
      const tests = build(testsNode, env);
      const tev = tests.ev;
      return {
        ev: (rt) => {
          if (--rt.steps < 0) rt.exceeded();
          return compareIn(lev(rt), tev(rt), rt);
        },
        type: 'test',
      };
    }
    if (opNode.name === 'between') {
      const start = build(p[2]!, env).ev;
      const end = build(p[4]!, env).ev;
      return {
        ev: (rt) => {
          if (--rt.steps < 0) rt.exceeded();
          const s = start(rt);
          const e = end(rt);
          if (s === null || e === null) return null;
          return rangeIncludes(makeRange(s, e), lev(rt));
        },
        type: 'test',
      };
    }
    const op = text(opNode).trim();
    const right = build(p[2]!, env);
    const rev = right.ev;
    if (op === '=' || op === '!=') {
      const negate = op === '!=';
      return {
        ev: (rt) => {
          if (--rt.steps < 0) rt.exceeded();
          const a = lev(rt);
          const r = equals(a, rev(rt), rt);
          return negate ? (r === null ? null : !r) : r;
        },
        type: 'test',
      };
    }
    let fixed: RangeTest | undefined;
    if (right.constant) {
      try {
        fixed = compareTest(op, right.constant.value) as RangeTest;
      } catch {
        fixed = undefined; // feelin throws only when it evaluates the comparison: so do we
      }
    }
    if (fixed) {
      const bounds = fixed.bounds;
      return {
        ev: (rt) => {
          if (--rt.steps < 0) rt.exceeded();
          return rangeIncludes(bounds, lev(rt));
        },
        type: 'test',
      };
    }
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        const a = lev(rt);
        const test = compareTest(op, rev(rt)) as RangeTest;
        return rangeIncludes(test.bounds, a);
      },
      type: 'test',
    };
  };

  /** SimplePositiveUnaryTest: `> 5`, `= x`, or an interval. */
  const simpleTest = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node);
    if (p.length === 1) return build(p[0]!, env);
    const op = text(p[0]!).trim();
    const operand = build(p[1]!, env).ev;
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        return compareTest(op, operand(rt));
      },
      type: 'test',
    };
  };

  const interval = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node);
    const startBracket = p[0]!.name === '[';
    const endBracket = p[4]?.name === ']';
    const lo = build(p[1]!, env).ev;
    const hi = build(p[3]!, env).ev;
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        const left = lo(rt);
        const right = hi(rt);
        return new RangeTest(makeRange(left, right, left !== null && startBracket, right !== null && endBracket));
      },
      type: 'test',
    };
  };

  // ---- arithmetic ----

  const arithmetic = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node);
    let a: Built;
    let opNode: SyntaxNode;
    let b: Built;
    let type: string | undefined;
    if (p.length === 2) {
      opNode = p[0]!;
      a = constant(0, 'number');
      b = build(p[1]!, env);
      type = b.type;
    } else {
      a = build(p[0]!, env);
      opNode = p[1]!;
      b = build(p[2]!, env);
      type = coalesce(a, b);
    }
    const op = text(opNode).trim();
    const aev = a.ev;
    const bev = b.ev;
    let opName: string;
    let types: readonly FeelType[];
    let apply: (rt: Runtime, x: Any, y: Any) => unknown;
    switch (op) {
      case '+':
        opName = 'add';
        types = ['string', 'number', 'date', 'time', 'duration', 'date time'];
        apply = (rt, x, y) => {
          if (isDuration(x) && !isDuration(y)) [x, y] = [y, x];
          if (isTemporal(x) && isDuration(y)) return addDuration(x, y, 1);
          if (isTemporal(x) && isTemporal(y)) return null;
          if (isDuration(x) && isDuration(y)) return addDurations(x, y, 1) ?? invalidType(rt, 'add', x, y);
          if (typeof x === 'string') {
            if (x.length + (y as string).length > rt.limits.maxCreatedStringLength) rt.stringTooLong(x.length + (y as string).length);
            rt.chars(x.length + (y as string).length);
          }
          return x + y;
        };
        break;
      case '-':
        opName = 'subtract';
        types = ['number', 'date', 'time', 'duration', 'date time'];
        apply = (rt, x, y) => {
          if (isTemporal(x) && isDuration(y)) return addDuration(x, y, -1);
          if (isTemporal(x) && isTemporal(y)) return subtractTemporals(x, y);
          if (isDuration(x) && isDuration(y)) return addDurations(x, y, -1) ?? invalidType(rt, 'subtract', x, y);
          return x - y;
        };
        break;
      case '*':
        opName = 'multiply';
        types = ['number'];
        apply = (_rt, x, y) => x * y;
        break;
      case '/':
        opName = 'divide';
        types = ['number'];
        apply = (_rt, x, y) => (!y ? null : x / y);
        break;
      case '**':
      case '^':
        opName = 'exponentiate';
        types = ['number'];
        apply = (_rt, x, y) => x ** y;
        break;
      default:
        return fail(`operator "${op}" is outside the supported subset`, opNode);
    }
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        const x = aev(rt);
        const y = bev(rt);
        if (typeof x === 'number' && typeof y === 'number') return apply(rt, x, y);
        if (Array.isArray(x) || Array.isArray(y)) return invalidType(rt, opName, x, y);
        const xt = getType(x);
        const yt = getType(y);
        if (TEMPORAL_ARITH_TYPES.has(xt)) {
          if (!TEMPORAL_ARITH_TYPES.has(yt)) return invalidType(rt, opName, x, y);
        } else if (xt !== yt || !types.includes(xt)) {
          return invalidType(rt, opName, x, y);
        }
        return apply(rt, x, y);
      },
      type,
    };
  };

  const invalidType = (rt: Runtime, opName: string, left: unknown, right: unknown): never =>
    rt.warn(`Can't ${opName} {right} to {left}`, { left, right });

  // ---- iteration ----

  /** Compiles `a in xs, b in ys` to a producer of the whole product (as feelin builds it first), plus the slots bound. */
  const inExpressions = (node: SyntaxNode, env: Env): { produce: (rt: Runtime) => unknown[][] | null; slots: number[]; env: Env } => {
    const producers: { slot: number; domain: (rt: Runtime) => unknown }[] = [];
    let inner = env;
    for (const ie of parts(node).filter((c) => c.name === 'InExpression')) {
      const ip = parts(ie);
      const nameNode = ip.find((c) => c.name === 'Name')!;
      const ctx = ip.find((c) => c.name === 'IterationContext')!;
      const domain = iterationContext(ctx, inner);
      const slot = newSlot();
      producers.push({ slot, domain });
      inner = [...inner, { kind: 'bind', names: new Map([[normalizeName(text(nameNode).replace(/\s{2,}/g, ' '))!, slot]]) }];
    }
    const slots = producers.map((p) => p.slot);
    const domainValues = (rt: Runtime, i: number): unknown[] | null => {
      const d = producers[i]!.domain(rt);
      if (Array.isArray(d)) return d;
      if (d instanceof RangeTest) return rangeValues(d.bounds, rt);
      return null;
    };
    const produce = (rt: Runtime): unknown[][] | null => {
      let tuples: unknown[][] = [];
      const first = domainValues(rt, 0);
      if (first === null) return null;
      rt.items(first.length);
      for (const v of first) tuples.push([v]);
      for (let i = 1; i < producers.length; i++) {
        const next: unknown[][] = [];
        for (const t of tuples) {
          for (let j = 0; j < t.length; j++) rt.slots[slots[j]!] = t[j];
          const values = domainValues(rt, i);
          if (values === null) return null;
          rt.items(values.length);
          if (next.length + values.length > rt.limits.maxCreatedListItems) rt.listLength(next.length + values.length);
          for (const v of values) next.push([...t, v]);
        }
        tuples = next;
      }
      return tuples;
    };
    return { produce, slots, env: inner };
  };

  /** `xs`, `[1, 2]`, `1..3` or `[1..3]`: a list, a range to enumerate, or anything else (then the whole iteration is null). */
  const iterationContext = (node: SyntaxNode, env: Env): ((rt: Runtime) => unknown) => {
    const p = parts(node);
    const a = build(p[0]!, env).ev;
    if (p.length >= 3) {
      const b = build(p[2]!, env).ev;
      return (rt) => {
        const x = a(rt);
        const y = b(rt);
        return y ? new RangeTest(makeRange(x, y)) : x;
      };
    }
    return a;
  };

  const bindTuple = (rt: Runtime, slots: number[], t: unknown[]): void => {
    for (let j = 0; j < slots.length; j++) rt.slots[slots[j]!] = t[j];
  };

  const forExpression = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node);
    const ins = inExpressions(p.find((c) => c.name === 'InExpressions')!, env);
    const bodyEv = build(p[p.length - 1]!, [...ins.env, { kind: 'partial' }]).ev;
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        const tuples = ins.produce(rt);
        if (tuples === null) return null;
        rt.listLength(tuples.length);
        const out: unknown[] = [];
        for (const t of tuples) {
          if (--rt.steps < 0) rt.exceeded();
          bindTuple(rt, ins.slots, t);
          out.push(bodyEv(rt));
        }
        return out;
      },
      type: undefined,
    };
  };

  const quantified = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node);
    const every = p[0]!.name === 'every';
    const ins = inExpressions(p.find((c) => c.name === 'InExpressions')!, env);
    const cond = build(p[p.length - 1]!, ins.env).ev;
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        const tuples = ins.produce(rt);
        if (tuples === null) return null;
        for (const t of tuples) {
          if (--rt.steps < 0) rt.exceeded();
          bindTuple(rt, ins.slots, t);
          const ok = isTruthy(cond(rt));
          if (every && !ok) return false;
          if (!every && ok) return true;
        }
        return every;
      },
      type: 'test',
    };
  };

  const filter = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node).filter((c) => c.name !== '[' && c.name !== ']');
    const target = build(p[0]!, env).ev;
    const predNode = p[1]!;
    const slot = newSlot();
    const inner: Env = [...env, { kind: 'bind', names: new Map([['item', slot]]) }, { kind: 'spread', slot }];
    const asTest = build(predNode, inner);
    const type = asTest.type;
    if (type === 'test') {
      const pred = asTest.ev;
      return {
        ev: (rt) => {
          if (--rt.steps < 0) rt.exceeded();
          const t = target(rt);
          if (t === null) return null;
          const list = Array.isArray(t) ? t : [t];
          const out: unknown[] = [];
          for (const el of list) {
            if (--rt.steps < 0) rt.exceeded();
            rt.slots[slot] = el;
            let r = pred(rt);
            if (r instanceof RangeTest || r instanceof EqualityTest) r = applyTest(r, el, rt);
            const kept = r === true ? el : r;
            if (isTruthy(kept)) out.push(kept);
          }
          return out;
        },
        type: 'any',
      };
    }
    if (type !== undefined && (FILTER_INDEX_TYPES.has(type) || type === 'string')) {
      // feelin evaluates these brackets once, in the outer context (no `item`)
      const index = build(predNode, env).ev;
      if (type === 'string') {
        return {
          ev: (rt) => {
            if (--rt.steps < 0) rt.exceeded();
            const t = target(rt);
            if (t === null) return null;
            const list = Array.isArray(t) ? t : [t];
            const v = index(rt);
            rt.items(list.length);
            return list.filter((el) => el === v);
          },
          type: 'any',
        };
      }
      return {
        ev: (rt) => {
          if (--rt.steps < 0) rt.exceeded();
          const t = target(rt);
          if (t === null) return null;
          const list = Array.isArray(t) ? t : [t];
          const idx = index(rt);
          if (typeof idx === 'boolean') return idx ? t : [];
          if (typeof idx !== 'number') return [];
          const v = list[idx < 0 ? list.length + idx : idx - 1];
          return v === undefined ? null : v;
        },
        type: 'any',
      };
    }
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        target(rt);
        return null;
      },
      type: 'any',
    };
  };

  // ---- calls ----

  const params = (node: SyntaxNode | undefined, env: Env): { ev: (rt: Runtime) => unknown[] | Map<string, unknown>; constant?: unknown[] } => {
    if (!node || node.name === 'PositionalParameters') {
      const args = node ? parts(node).map((c) => build(c, env)) : [];
      const evs = args.map((a) => a.ev);
      const all = args.every((a) => a.constant);
      return {
        ev: (rt) => {
          const out = new Array<unknown>(evs.length);
          for (let i = 0; i < evs.length; i++) out[i] = evs[i]!(rt);
          return out;
        },
        ...(all ? { constant: args.map((a) => a.constant!.value) } : {}),
      };
    }
    const named = parts(node).filter((c) => c.name === 'NamedParameter').map((np) => {
      const [pn, value] = parts(np);
      const nameNode = parts(pn!)[0] ?? pn!;
      return { name: text(nameNode).replace(/\s{2,}/g, ' '), ev: build(value!, env).ev };
    });
    return {
      ev: (rt) => {
        const m = new Map<string, unknown>();
        for (const n of named) m.set(n.name, n.ev(rt));
        return m;
      },
    };
  };

  const callBuiltin = (b: Builtin, argsNode: SyntaxNode | undefined, env: Env, type: string, fold: boolean, guardName?: { name: string; spreads: number[] }): Built => {
    const ps = params(argsNode, env);
    if (fold && ps.constant) {
      try {
        return constant(frozen(invokeBuiltin(foldingRuntime(), b, ps.constant)), type);
      } catch (e) {
        if (!(e instanceof FeelWarning || e instanceof FeelFault)) throw e;
        // keep the run-time path, and its warning
      }
    }
    const pev = ps.ev;
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        if (guardName) {
          const normalized = normalizeName(guardName.name);
          for (const s of guardName.spreads) {
            if (spreadLookup(rt.slots[s], guardName.name, normalized).found) {
              rt.warn(`"${guardName.name}" is not a function here: a key of the filtered element hides the built-in`);
            }
          }
        }
        return invokeBuiltin(rt, b, pev(rt));
      },
      type,
    };
  };

  const invocation = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node);
    const target = p[0]!;
    const argsNode = p.find((c) => c.name === 'PositionalParameters' || c.name === 'NamedParameters');
    const name = target.name === 'VariableName' ? tokensName(target) : text(target).replace(/\s+/g, ' ').trim();
    const normalized = normalizeName(name);
    const resolved = target.name === 'VariableName' ? resolveName(name, env, target) : { spreads: [] as number[] };
    if (normalized === 'now' || normalized === 'today') {
      const isNow = normalized === 'now';
      return {
        ev: (rt) => {
          if (--rt.steps < 0) rt.exceeded();
          return isNow ? rt.now() : rt.today();
        },
        type: 'any',
      };
    }
    const b = BUILTINS.get(normalized);
    if (!b) return fail(`function "${name}" is outside the supported subset`, target);
    return callBuiltin(b, argsNode, env, 'any', false, resolved.spreads.length > 0 ? { name, spreads: resolved.spreads } : undefined);
  };

  const dateTimeLiteral = (node: SyntaxNode, env: Env): Built => {
    const p = parts(node);
    if (p[0]!.name === 'AtLiteral') {
      const lit = parts(p[0]!)[0]!;
      return atLiteral(BUILTINS.get('@')!, lit, env);
    }
    const ctor = text(p[0]!).replace(/\s+/g, ' ').trim();
    const b = BUILTINS.get(ctor);
    if (!b) return fail(`"${ctor}" is outside the supported subset`, p[0]!);
    const argsNode = p.find((c) => c.name === 'PositionalParameters' || c.name === 'NamedParameters');
    return callBuiltin(b, argsNode, env, 'date', true);
  };

  const atLiteral = (at: Builtin, lit: SyntaxNode, env: Env): Built => {
    const arg = build(lit, env);
    if (arg.constant) {
      try {
        return constant(frozen(invokeBuiltin(foldingRuntime(), at, [arg.constant.value])), 'date');
      } catch (e) {
        if (!(e instanceof FeelWarning || e instanceof FeelFault)) throw e;
      }
    }
    const aev = arg.ev;
    return {
      ev: (rt) => {
        if (--rt.steps < 0) rt.exceeded();
        return invokeBuiltin(rt, at, [aev(rt)]);
      },
      type: 'date',
    };
  };

  // ---- instance of ----

  const typeCheck = (node: SyntaxNode): TypeCheck => {
    const p = parts(node);
    const only = p[0];
    if (!only) return fail('malformed type', node);
    switch (only.name) {
      case 'QualifiedName':
      case 'SpecialType': {
        const n = text(only).replace(/\s+/g, ' ').trim();
        const check = NAMED_TYPE_CHECKS[n];
        if (!check) return fail(`unknown type "${n}"`, only);
        return check;
      }
      case 'ListType': {
        const el = parts(only).find((c) => c.name === 'Type');
        const inner = el ? typeCheck(el) : (): boolean => false;
        return (v) => Array.isArray(v) && v.every((x) => inner(x));
      }
      case 'ContextType': {
        const entries = parts(only).find((c) => c.name === 'ContextEntryTypes');
        const checks = entries
          ? parts(entries).filter((c) => c.name === 'ContextEntryType').map((e) => {
            const ep = parts(e);
            const nm = text(ep[0]!).replace(/\s{2,}/g, ' ');
            const t = ep.find((c) => c.name === 'Type');
            return { name: nm, check: t ? typeCheck(t) : (): boolean => false };
          })
          : [];
        return (v) => isContext(v) && checks.every(({ name, check }) => Object.prototype.hasOwnProperty.call(v, name) && check((v as Any)[name]));
      }
      case 'FunctionType':
        return (v) => getType(v) === 'function';
      default:
        return fail(`type "${text(only)}" is outside the supported subset`, only);
    }
  };

  // ---- the dispatcher ----

  const build = (node: SyntaxNode, env: Env): Built => {
    switch (node.name) {
      case 'Expression': {
        const inner = build(parts(node)[0]!, env);
        return { ev: inner.ev, type: undefined };
      }
      case 'ParenthesizedExpression':
        return build(parts(node).find((c) => c.name !== '(' && c.name !== ')')!, env);
      case 'NumericLiteral':
        return constant(numericLiteralValue(text(node)), 'number');
      case 'StringLiteral':
        return constant(parseStringLiteral(text(node)), 'string');
      case 'BooleanLiteral':
        return constant(text(node) === 'true', 'boolean');
      case 'null':
        return constant(null, 'nil');
      case 'VariableName':
        return variable(node, env);
      case 'PathExpression':
        return path(node, env);
      case 'List': {
        const items = parts(node).filter((c) => c.name !== '[' && c.name !== ']').map((c) => build(c, env).ev);
        return {
          ev: (rt) => {
            if (--rt.steps < 0) rt.exceeded();
            const out = new Array<unknown>(items.length);
            for (let i = 0; i < items.length; i++) out[i] = items[i]!(rt);
            return out;
          },
          type: undefined,
        };
      }
      case 'Context': {
        const layer: { kind: 'bind'; names: Map<string, number> } = { kind: 'bind', names: new Map() };
        const inner: Env = [...env, layer];
        const entries: { key: string; slot: number; ev: (rt: Runtime) => unknown }[] = [];
        for (const entry of parts(node).filter((c) => c.name === 'ContextEntry')) {
          const [keyNode, valueNode] = parts(entry);
          const k = parts(keyNode!)[0]!;
          const key = k.name === 'StringLiteral' ? parseStringLiteral(text(k)) : text(k).replace(/\s{2,}/g, ' ');
          const ev = build(valueNode!, inner).ev;
          const slot = newSlot();
          layer.names.set(normalizeName(key), slot);
          entries.push({ key, slot, ev });
        }
        return {
          ev: (rt) => {
            if (--rt.steps < 0) rt.exceeded();
            const out: Record<string, unknown> = {};
            for (const e of entries) {
              const v = e.ev(rt);
              rt.slots[e.slot] = v;
              out[e.key] = v;
            }
            return out;
          },
          type: undefined,
        };
      }
      case 'Comparison':
        return comparison(node, env);
      case 'Conjunction':
      case 'Disjunction': {
        const p = parts(node);
        const a = build(p[0]!, env).ev;
        const b = build(p[2]!, env).ev;
        const isAnd = node.name === 'Conjunction';
        return {
          ev: (rt) => {
            if (--rt.steps < 0) rt.exceeded();
            const l = a(rt);
            const r = b(rt);
            const x = typeof l === 'boolean' ? l : null;
            const y = typeof r === 'boolean' ? r : null;
            if (isAnd) {
              if (x === false || y === false) return false;
              return x === true && y === true ? true : null;
            }
            if (x === true || y === true) return true;
            return x === false && y === false ? false : null;
          },
          type: 'test',
        };
      }
      case 'ArithmeticExpression':
        return arithmetic(node, env);
      case 'IfExpression': {
        const p = parts(node);
        const cond = build(p[1]!, env).ev;
        const then = build(p[3]!, env);
        const otherwise = p[5] ? build(p[5], env) : undefined;
        const tev = then.ev;
        const oev = otherwise?.ev;
        return {
          ev: (rt) => {
            if (--rt.steps < 0) rt.exceeded();
            if (isTruthy(cond(rt))) return tev(rt);
            return oev ? oev(rt) : null;
          },
          type: coalesce(then, otherwise),
        };
      }
      case 'ForExpression':
        return forExpression(node, env);
      case 'QuantifiedExpression':
        return quantified(node, env);
      case 'FilterExpression':
        return filter(node, env);
      case 'FunctionInvocation':
        return invocation(node, env);
      case 'DateTimeLiteral':
        return dateTimeLiteral(node, env);
      case 'InstanceOfExpression': {
        const p = parts(node);
        const value = build(p[0]!, env).ev;
        const check = typeCheck(p.find((c) => c.name === 'Type')!);
        return {
          ev: (rt) => {
            if (--rt.steps < 0) rt.exceeded();
            return check(value(rt));
          },
          type: 'test',
        };
      }
      case 'PositiveUnaryTest':
        return { ev: build(parts(node)[0]!, env).ev, type: undefined };
      case 'PositiveUnaryTests': {
        const tests = parts(node).map((c) => build(c, env).ev);
        return {
          ev: (rt) => {
            if (--rt.steps < 0) rt.exceeded();
            return tests.map((t) => t(rt));
          },
          type: undefined,
        };
      }
      case 'SimplePositiveUnaryTest':
        return simpleTest(node, env);
      case 'Interval':
        return interval(node, env);
      default:
        return fail(`"${text(node).slice(0, 30)}" (${node.name}) is outside the supported FEEL subset`, node);
    }
  };

  const top = build(tree.topNode, []);
  const ev = top.ev;
  return {
    evaluate: (rt) => ev(rt),
    get slotCount() {
      return slotCount;
    },
    rootKeys,
  };
}

/** The error compileTree's `fail` throws: refused at load, like every construct outside the subset. */
export function unsupported(base: number, original: string) {
  return (what: string, at: { from: number; to: number }): never => {
    const offset = base + at.from;
    throw new WinpathError('EXPRESSION_INVALID', `${what} at offset ${offset} in "${original.length > 80 ? `${original.slice(0, 79)}…` : original}"`, {
      offset,
      length: Math.max(0, at.to - at.from),
      expression: original,
    });
  };
}

