import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createEngine, lintTemplate, listTemplates, loadTemplate, memoryStore, toBpmn } from 'winpath';
import { assertEveryStageReachesWon, createFakeClock, drive, pathSteps } from 'winpath/testing';

const shipped = listTemplates();

describe('the shipped SOP templates', () => {
  it('include b2b-standard', () => {
    expect(shipped.map((t) => t.id)).toContain('b2b-standard');
  });

  for (const t of shipped) {
    describe(t.id, () => {
      it('has a BPMN twin that loads to an equal definition, and toBpmn writes that file again', async () => {
        const yaml = await loadTemplate(t.file);
        const bpmnFile = t.file.replace(/\.yaml$/, '.bpmn');
        expect(await loadTemplate(bpmnFile)).toEqual(yaml);
        expect(await toBpmn(yaml)).toBe(readFileSync(bpmnFile, 'utf8'));
      });

      it('loads, and lints with no error-level finding', async () => {
        const def = await loadTemplate(t.id);
        expect(def.id).toBe(t.id);
        expect(lintTemplate(def).filter((f) => f.level === 'error')).toEqual([]);
        assertEveryStageReachesWon(def);
      });

      it('walks a deal along every simple path to won and to lost through the engine', async () => {
        const def = await loadTemplate(t.id);
        const paths = pathSteps(def);
        expect(paths.some((p) => p.path.outcome === 'won')).toBe(true);
        expect(paths.some((p) => p.path.outcome === 'lost')).toBe(true);
        const clock = createFakeClock('2026-03-02T09:00:00.000Z');
        const engine = createEngine({ store: memoryStore(), templates: [def], clock: clock.now, resolveRole: (role) => [`${role}-a`, `${role}-b`] });
        for (const { path, steps } of paths) {
          const deal = await engine.open({ template: def.id, title: path.stages.join(' > '), owner: 'olivia', amount: 500_000, fields: requiredFields(def), actor: 'olivia' });
          const end = await drive(engine, def, deal.id, steps);
          expect([end.status, end.stage]).toEqual([path.outcome, path.stages.at(-1)]);
          const visited = (await engine.history(deal.id)).filter((e) => e.type === 'stage.entered').map((e) => e.data['stage']);
          expect(visited).toEqual(path.stages);
        }
      });
    });
  }
});

function requiredFields(def: Awaited<ReturnType<typeof loadTemplate>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(def.fields)) {
    if (!f.required || key === 'amount') continue;
    out[key] = f.type === 'enum' ? f.options![0] : f.type === 'boolean' ? true : f.type === 'number' ? (f.min ?? 1) : f.type === 'date' ? '2026-06-30' : f.type === 'list' ? ['x'] : 'x';
  }
  return out;
}
