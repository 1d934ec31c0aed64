import fc from 'fast-check';
import { EVENT_TYPES } from 'winpath';

// Small valid raw templates (the YAML shape), for the round-trip property. Keys are numbered so
// they stay unique across the template; every choice the BPMN mapping distinguishes is drawn:
// texts plain / several languages / en only / without en, all four approval modes (quorum 1
// included), durations both ways, terminal-stage actions, explicit transitions with and without
// `when`, a default that is not last, and template ids that are not XML ids.

const ROLES = ['owner', 'sales_director', 'finance', 'legal'] as const;
const CHARS = [...'abcXYZ019 <>&"\'=,;.:-_/中文方案\n'];
const plainText = fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 16 }).map((cs) => cs.join('')).filter((s) => s.trim() !== '');
const langs = fc.uniqueArray(fc.constantFrom('en', 'zh', 'de', 'zh-TW'), { minLength: 1, maxLength: 3 });
const text = fc.oneof(
  plainText,
  langs.chain((ls) => fc.tuple(...ls.map((l) => plainText.map((t) => [l, t] as const))).map((es) => Object.fromEntries(es))),
);
const message = fc.oneof(text, fc.constant('{title} is in {stage} at {amount}'), fc.constant({ en: '{owner}: {title}', zh: '{title} 阶段 {stage}' }));
const duration = fc.oneof(fc.constantFrom('P3D', 'PT4H', 'P1W', 'P1Y2M3DT4H5M6S'), fc.integer({ min: 1, max: 30 }).map((n) => ({ businessDays: n })));
const feel = fc.constantFrom('amount > 0', '=amount >= 1000000', 'amount > 10 and amount < 5000', 'region = "north"', 'discount > 0.1');
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const subset = <T>(xs: readonly T[], min = 0) => fc.subarray([...xs], { minLength: min });

type Kind = 'task' | 'approval' | 'notify' | 'emit' | 'reassign';

interface ActionShape {
  kind: Kind;
  title: unknown;
  role: string | undefined;
  user: boolean;
  due: unknown;
  when: string | undefined;
  approvers: string[];
  mode: unknown;
  message: unknown;
  type: string;
}

const actionShape: fc.Arbitrary<ActionShape> = fc.record({
  kind: fc.constantFrom<Kind>('task', 'approval', 'notify', 'emit', 'reassign'),
  title: opt(text),
  role: opt(fc.constantFrom(...ROLES)),
  user: fc.boolean(),
  due: opt(duration),
  when: opt(feel),
  approvers: fc.uniqueArray(fc.constantFrom<string>(...ROLES.slice(1), 'user:ann', 'user:bob'), { minLength: 1, maxLength: 3 }),
  mode: fc.oneof(fc.constantFrom('all', 'any', 'sequential'), fc.integer({ min: 1, max: 3 }).map((quorum) => ({ quorum }))),
  message,
  type: fc.constantFrom('quote.requested', 'erp.sync', 'deal.closed'),
});

const stageShape = fc.record({
  name: text,
  probability: opt(fc.integer({ min: 0, max: 100 })),
  forecast: opt(fc.constantFrom('pipeline', 'best_case', 'commit', 'closed', 'omitted')),
  guidance: opt(text),
  allowBack: opt(fc.boolean()),
  onEnter: opt(fc.array(actionShape, { maxLength: 4 })),
  requireFields: subset(['region', 'discount', 'amount']),
  requireCreated: fc.boolean(),
  deliverables: fc.array(text, { maxLength: 2 }),
  checks: fc.array(fc.record({ keyed: fc.boolean(), when: feel, message: opt(message) }), { maxLength: 2 }),
  emptyRequires: fc.boolean(),
  sla: opt(fc.record({ within: duration, onBreach: opt(fc.array(actionShape, { maxLength: 2 })) })),
  advance: opt(subset(ROLES)),
  lose: opt(subset(ROLES)),
  transitions: fc.constantFrom('default', 'next', 'next-when', 'branch', 'two-plain'),
});

export const rawTemplate = fc.record({
  id: fc.oneof(fc.constantFrom('sale', 'b2b-x', 'q1'), fc.constantFrom('2026-plan', '9', 's1')),
  version: fc.integer({ min: 1, max: 9 }),
  name: text,
  currency: opt(fc.constantFrom('CNY', 'USD')),
  roles: subset(ROLES),
  amountRequired: fc.boolean(),
  amountLabel: opt(text),
  region: fc.boolean(),
  idleAfter: opt(duration),
  export: opt(subset(EVENT_TYPES)),
  permissions: opt(fc.record({ advance: opt(subset(ROLES)), reopen: opt(subset(ROLES)), completeTask: opt(subset(ROLES)) })),
  lossReasons: subset(['price', 'timing', 'competitor'], 1),
  open: fc.array(stageShape, { minLength: 1, maxLength: 4 }),
  wonActions: opt(fc.array(fc.record({ kind: fc.constantFrom<Kind>('notify', 'emit'), message, type: fc.constantFrom('deal.won', 'erp.sync') }), { maxLength: 2 })),
  lostFirst: fc.boolean(),
  terminalMeta: fc.boolean(),
}).map((t) => {
  let n = 0;
  const roles = [...new Set(['owner', ...t.roles])];
  const fields: Record<string, unknown> = {
    amount: { type: 'money', ...(t.amountRequired ? { required: true } : {}), ...(t.amountLabel === undefined ? {} : { label: t.amountLabel }) },
    discount: { type: 'number', min: 0, max: 1 },
  };
  if (t.region) fields['region'] = { type: 'enum', options: ['north', 'south'], dimension: true, label: { en: 'Region', zh: '区域' } };
  const fieldOk = (f: string) => f in fields;
  const feelOk = (w: string | undefined) => w === undefined || !w.includes('region') || t.region;
  const action = (a: ActionShape, created: { tasks: string[]; approvals: string[] }): Record<string, unknown> => {
    const when = feelOk(a.when) ? a.when : undefined;
    switch (a.kind) {
      case 'task': {
        const key = `t${++n}`;
        created.tasks.push(key);
        const role = a.role && roles.includes(a.role) ? a.role : undefined;
        return { task: { key, title: a.title ?? 'Task', ...(a.user ? { user: `user${n}` } : role ? { role } : {}), ...(a.due ? { due: a.due } : {}), ...(when ? { when } : {}) } };
      }
      case 'approval': {
        const key = `a${++n}`;
        created.approvals.push(key);
        const approvers = a.approvers.filter((s) => s.startsWith('user:') || roles.includes(s));
        const slots = approvers.length ? approvers : ['user:zed'];
        const mode = typeof a.mode === 'object' ? { quorum: Math.min((a.mode as { quorum: number }).quorum, slots.length) } : a.mode;
        return { approval: { key, ...(a.title === undefined ? {} : { title: a.title }), approvers: slots, mode, ...(a.due ? { due: a.due } : {}), ...(when ? { when } : {}) } };
      }
      case 'reassign':
        return { reassign: { ...(a.user || created.tasks.length === 0 ? {} : { task: created.tasks[0] }), to: a.user ? 'user:ann' : 'owner', ...(when ? { when } : {}) } };
      case 'notify':
        return { notify: { to: a.user ? 'user:ann' : 'owner', message: a.message, ...(when ? { when } : {}) } };
      default:
        return { emit: { type: a.type, ...(when ? { when } : {}) } };
    }
  };

  const stageKeys = t.open.map((_, i) => `s${i + 1}`);
  const stages = t.open.map((s, i) => {
    const created = { tasks: [] as string[], approvals: [] as string[] };
    const stage: Record<string, unknown> = { key: stageKeys[i], name: s.name };
    if (s.probability !== undefined) stage['probability'] = s.probability;
    if (s.forecast !== undefined) stage['forecast'] = s.forecast;
    if (s.guidance !== undefined) stage['guidance'] = s.guidance;
    if (s.allowBack !== undefined) stage['allowBack'] = s.allowBack;
    if (s.onEnter !== undefined) stage['onEnter'] = s.onEnter.map((a) => action(a, created));
    const req: Record<string, unknown> = {};
    const rf = s.requireFields.filter(fieldOk);
    if (rf.length) req['fields'] = rf;
    if (s.requireCreated && created.tasks.length) req['tasks'] = [...created.tasks];
    if (s.requireCreated && created.approvals.length) req['approvals'] = [...created.approvals];
    if (s.deliverables.length) req['deliverables'] = s.deliverables.map((name) => ({ key: `d${++n}`, name }));
    const checks = s.checks.filter((c) => feelOk(c.when));
    if (checks.length) req['checks'] = checks.map((c) => ({ ...(c.keyed ? { key: `c${++n}` } : {}), when: c.when, ...(c.message === undefined ? {} : { message: c.message }) }));
    if (Object.keys(req).length || s.emptyRequires) stage['requires'] = req;
    if (s.sla) stage['sla'] = { within: s.sla.within, ...(s.sla.onBreach ? { onBreach: s.sla.onBreach.map((a) => action(a, created)) } : {}) };
    const perms: Record<string, unknown> = {};
    if (s.advance) perms['advance'] = s.advance.filter((r) => roles.includes(r));
    if (s.lose) perms['lose'] = s.lose.filter((r) => roles.includes(r));
    if (Object.keys(perms).length) stage['permissions'] = perms;
    return stage;
  });

  const won: Record<string, unknown> = { key: 'won', name: { en: 'Won', zh: '赢单' }, outcome: 'won' };
  const lost: Record<string, unknown> = { key: 'lost', name: 'Lost', outcome: 'lost' };
  if (t.terminalMeta) Object.assign(won, { probability: 100, forecast: 'closed', guidance: 'Hand over to delivery' });
  if (t.wonActions) won['onEnter'] = t.wonActions.map((a) => (a.kind === 'emit' ? { emit: { type: a.type } } : { notify: { to: 'owner', message: a.message } }));

  // transitions: every stage keeps a way to the next, so every stage is reachable and can reach won
  const transitions: Record<string, unknown>[] = [];
  t.open.forEach((s, i) => {
    const from = stageKeys[i]!;
    const next = stageKeys[i + 1] ?? 'won';
    const later = stageKeys[i + 2] ?? 'won';
    switch (s.transitions) {
      case 'next': transitions.push({ from, to: next }); break;
      case 'next-when': transitions.push({ from, to: next, when: 'amount > 0' }); break;
      case 'branch':
        if (later !== next) transitions.push({ from, to: later, when: '=amount >= 1000000' });
        transitions.push({ from, to: next });
        break;
      case 'two-plain':
        transitions.push({ from, to: next });
        if (later !== next) transitions.push({ from, to: later });
        break;
      default:
    }
  });

  const raw: Record<string, unknown> = {
    id: t.id,
    version: t.version,
    name: t.name,
    roles,
    fields,
    lossReasons: t.lossReasons,
    stages: [...stages, ...(t.lostFirst ? [lost, won] : [won, lost])],
  };
  if (t.currency) raw['currency'] = t.currency;
  if (t.idleAfter) raw['idleAfter'] = t.idleAfter;
  if (t.export) raw['export'] = t.export;
  if (t.permissions) {
    const p = Object.fromEntries(Object.entries(t.permissions).filter(([, v]) => v !== undefined).map(([k, v]) => [k, (v as string[]).filter((r) => roles.includes(r))]));
    if (Object.keys(p).length) raw['permissions'] = p;
  }
  if (transitions.length) raw['transitions'] = transitions;
  return raw;
});
