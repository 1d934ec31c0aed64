import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { listTemplates, loadTemplate, parseTemplate, toBpmn, toYaml, WinpathError, type ProcessDefinition } from 'winpath';
import { rawTemplate } from './arbitrary-template.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bpmn/${name}`, import.meta.url), 'utf8');

function usesSet(def: ProcessDefinition): boolean {
  return def.stages.some((s) => [...(s.onEnter ?? []), ...(s.sla?.onBreach ?? [])].some((a) => 'set' in a));
}

async function viaBpmn(def: ProcessDefinition): Promise<ProcessDefinition> {
  return parseTemplate(await toBpmn(def), { format: 'bpmn', fileName: `${def.id}.bpmn` });
}

describe('yaml -> definition -> bpmn -> definition is the identity', () => {
  it('for every shipped template', async () => {
    const shipped = listTemplates();
    expect(shipped.length).toBeGreaterThan(0);
    for (const t of shipped) {
      const def = await loadTemplate(t.file);
      if (usesSet(def)) {
        // `set` is YAML-only (DESIGN.md section 3): such a template is refused, never half-written
        await expect(toBpmn(def), t.id).rejects.toMatchObject({ code: 'UNSUPPORTED_BPMN' });
        continue;
      }
      expect(await viaBpmn(def), t.id).toStrictEqual(def);
    }
  });

  it('for b2b-standard, whose committed BPMN file loads to the same definition as its YAML', async () => {
    const fromYaml = await loadTemplate('b2b-standard');
    const fromBpmn = await loadTemplate(new URL('../../templates/b2b-standard.bpmn', import.meta.url).pathname);
    expect(fromBpmn).toStrictEqual(fromYaml);
    expect(await viaBpmn(fromBpmn)).toStrictEqual(fromYaml);
  });

  it('for the hand-written file using every mapped element, which equals its YAML twin', async () => {
    const fromBpmn = await parseTemplate(fixture('every-element.bpmn'), { format: 'bpmn', fileName: 'every-element.bpmn' });
    const fromYaml = await parseTemplate(fixture('every-element.yaml'), { format: 'yaml' });
    expect(fromBpmn).toStrictEqual(fromYaml);
    expect(await viaBpmn(fromBpmn)).toStrictEqual(fromBpmn);
    // and through YAML too: bpmn -> definition -> yaml -> definition
    expect(await parseTemplate(toYaml(fromBpmn), { format: 'yaml' })).toStrictEqual(fromBpmn);
  });

  it('for generated templates (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(rawTemplate, async (raw) => {
        const def = await parseTemplate(stringify(raw), { format: 'yaml', fileName: 'generated.yaml' });
        const back = await viaBpmn(def);
        expect(back).toStrictEqual(def);
      }),
      { numRuns: 150, seed: 20260305 },
    );
  }, 120_000);

  it('for generated templates with a fresh seed each run', async () => {
    await fc.assert(
      fc.asyncProperty(rawTemplate, async (raw) => {
        const def = await parseTemplate(stringify(raw), { format: 'yaml', fileName: 'generated.yaml' });
        expect(await viaBpmn(def)).toStrictEqual(def);
      }),
      { numRuns: 50 },
    );
  }, 120_000);
});

describe('toBpmn output', () => {
  it('gives every flow node its incoming and outgoing flows, and every stage a diagram shape', async () => {
    const def = await loadTemplate('b2b-standard');
    const xml = await toBpmn(def);
    for (const s of def.stages) expect(xml).toContain(`<bpmndi:BPMNShape id="${s.key}_di" bpmnElement="${s.key}">`);
    const flows = [...xml.matchAll(/<bpmn:sequenceFlow id="([^"]+)" sourceRef="([^"]+)" targetRef="([^"]+)"/g)];
    expect(flows.length).toBe(def.transitions.length + 1);
    for (const [, id, from, to] of flows) {
      expect(xml).toMatch(new RegExp(`<bpmn:[a-zA-Z]+ id="${from}"[^]*?<bpmn:outgoing>${id}</bpmn:outgoing>`));
      expect(xml).toMatch(new RegExp(`<bpmn:[a-zA-Z]+ id="${to}"[^]*?<bpmn:incoming>${id}</bpmn:incoming>`));
      expect(xml).toContain(`<bpmndi:BPMNEdge id="${id}_di" bpmnElement="${id}">`);
    }
    // the actions inside each stage are drawn in the stage's own (drill-down) plane
    expect(xml).toContain('<bpmndi:BPMNPlane id="BPMNPlane_proposal" bpmnElement="proposal">');
  });

  it('writes a choice as an exclusive gateway whose default flow is the plain one', async () => {
    const def = await parseTemplate(fixture('every-element.yaml'), { format: 'yaml' });
    const xml = await toBpmn(def);
    expect(xml).toMatch(/<bpmn:exclusiveGateway id="Gateway_qualify" default="(Flow_\d+)">/);
    const dflt = /default="(Flow_\d+)"/.exec(xml)![1];
    expect(xml).toContain(`<bpmn:sequenceFlow id="${dflt}" sourceRef="Gateway_qualify" targetRef="proposal" />`);
    expect(xml).toContain('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt;= 1000000</bpmn:conditionExpression>');
  });

  it('keeps a template id that is no XML id, or equals a stage key, in wp:key', async () => {
    const base = fixture('every-element.yaml');
    for (const id of ['2026-plan', 'qualify']) {
      const def = await parseTemplate(base.replace('id: every-element', `id: ${id}`), { format: 'yaml' });
      const xml = await toBpmn(def);
      expect(xml).toMatch(new RegExp(`<bpmn:process id="Process_1"[^>]* wp:key="${id}"`));
      expect((await viaBpmn(def)).id).toBe(id);
    }
  });

  it('refuses a template with a `set` action, naming where it is', async () => {
    const gated = await parseTemplate(readFileSync(new URL('../fixtures/engine/gated.yaml', import.meta.url), 'utf8'), { format: 'yaml' });
    const e = await toBpmn(gated).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(WinpathError);
    expect((e as WinpathError).code).toBe('UNSUPPORTED_BPMN');
    expect((e as WinpathError).details.path).toEqual(['stages', 0, 'onEnter', 2, 'set']);
    expect((e as WinpathError).message).toMatchInlineSnapshot(`
      "[UNSUPPORTED_BPMN] stage "qualify" has a set action, which has no BPMN form
        at stages[0].onEnter[2].set
        fix: keep this template in YAML, or move the computation into the app that calls update"
    `);
  });
});
