import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintTemplate, parseTemplate } from 'winpath';

const minimal = readFileSync(new URL('../fixtures/templates/valid/minimal.yaml', import.meta.url), 'utf8');
// minimal.yaml has no stage guidance: NO_GUIDANCE is checked on its own below and left out elsewhere
const lint = async (src: string) => lintTemplate(await parseTemplate(src, { format: 'yaml' })).filter((f) => f.code !== 'NO_GUIDANCE');
const codes = async (src: string) => (await lint(src)).map((f) => f.code);

describe('lintTemplate', () => {
  it('finds nothing wrong with the minimal template but its missing guidance', async () => {
    expect(await lint(minimal)).toEqual([]);
    const all = lintTemplate(await parseTemplate(minimal, { format: 'yaml' }));
    expect(all.map((f) => [f.code, f.path])).toEqual([['NO_GUIDANCE', ['stages', 0]], ['NO_GUIDANCE', ['stages', 1]], ['NO_GUIDANCE', ['stages', 2]]]);
  });

  it('flags a transition after an unconditional one as dead', async () => {
    const src = `${minimal}transitions:\n  - { from: qualify, to: propose }\n  - { from: qualify, to: negotiate, when: "amount > 5" }\n`;
    expect(await lint(src)).toMatchObject([{ level: 'warning', code: 'DEAD_TRANSITION', path: ['transitions', 1] }]);
  });

  it('flags guards that can never hold given the field types, options and bounds', async () => {
    const t = (when: string) => `${minimal}transitions:\n  - { from: qualify, to: negotiate, when: '${when}' }\n  - { from: qualify, to: propose }\n`;
    for (const when of ['discount > 1', 'discount < 0', 'region = "mars"', 'amount < 0', 'region = 5', 'discount > 0.5 and discount < 0.2', 'discount = "high"']) {
      expect(await codes(t(when)), when).toEqual(['TRANSITION_NEVER_HOLDS']);
    }
    for (const when of ['discount > 0.5', 'region = "north"', 'amount >= 1000000', 'discount > 0.5 or region = "mars"', 'count(deliverables) > 0']) {
      expect(await codes(t(when)), when).toEqual([]);
    }
  });

  it('flags a check that can never hold as an error, and an action that never runs as a warning', async () => {
    const src = minimal.replace('when: "amount > 0"', 'when: "discount >= 2"').replace('when: "discount > 0.1"', 'when: "region = \\"mars\\""');
    expect((await lint(src)).map((f) => [f.level, f.code])).toEqual([['error', 'CHECK_NEVER_HOLDS'], ['warning', 'ACTION_NEVER_RUNS']]);
  });

  it('flags requirements that never bind, falling probabilities, SLAs shorter than their tasks, missing guidance', async () => {
    const src = minimal
      .replace('tasks: [first-call]', 'tasks: [first-call]\n    sla: { within: P1D }')
      .replace('probability: 40', 'probability: 5')
      .replace("name: { en: Qualify, zh: 资格确认 }", "name: { en: Qualify, zh: 资格确认 }\n    guidance: Qualify");
    expect(await codes(src)).toEqual(expect.arrayContaining(['SLA_SHORTER_THAN_TASK', 'PROBABILITY_NOT_RISING']));
  });
});
