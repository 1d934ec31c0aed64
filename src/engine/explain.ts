/** explain: what the salesperson should do next, and which moves are open or why not. */
import { WinpathError } from '../errors/index.js';
import { decide, evaluateRequirements, msg, type CompiledProcess, type DecideEnv, type RequirementStatus } from '../machine/index.js';
import { isOpenStage, stageForecast, stageProbability, textFor, type Actor, type Approval, type DealState, type ForecastCategory, type Task } from '../model/index.js';

export interface ExplainOptions {
  lang?: 'zh' | 'en';
  /** The pre-flight for one target stage: is this move allowed, and if not why. */
  to?: string;
  /** Judge permissions as this actor; default: the owner holding every template role (requirements only). */
  actor?: Actor;
}

export interface NextMove {
  stage: string;
  name: string;
  kind: 'forward' | 'won' | 'back' | 'lost' | 'reopen';
  allowed: boolean;
  /** Why not (unmet requirements, a closed transition, a permission), in the asked language. */
  reasons: string[];
  code?: string;
}

export interface Explanation {
  opportunityId: string;
  title: string;
  status: 'open' | 'won' | 'lost';
  idle: boolean;
  lang: string;
  stage: { key: string; name: string; guidance: string; probability: number; forecast: ForecastCategory };
  requirements: RequirementStatus[];
  unmet: { kind: string; key: string; message: string }[];
  tasks: Task[];
  approvals: Approval[];
  /** Where `advance()` without `to` would go now, if anywhere. */
  defaultNext: string | null;
  next: NextMove[];
  /** One line: the next thing to do. */
  summary: string;
}

export function explainDeal(p: CompiledProcess, state: DealState, env: DecideEnv, opts: ExplainOptions): Explanation {
  const lang = env.lang;
  const o = state.opportunity;
  const stage = p.stage(o.stage)!;
  const actor: Actor = opts.actor ?? { id: o.owner, roles: [...p.def.roles] };
  const requirements = o.status === 'open' ? evaluateRequirements(p, state, env, lang) : [];
  const unmet = requirements.filter((r) => !r.met).map(({ kind, key, message }) => ({ kind, key, message }));
  const attempt = (cmd: Parameters<typeof decide>[2]): { allowed: boolean; reasons: string[]; code?: string; to?: string } => {
    try {
      const d = decide(p, state, cmd, env);
      return { allowed: true, reasons: [], to: d.state.opportunity.stage };
    } catch (e) {
      if (!(e instanceof WinpathError)) throw e;
      const reasons = e.details.unmet?.map((u) => u.message) ?? [e.message.replace(/^\[[A-Z_]+\] /, '').split('\n')[0]!];
      return { allowed: false, reasons, code: e.code };
    }
  };
  const next: NextMove[] = [];
  const push = (key: string, kind: NextMove['kind'], r: ReturnType<typeof attempt>) => {
    const m: NextMove = { stage: key, name: textFor(p.stage(key)?.name, lang), kind, allowed: r.allowed, reasons: r.reasons };
    if (r.code !== undefined) m.code = r.code;
    next.push(m);
  };
  let defaultNext: string | null = null;
  if (o.status === 'open') {
    const d = attempt({ type: 'advance', actor });
    defaultNext = d.allowed ? d.to ?? null : null;
    const seen = new Set<string>();
    for (const t of p.transitionsFrom(stage.key)) {
      if (seen.has(t.to)) continue;
      seen.add(t.to);
      push(t.to, p.stage(t.to)?.outcome === 'won' ? 'won' : 'forward', attempt({ type: 'advance', to: t.to, actor }));
    }
    for (const s of p.def.stages.filter(isOpenStage)) {
      if (p.stageIndex(s.key) >= p.stageIndex(stage.key)) break;
      if (!seen.has(s.key)) push(s.key, 'back', attempt({ type: 'advance', to: s.key, reason: 'explain', actor }));
    }
    push(p.lostStage.key, 'lost', attempt({ type: 'lose', reason: p.def.lossReasons[0]!, actor }));
  } else if (o.status === 'lost' && state.lostFrom) {
    push(state.lostFrom, 'reopen', attempt({ type: 'reopen', actor }));
  }
  const filtered = opts.to === undefined ? next : next.filter((m) => m.stage === opts.to);
  if (opts.to !== undefined && filtered.length === 0) {
    filtered.push({ stage: opts.to, name: textFor(p.stage(opts.to)?.name, lang) || opts.to, kind: 'forward', allowed: false, reasons: [p.stage(opts.to) ? `no move from "${stage.key}" to "${opts.to}"` : `stage "${opts.to}" is not in the template`], code: 'INPUT_INVALID' });
  }
  const localize = <T extends { key: string; title: string }>(x: T): T => ({ ...x, title: textFor(p.childTitle(x.key), lang) || x.title });
  const openTasks = state.tasks.filter((t) => t.status === 'open').map(localize);
  const pending = state.approvals.filter((a) => a.status === 'pending').map(localize);
  let summary: string;
  if (o.status !== 'open') summary = msg('closed', lang, msg(o.status === 'won' ? 'won' : 'lost', lang));
  else if (unmet.length > 0) summary = msg('nextStep', lang, unmet[0]!.message);
  else if (defaultNext) summary = msg('readyToAdvance', lang, textFor(p.stage(defaultNext)?.name, lang));
  else summary = msg('nextStep', lang, next.find((m) => m.kind !== 'lost' && m.kind !== 'back')?.reasons[0] ?? '');
  if (o.idle) summary = `${msg('idle', lang)}. ${summary}`;
  return {
    opportunityId: o.id, title: o.title, status: o.status, idle: o.idle, lang,
    stage: { key: stage.key, name: textFor(stage.name, lang), guidance: textFor(stage.guidance, lang), probability: stageProbability(stage), forecast: stageForecast(stage) },
    requirements, unmet, tasks: openTasks, approvals: pending, defaultNext, next: filtered, summary,
  };
}
