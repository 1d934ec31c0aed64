/** A definition prepared for running: stage index, compiled expressions, the xstate machine. Built once per definition. */
import { compileExpression, definitionScope, type CompiledExpression, type ExpressionScope } from '../expressions/index.js';
import { isOpenStage, type I18nText, type ProcessDefinition, type StageDef, type TransitionDef } from '../model/index.js';
import { createStageMachine, type StageMachine } from './stage-machine.js';

export interface CompiledProcess {
  def: ProcessDefinition;
  stage(key: string): StageDef | undefined;
  stageIndex(key: string): number;
  firstStage: StageDef;
  wonStage: StageDef;
  lostStage: StageDef;
  transitionsFrom(key: string): readonly TransitionDef[];
  /** Every expression of the template, compiled once (by source text). */
  expression(source: string): CompiledExpression;
  machine: StageMachine;
  scope: ExpressionScope;
  /** The template title of a task or approval key, for messages in any language. */
  childTitle(key: string): I18nText | undefined;
}

const cache = new WeakMap<ProcessDefinition, CompiledProcess>();

export function compileProcess(def: ProcessDefinition): CompiledProcess {
  const hit = cache.get(def);
  if (hit) return hit;
  const byKey = new Map(def.stages.map((s, i) => [s.key, { s, i }]));
  const from = new Map<string, TransitionDef[]>();
  for (const t of def.transitions) {
    const list = from.get(t.from) ?? [];
    list.push(t);
    from.set(t.from, list);
  }
  const scope = definitionScope(def);
  const exprs = new Map<string, CompiledExpression>();
  const expression = (source: string): CompiledExpression => {
    let e = exprs.get(source);
    if (!e) {
      e = compileExpression(source, { scope });
      exprs.set(source, e);
    }
    return e;
  };
  const find = (pred: (s: StageDef) => boolean): StageDef => {
    const s = def.stages.find(pred);
    if (!s) throw new Error(`definition ${def.id} lacks a stage`);
    return s;
  };
  const titles = new Map<string, I18nText>();
  for (const s of def.stages) {
    for (const a of [...(s.onEnter ?? []), ...(s.sla?.onBreach ?? [])]) {
      const r = a as unknown as Record<string, { key?: string; title?: I18nText } | undefined>;
      const spec = r['task'] ?? r['approval'];
      if (spec?.key) titles.set(spec.key, spec.title ?? spec.key);
    }
  }
  const compiled: CompiledProcess = {
    childTitle: (key) => titles.get(key),
    def,
    stage: (key) => byKey.get(key)?.s,
    stageIndex: (key) => byKey.get(key)?.i ?? -1,
    firstStage: find(isOpenStage),
    wonStage: find((s) => s.outcome === 'won'),
    lostStage: find((s) => s.outcome === 'lost'),
    transitionsFrom: (key) => from.get(key) ?? [],
    expression,
    machine: createStageMachine(def),
    scope,
  };
  cache.set(def, compiled);
  return compiled;
}
