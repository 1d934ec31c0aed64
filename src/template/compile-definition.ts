/** Turns a schema-valid raw template into the canonical ProcessDefinition, checking every load-time rule. */
import { actionParts } from '../actions/index.js';
import { didYouMean, templateError, WinpathError, type Issue, type PathSegment } from '../errors/index.js';
import { BUILTIN_VARIABLES, STATUS_MAPS, compileExpression, definitionScope } from '../expressions/index.js';
import {
  isOpenStage, validateFields, type ActionSpec, type FieldDef, type I18nText, type ProcessDefinition, type StageDef, type TransitionDef,
} from '../model/index.js';
import type { RawTemplate } from './template-schema.js';

/** Finds where a path of the source document is: 1-based line and column. */
export type Locator = (path: PathSegment[], offsetInScalar?: number) => { line?: number; column?: number };

export interface CompileContext {
  file?: string;
  locate: Locator;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const MESSAGE_NAMES = ['title', 'stage', 'owner', 'amount'];

/** Source places of definitions, kept out of the enumerable data so both formats compare equal. */
const sources = new WeakMap<ProcessDefinition, CompileContext>();

/** The file and locator a definition was read from, if any. */
export function definitionSource(def: ProcessDefinition): CompileContext | undefined {
  return sources.get(def);
}

export function compileDefinition(raw: RawTemplate, cx: CompileContext): ProcessDefinition {
  const issues: Issue[] = [];
  const add = (path: PathSegment[], message: string, fix?: string, offset?: number): void => {
    const where = cx.locate(path, offset);
    const issue: Issue = { message, path };
    if (fix !== undefined) issue.fix = fix;
    if (cx.file !== undefined) issue.file = cx.file;
    if (where.line !== undefined) issue.line = where.line;
    if (where.column !== undefined) issue.column = where.column;
    issues.push(issue);
  };

  // fields: amount is always a money field
  const fields: Record<string, FieldDef> = {};
  for (const [key, f] of Object.entries(raw.fields)) {
    const p: PathSegment[] = ['fields', key];
    if ((BUILTIN_VARIABLES as readonly string[]).includes(key) && key !== 'amount') {
      add(p, `field key "${key}" is a name every deal already has`, `rename the field; reserved names: ${[...BUILTIN_VARIABLES, ...STATUS_MAPS].join(', ')}`);
    }
    if ((STATUS_MAPS as readonly string[]).includes(key)) add(p, `field key "${key}" is reserved`, 'rename the field');
    if (key === 'amount' && f.type !== 'money') add([...p, 'type'], `field "amount" must be of type money, not ${f.type}`, 'set `type: money`, or name the field differently');
    if (f.type === 'enum' && !f.options) add(p, `enum field "${key}" has no options`, 'list its values under `options`');
    if (f.type !== 'enum' && f.options) add([...p, 'options'], `field "${key}" of type ${f.type} cannot have options`, 'use `type: enum`, or remove `options`');
    if (f.options && new Set(f.options).size !== f.options.length) add([...p, 'options'], `field "${key}" lists an option twice`, 'remove the duplicate');
    if ((f.min !== undefined || f.max !== undefined) && f.type !== 'number' && f.type !== 'money') add(p, `field "${key}" of type ${f.type} cannot have min or max`, 'use min/max only on number and money fields');
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) add([...p, 'min'], `field "${key}" has min greater than max`, 'swap them');
    fields[key] = stripUndefined(f) as FieldDef;
  }
  if (!fields['amount']) fields['amount'] = { type: 'money' };

  const roles = new Set<string>(['owner']);
  raw.roles.forEach((r, i) => {
    if (roles.has(r) && r !== 'owner') add(['roles', i], `role "${r}" is listed twice`, 'remove the duplicate');
    roles.add(r);
  });
  const checkRole = (name: string, path: PathSegment[]): void => {
    if (!roles.has(name)) {
      const guess = didYouMean(name, roles);
      add(path, `role "${name}" is not declared`, `add it to \`roles\`, or use one of: ${[...roles].join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`);
    }
  };
  const checkRecipient = (name: string, path: PathSegment[]): void => {
    if (!name.startsWith('user:')) checkRole(name, path);
  };

  raw.lossReasons.forEach((r, i) => {
    if (raw.lossReasons.indexOf(r) !== i) add(['lossReasons', i], `loss reason "${r}" is listed twice`, 'remove the duplicate');
  });

  // stages, keys, uniqueness
  const stageKeys = new Map<string, number>();
  const childKeys = new Map<string, { kind: string; path: PathSegment[] }>();
  const deliverableKeys = new Map<string, PathSegment[]>();
  raw.stages.forEach((s, i) => {
    if (stageKeys.has(s.key)) add(['stages', i, 'key'], `stage key "${s.key}" is used twice`, 'give each stage a unique key');
    else stageKeys.set(s.key, i);
  });
  const taskKeys = new Set<string>();
  const taskRefs: { name: string; path: PathSegment[] }[] = [];
  const approvalKeys = new Set<string>();
  const forEachAction = (cb: (a: ActionSpec, path: PathSegment[], stage: (typeof raw.stages)[number]) => void): void => {
    raw.stages.forEach((s, i) => {
      (s.onEnter ?? []).forEach((a, j) => cb(a as unknown as ActionSpec, ['stages', i, 'onEnter', j], s));
      (s.sla?.onBreach ?? []).forEach((a, j) => cb(a as unknown as ActionSpec, ['stages', i, 'sla', 'onBreach', j], s));
    });
  };
  forEachAction((a, path) => {
    const { kind, spec, name } = actionParts(a);
    const created = kind.createdKey(spec);
    if (created) {
      const prev = childKeys.get(created.key);
      if (prev || stageKeys.has(created.key)) {
        add([...path, name, 'key'], `${created.kind} key "${created.key}" is used twice in the template`, 'task, approval and stage keys are unique across the template: rename one');
      } else childKeys.set(created.key, { kind: created.kind, path });
      (created.kind === 'task' ? taskKeys : approvalKeys).add(created.key);
    }
    for (const ref of kind.references(spec)) {
      const refPath = [...path, name, ...ref.path];
      if (ref.kind === 'role') checkRole(ref.name, refPath);
      else if (ref.kind === 'recipient') checkRecipient(ref.name, refPath);
      else if (ref.kind === 'task') taskRefs.push({ name: ref.name, path: refPath });
      else if (!fields[ref.name]) add(refPath, `field "${ref.name}" is not declared`, fieldFix(ref.name, fields));
    }
    if (name === 'approval') {
      const slots = (spec as { approvers: string[] }).approvers;
      slots.forEach((slot, k) => {
        if (slot.startsWith('user:') && slots.indexOf(slot) !== k) add([...path, name, 'approvers', k], `approver "${slot}" is listed twice; a user fills at most one slot`, 'remove the duplicate');
      });
    }
    if (name === 'set') {
      const s = spec as { field: string; value?: unknown };
      if (s.value !== undefined && fields[s.field]) {
        const v = validateFields(fields, { [s.field]: s.value });
        if (!v.ok) add([...path, name, 'value'], v.problems[0]!.message, 'give a value of the field type');
      }
    }
  });

  for (const ref of taskRefs) {
    if (!taskKeys.has(ref.name)) add(ref.path, `task "${ref.name}" is not created by any action`, keyFix('task', ref.name, taskKeys));
  }

  let won = 0;
  let lost = 0;
  raw.stages.forEach((s, i) => {
    const p: PathSegment[] = ['stages', i];
    if (s.outcome === 'won' && ++won > 1) add([...p, 'outcome'], `stage "${s.key}" is a second stage with \`outcome: won\`; a template has exactly one`, 'remove `outcome: won` from one of them');
    if (s.outcome === 'lost' && ++lost > 1) add([...p, 'outcome'], `stage "${s.key}" is a second stage with \`outcome: lost\`; a template has exactly one`, 'remove `outcome: lost` from one of them');
    if (i === 0 && s.outcome) add([...p, 'outcome'], `the first stage "${s.key}" is where deals open, so it cannot be terminal`, 'put an open stage first');
    if (s.outcome && (s.requires || s.sla || s.permissions || s.allowBack !== undefined)) {
      add(p, `terminal stage "${s.key}" cannot have requires, sla, permissions or allowBack`, 'remove them: a won or lost deal does not move on');
    }
    const req = s.requires;
    req?.fields?.forEach((f, j) => {
      if (!fields[f]) add([...p, 'requires', 'fields', j], `stage "${s.key}" requires field "${f}", which the template does not declare`, fieldFix(f, fields));
    });
    req?.deliverables?.forEach((d, j) => {
      if (deliverableKeys.has(d.key) || childKeys.has(d.key)) add([...p, 'requires', 'deliverables', j, 'key'], `deliverable key "${d.key}" is used twice`, 'give each deliverable a unique key');
      deliverableKeys.set(d.key, [...p, 'requires', 'deliverables', j]);
    });
    req?.tasks?.forEach((t, j) => {
      if (!taskKeys.has(t)) add([...p, 'requires', 'tasks', j], `stage "${s.key}" requires task "${t}", which no action creates`, keyFix('task', t, taskKeys));
    });
    req?.approvals?.forEach((t, j) => {
      if (!approvalKeys.has(t)) add([...p, 'requires', 'approvals', j], `stage "${s.key}" requires approval "${t}", which no action requests`, keyFix('approval', t, approvalKeys));
    });
    const checkKeys = new Set<string>();
    req?.checks?.forEach((c, j) => {
      const k = c.key ?? `checks[${j}]`;
      if (checkKeys.has(k)) add([...p, 'requires', 'checks', j, 'key'], `check key "${k}" is used twice in stage "${s.key}"`, 'rename one');
      checkKeys.add(k);
    });
    for (const [k, list] of [['advance', s.permissions?.advance], ['lose', s.permissions?.lose]] as const) {
      list?.forEach((r, j) => checkRole(r, [...p, 'permissions', k, j]));
    }
  });
  if (won === 0) add(['stages'], 'a template has exactly one stage with `outcome: won` (found none)', 'mark the closing stage with `outcome: won`');
  if (lost === 0) add(['stages'], 'a template has exactly one stage with `outcome: lost` (found none)', 'add `- { key: lost, name: Lost, outcome: lost }`');
  for (const [k, list] of Object.entries(raw.permissions ?? {})) {
    (list as string[] | undefined)?.forEach((r, j) => checkRole(r, ['permissions', k, j]));
  }

  // transitions: explicit ones first-match in the order given, defaults for the rest
  const stages = raw.stages as unknown as StageDef[];
  const wonStage = stages.find((s) => s.outcome === 'won');
  const explicit = raw.transitions ?? [];
  const fromSet = new Set<string>();
  explicit.forEach((t, i) => {
    const p: PathSegment[] = ['transitions', i];
    const from = stageKeys.has(t.from) ? stages[stageKeys.get(t.from)!] : undefined;
    const to = stageKeys.has(t.to) ? stages[stageKeys.get(t.to)!] : undefined;
    if (!from) add([...p, 'from'], `transition from unknown stage "${t.from}"`, keyFix('stage', t.from, stageKeys.keys()));
    else if (!isOpenStage(from)) add([...p, 'from'], `transition from terminal stage "${t.from}"`, 'a won or lost deal does not move on; remove it');
    if (!to) add([...p, 'to'], `transition to unknown stage "${t.to}"`, keyFix('stage', t.to, stageKeys.keys()));
    else if (to.outcome === 'lost') add([...p, 'to'], `transition into the lost stage "${t.to}"`, 'remove it: `lose` works from every open stage');
    if (t.from === t.to) add([...p, 'to'], `transition from "${t.from}" to itself`, 'remove it');
    explicit.forEach((u, j) => {
      if (j < i && u.from === t.from && u.to === t.to && u.when === t.when) add(p, `transition ${t.from} -> ${t.to} is listed twice`, 'remove the duplicate');
    });
    fromSet.add(t.from);
  });
  const open = stages.filter(isOpenStage);
  const transitions: TransitionDef[] = [];
  for (const s of stages) {
    if (!isOpenStage(s)) continue;
    if (fromSet.has(s.key)) {
      for (const t of explicit) if (t.from === s.key) transitions.push(stripUndefined({ from: t.from, to: t.to, when: t.when }) as TransitionDef);
    } else {
      const next = open[open.indexOf(s) + 1] ?? wonStage;
      if (next) transitions.push({ from: s.key, to: next.key });
    }
  }

  // soundness: every stage reachable from the first, every open stage can reach won
  if (issues.length === 0 && stages[0]) {
    const reach = new Set<string>([stages[0].key]);
    for (let grew = true; grew;) {
      grew = false;
      for (const t of transitions) if (reach.has(t.from) && !reach.has(t.to)) { reach.add(t.to); grew = true; }
    }
    const toWon = new Set<string>(wonStage ? [wonStage.key] : []);
    for (let grew = true; grew;) {
      grew = false;
      for (const t of transitions) if (toWon.has(t.to) && !toWon.has(t.from)) { toWon.add(t.from); grew = true; }
    }
    stages.forEach((s, i) => {
      if (s.outcome === 'lost') return;
      if (!reach.has(s.key)) add(['stages', i], `stage "${s.key}" cannot be reached from the first stage "${stages[0]!.key}"`, 'add a transition into it, or remove it');
      else if (isOpenStage(s) && !toWon.has(s.key)) add(['stages', i], `from stage "${s.key}" no path of transitions reaches the won stage`, 'add a transition from it (or a stage after it) toward won');
    });
  }

  // FEEL: every expression compiles in the template's scope
  const scope = definitionScope({ fields, stages });
  const checkFeel = (source: string, path: PathSegment[]): void => {
    try {
      compileExpression(source, { scope });
    } catch (e) {
      if (!(e instanceof WinpathError)) throw e;
      const offset = typeof e.details['offset'] === 'number' ? (e.details['offset'] as number) : undefined;
      add(path, `expression "${clip(source)}": ${e.message.replace(/^\[[A-Z_]+\] /, '').split('\n  ')[0]!.replace(/\s+/g, ' ')}`, (e.details.fix as string | undefined) ?? 'see docs/expressions.md for the FEEL subset', offset);
    }
  };
  explicit.forEach((t, i) => { if (t.when) checkFeel(t.when, ['transitions', i, 'when']); });
  raw.stages.forEach((s, i) => {
    s.requires?.checks?.forEach((c, j) => checkFeel(c.when, ['stages', i, 'requires', 'checks', j, 'when']));
  });
  forEachAction((a, path) => {
    const { kind, spec, name } = actionParts(a);
    for (const ex of kind.expressions(spec)) checkFeel(ex.source, [...path, name, ...ex.path]);
  });

  // message placeholders
  const checkMessage = (text: I18nText | undefined, path: PathSegment[]): void => {
    const texts: [PathSegment[], string][] = text === undefined ? [] : typeof text === 'string' ? [[path, text]] : Object.entries(text).map(([l, t]): [PathSegment[], string] => [[...path, l], t]);
    for (const [p, t] of texts) {
      for (const m of t.matchAll(PLACEHOLDER)) {
        const n = m[1]!;
        if (!MESSAGE_NAMES.includes(n) && !fields[n]) add(p, `placeholder {${n}} names no field`, `use {title}, {stage}, {owner}, {amount} or a field key${didYouMean(n, [...MESSAGE_NAMES, ...Object.keys(fields)]) ? ` (did you mean {${didYouMean(n, [...MESSAGE_NAMES, ...Object.keys(fields)])}}?)` : ''}`);
      }
    }
  };
  forEachAction((a, path) => {
    const { spec, name } = actionParts(a);
    if (name === 'notify') checkMessage((spec as { message: I18nText }).message, [...path, name, 'message']);
  });
  raw.stages.forEach((s, i) => s.requires?.checks?.forEach((c, j) => checkMessage(c.message, ['stages', i, 'requires', 'checks', j, 'message'])));

  if (issues.length > 0) throw templateError(issues);

  const def = deepFreeze(stripUndefined({
    id: raw.id,
    version: raw.version,
    name: raw.name,
    currency: raw.currency,
    roles: [...raw.roles],
    fields,
    lossReasons: [...raw.lossReasons],
    idleAfter: raw.idleAfter,
    export: raw.export,
    permissions: raw.permissions && Object.keys(raw.permissions).length ? raw.permissions : undefined,
    stages: raw.stages.map((s) => dropEmpty(stripUndefined({ ...s }))),
    transitions,
  }) as unknown as ProcessDefinition);
  sources.set(def, cx);
  return def;
}

function fieldFix(name: string, fields: Record<string, unknown>): string {
  const guess = didYouMean(name, Object.keys(fields));
  return `declare it under \`fields\`, or use one of: ${Object.keys(fields).join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`;
}

function keyFix(kind: string, name: string, known: Iterable<string>): string {
  const list = [...known];
  const guess = didYouMean(name, list);
  return `use ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} key the template defines${list.length ? `: ${list.join(', ')}` : ''}${guess ? ` (did you mean "${guess}"?)` : ''}`;
}

function clip(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Drops a stage's empty optional lists and objects (`onEnter: []`, `requires: {}`), so YAML and BPMN forms compare equal. */
function dropEmpty<T extends Record<string, unknown>>(stage: T): T {
  const out: Record<string, unknown> = { ...stage };
  const empty = (v: unknown) => (Array.isArray(v) && v.length === 0) || (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
  for (const key of ['requires', 'sla', 'permissions'] as const) {
    const inner = out[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const kept = Object.fromEntries(Object.entries(inner).filter(([k, v]) => !empty(v) || (key === 'sla' && k === 'within')));
      out[key] = kept;
    }
  }
  for (const key of Object.keys(out)) if (key !== 'key' && key !== 'name' && empty(out[key])) delete out[key];
  return out as T;
}

/** Drops undefined-valued keys recursively, so definitions compare equal as data. */
export function stripUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripUndefined) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = stripUndefined(v);
    return out as T;
  }
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
