import { describe, it, expect } from 'vitest';
import { lintTemplate, parseTemplate, type ProcessDefinition } from 'winpath';

/** A template with the given open stage keys (each with nothing to do), won, lost, and the given transitions block. */
function template(open: string[], transitions = ''): string {
  const stages = [...open.map((k) => `  - { key: ${k}, name: ${k} }`), '  - { key: won, name: Won, outcome: won }', '  - { key: lost, name: Lost, outcome: lost }'];
  return ['id: t', 'version: 1', 'name: Transitions', 'lossReasons: [price]', 'stages:', ...stages, transitions].join('\n');
}

function parse(source: string): Promise<ProcessDefinition> {
  return parseTemplate(source, { format: 'yaml', fileName: 'x.yaml' });
}

/** Transitions as `from>to` (with `?when` when conditional), for compact expectations. */
function flows(def: ProcessDefinition): string[] {
  return def.transitions.map((t) => `${t.from}>${t.to}${t.when === undefined ? '' : `?${t.when}`}`);
}

describe('canonical transitions: the defaults', () => {
  it('without `transitions`, each open stage leads to the next open one and the last to won', async () => {
    // given four open stages and no transitions
    const def = await parse(template(['a', 'b', 'c', 'd']));
    // then the chain is explicit, in stage order, none into lost
    expect(def.transitions).toEqual([
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'd' },
      { from: 'd', to: 'won' },
    ]);
  });

  it('with a single open stage, it leads to won', async () => {
    const def = await parse(template(['only']));
    expect(flows(def)).toEqual(['only>won']);
  });

  it('skips terminal stages listed between open ones: the next OPEN stage is next', async () => {
    // given won and lost listed before the last open stage
    const source = [
      'id: t', 'version: 1', 'name: T', 'lossReasons: [price]', 'stages:',
      '  - { key: a, name: A }',
      '  - { key: lost, name: Lost, outcome: lost }',
      '  - { key: won, name: Won, outcome: won }',
      '  - { key: b, name: B }',
    ].join('\n');
    // when parsed
    const def = await parse(source);
    // then a leads to b (not to a terminal stage) and b, the last open stage, to won
    expect(flows(def)).toEqual(['a>b', 'b>won']);
  });
});

describe('canonical transitions: explicit ones', () => {
  it('a stage named under some `from` has exactly its listed transitions, in the listed order', async () => {
    // given b with a conditional choice listed before its default
    const def = await parse(template(['a', 'b', 'c', 'd'], [
      'transitions:',
      '  - { from: b, to: d, when: "amount >= 1000000" }',
      '  - { from: b, to: won, when: "amount < 10" }',
      '  - { from: b, to: c }',
    ].join('\n')));
    // then b has those three, first match first, and no other (its default b>c is the listed one, once)
    expect(flows(def).filter((f) => f.startsWith('b>'))).toEqual(['b>d?amount >= 1000000', 'b>won?amount < 10', 'b>c']);
    // and the stages not named keep their defaults
    expect(flows(def)).toEqual(['a>b', 'b>d?amount >= 1000000', 'b>won?amount < 10', 'b>c', 'c>d', 'd>won']);
  });

  it('a stage named under `from` loses its implied next stage', async () => {
    // given a whose only listed transitions skip b unless the amount is small
    const def = await parse(template(['a', 'b', 'c'], [
      'transitions:',
      '  - { from: a, to: b, when: "amount < 1000" }',
      '  - { from: a, to: c }',
    ].join('\n')));
    // then a has no unconditional a>b
    expect(flows(def).filter((f) => f.startsWith('a>'))).toEqual(['a>b?amount < 1000', 'a>c']);
  });

  it('lists transitions in stage order, whatever order the `from`s are written in', async () => {
    // given transitions written for c first, then a
    const def = await parse(template(['a', 'b', 'c'], [
      'transitions:',
      '  - { from: c, to: won }',
      '  - { from: a, to: c, when: "amount > 5" }',
      '  - { from: a, to: b }',
    ].join('\n')));
    // then a's come first (kept in their listed order), then b's default, then c's
    expect(flows(def)).toEqual(['a>c?amount > 5', 'a>b', 'b>c', 'c>won']);
  });

  it('keeps the listed order among one stage\'s transitions even when it is not the stage order', async () => {
    // given a choice whose first entry goes to the later stage
    const def = await parse(template(['a', 'b', 'c'], [
      'transitions:',
      '  - { from: a, to: c, when: "amount > 5" }',
      '  - { from: a, to: b, when: "amount <= 5" }',
    ].join('\n')));
    // then the order is as written: first match wins
    expect(flows(def).slice(0, 2)).toEqual(['a>c?amount > 5', 'a>b?amount <= 5']);
  });

  it('allows a transition back to an earlier open stage, keeping it as written', async () => {
    const def = await parse(template(['a', 'b', 'c'], [
      'transitions:',
      '  - { from: c, to: a, when: "amount = 0" }',
      '  - { from: c, to: won }',
    ].join('\n')));
    expect(flows(def)).toEqual(['a>b', 'b>c', 'c>a?amount = 0', 'c>won']);
  });

  it('keeps the `when` text as written', async () => {
    const def = await parse(template(['a'], 'transitions:\n  - { from: a, to: won, when: "= amount >= 10" }'));
    expect(def.transitions).toEqual([{ from: 'a', to: 'won', when: '= amount >= 10' }]);
  });

  it('lint warns about a transition listed after its stage\'s unconditional one (never taken)', async () => {
    // given b's default listed before a conditional choice
    const def = await parse(template(['a', 'b', 'c'], [
      'transitions:',
      '  - { from: b, to: c }',
      '  - { from: b, to: won, when: "amount > 5" }',
    ].join('\n')));
    // when linted
    const findings = lintTemplate(def).filter((f) => f.code === 'DEAD_TRANSITION');
    // then the dead one is named, at its place in the canonical list
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ level: 'warning', path: ['transitions', 2] });
    expect(findings[0]!.message).toContain('b -> won');
  });
});
