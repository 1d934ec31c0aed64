import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, it, expect } from 'vitest';
import { loadTemplate, parseTemplate, toYaml, type ProcessDefinition } from 'winpath';
import { definitionSource } from '../../src/template/index.js';

const minimalSource = readFileSync(new URL('../fixtures/templates/valid/minimal.yaml', import.meta.url), 'utf8');

function parseYaml(source: string, fileName?: string): Promise<ProcessDefinition> {
  return parseTemplate(source, fileName === undefined ? { format: 'yaml' } : { format: 'yaml', fileName });
}

/** Every object key anywhere in a value (own enumerable keys, as JSON sees them). */
function allKeys(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) allKeys(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      allKeys(v, out);
    }
  }
  return out;
}

/** True when the value and everything inside it is frozen. */
function deeplyFrozen(value: unknown): boolean {
  if (!value || typeof value !== 'object') return true;
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen);
}

describe('toYaml: parseTemplate(toYaml(def)) is def', () => {
  it('for the shipped b2b-standard template', async () => {
    // given the shipped template
    const def = await loadTemplate('b2b-standard');
    // when written as YAML and read back
    const back = await parseYaml(toYaml(def));
    // then it is the same definition, as data
    expect(back).toStrictEqual(def);
  });

  it('for minimal.yaml', async () => {
    const def = await parseYaml(minimalSource);
    const back = await parseYaml(toYaml(def));
    expect(back).toStrictEqual(def);
  });

  it('writes YAML that names the template and its format version in a header comment', async () => {
    const def = await parseYaml(minimalSource);
    expect(toYaml(def).split('\n')[0]).toBe('# winpath template minimal@1 (format v1)');
  });

  it('writes the canonical form: what the source left implicit is explicit in the YAML', async () => {
    // given minimal.yaml, which has no transitions and no approval mode
    expect(minimalSource).not.toMatch(/^transitions:/m);
    expect(minimalSource).not.toContain('mode:');
    // when written back
    const yaml = toYaml(await parseYaml(minimalSource));
    // then the transitions and the approval mode are written out
    expect(yaml).toMatch(/^transitions:/m);
    expect(yaml).toContain('mode: all');
  });
});

describe('parseTemplate: the canonical definition', () => {
  it('lists a transition for every open stage (the defaults made explicit)', async () => {
    const def = await parseYaml(minimalSource);
    expect(def.transitions).toEqual([
      { from: 'qualify', to: 'propose' },
      { from: 'propose', to: 'negotiate' },
      { from: 'negotiate', to: 'won' },
    ]);
  });

  it('gives an approval without `mode` the mode all (countersign)', async () => {
    const def = await parseYaml(minimalSource);
    expect(def.stages[1]!.onEnter![0]).toEqual({ approval: { key: 'discount-ok', approvers: ['manager'], mode: 'all', when: 'discount > 0.1' } });
  });

  it('keeps an approval mode given in the source', async () => {
    const def = await parseYaml(minimalSource.replace('approvers: [manager]', 'approvers: [manager, owner], mode: { quorum: 2 }'));
    expect(def.stages[1]!.onEnter![0]).toMatchObject({ approval: { mode: { quorum: 2 } } });
  });

  it('implies an optional money field `amount` when the template declares none', async () => {
    // given minimal.yaml without its amount field
    const source = minimalSource.replace(/^ {2}amount: .*\n/m, '');
    expect(source).not.toMatch(/^\s+amount:/m);
    // when parsed
    const def = await parseYaml(source);
    // then amount is there, as money, not required
    expect(def.fields['amount']).toEqual({ type: 'money' });
    // and it survives the round trip as an explicit field
    expect(toYaml(def)).toMatch(/^ {2}amount:\n {4}type: money$/m);
    expect(await parseYaml(toYaml(def))).toStrictEqual(def);
  });

  it('keeps a declared amount field as declared', async () => {
    const def = await parseYaml(minimalSource);
    expect(def.fields['amount']).toEqual({ type: 'money', label: { en: 'Amount', zh: '金额' } });
  });

  it('gives absent roles and fields their defaults', async () => {
    const source = minimalSource
      .replace(/^roles: .*\n/m, '')
      .replace(/^permissions:\n.*\n/m, '')
      .replace(/^fields:\n(?: {2}.*\n)+/m, '')
      .replace('      fields: [region]\n', '')
      .replace('when: "discount > 0.1"', 'when: "amount > 1000"')
      .replace('approvers: [manager]', 'approvers: [owner]')
      .replace('to: manager', 'to: owner');
    const def = await parseYaml(source);
    expect(def.roles).toEqual([]);
    expect(def.fields).toEqual({ amount: { type: 'money' } });
    expect(def).not.toHaveProperty('permissions');
  });

  it('is deeply frozen', async () => {
    const def = await parseYaml(minimalSource);
    expect(deeplyFrozen(def)).toBe(true);
    expect(() => {
      (def as { id: string }).id = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (def.transitions as unknown as unknown[]).push({ from: 'won', to: 'lost' });
    }).toThrow(TypeError);
  });

  it('keeps source places out of the data', async () => {
    // given a definition read from a named file
    const def = await parseYaml(minimalSource, 'templates/minimal.yaml');
    // then no enumerable key holds a file, line, column or path
    const keys = allKeys(def);
    for (const k of ['file', 'line', 'column', 'path', 'source', 'range']) expect(keys.has(k), `key "${k}"`).toBe(false);
    expect(JSON.stringify(def)).not.toContain('templates/minimal.yaml');
    expect(Object.keys(def).sort()).toEqual(['currency', 'fields', 'id', 'lossReasons', 'name', 'permissions', 'roles', 'stages', 'transitions', 'version']);
    // and the same template read under another name is equal as data
    expect(await parseYaml(minimalSource, 'elsewhere/other.yaml')).toStrictEqual(def);
  });

  it('still knows where each node came from, beside the data', async () => {
    const def = await parseYaml(minimalSource, 'templates/minimal.yaml');
    const source = definitionSource(def);
    expect(source?.file).toBe('templates/minimal.yaml');
    const line = minimalSource.split('\n').findIndex((l) => l.includes('- key: propose')) + 1;
    expect(source?.locate(['stages', 1, 'key']).line).toBe(line);
  });
});

// ---- property: parse(toYaml(parse(x))) equals parse(x) for generated valid templates ----

const TEXTS = ['Proposal / quote', '方案报价', 'yes', 'null', 'true', '123', '0x1F', '{title} moved on', "it's", '# not a comment', 'a: b', '- dash', ' padded ', 'two\nlines', '"quoted"', '@at', '*star', '&amp', '!bang', '%pct', '`tick`'];
const textArb = fc.oneof(
  fc.constantFrom(...TEXTS),
  fc.record({ en: fc.constantFrom(...TEXTS), zh: fc.constantFrom('报价', '商务谈判', '是', '否', 'null') }),
);
const optionArb = fc.constantFrom('north', 'south', '1', 'true', 'null', 'on', 'a b', '~', '2026-01-05');
const FIELD_KEYS = ['region', 'budget', 'segment', 'score', 'closeDate', 'notes', 'tags', 'rep', 'discount', 'won_reason'];

const fieldArb = fc.oneof(
  fc.record({ type: fc.constantFrom('string', 'text', 'boolean', 'date', 'user', 'list'), required: fc.boolean(), dimension: fc.boolean(), label: textArb }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('enum'), options: fc.uniqueArray(optionArb, { minLength: 1, maxLength: 4 }), dimension: fc.boolean() }, { requiredKeys: ['type', 'options'] }),
  fc.tuple(fc.constantFrom('number', 'money'), fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }), fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), fc.boolean())
    .map(([type, lo, span, required]) => ({ type, required, ...(lo === undefined ? {} : { min: type === 'money' ? Math.abs(lo) : lo }), ...(lo === undefined || span === undefined ? {} : { max: (type === 'money' ? Math.abs(lo) : lo) + span + 0.5 }) })),
);

const durationArb = fc.oneof(fc.constantFrom('P3D', 'PT4H', 'P1W', 'P1Y2M3DT4H5M6S'), fc.integer({ min: 1, max: 30 }).map((n) => ({ businessDays: n })));
const amountWhenArb = fc.tuple(fc.constantFrom('>', '>=', '<', '<='), fc.integer({ min: 0, max: 5_000_000 })).map(([op, n]) => `amount ${op} ${n}`);

const templateArb = fc
  .record({
    fieldKeys: fc.subarray(FIELD_KEYS),
    openKeys: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,9}$/), { minLength: 1, maxLength: 6 })
      .filter((keys) => keys.every((k) => k !== 'won' && k !== 'lost' && !k.endsWith('-task'))),
    amount: fc.option(fc.record({ type: fc.constant('money'), required: fc.boolean() }, { requiredKeys: ['type'] }), { nil: undefined }),
  })
  .chain(({ fieldKeys, openKeys, amount }) => {
    const fieldsArb = fc.tuple(...fieldKeys.map(() => fieldArb)).map((defs) => {
      const fields: Record<string, unknown> = {};
      fieldKeys.forEach((k, i) => (fields[k] = defs[i]));
      if (amount) fields['amount'] = amount;
      return fields;
    });
    const stageArb = (key: string) =>
      fc.record(
        {
          name: textArb,
          probability: fc.integer({ min: 0, max: 100 }),
          allowBack: fc.boolean(),
          guidance: textArb,
          task: fc.record({ title: textArb, due: durationArb }, { requiredKeys: ['title'] }),
          requiredFields: fc.subarray(fieldKeys),
          check: amountWhenArb,
        },
        { requiredKeys: ['name'] },
      ).map((s) => {
        const stage: Record<string, unknown> = { key, name: s.name };
        if (s.probability !== undefined) stage['probability'] = s.probability;
        if (s.allowBack !== undefined) stage['allowBack'] = s.allowBack;
        if (s.guidance !== undefined) stage['guidance'] = s.guidance;
        const requires: Record<string, unknown> = {};
        if (s.task) {
          stage['onEnter'] = [{ task: { key: `${key}-task`, role: 'owner', ...s.task } }];
          requires['tasks'] = [`${key}-task`];
        }
        if (s.requiredFields && s.requiredFields.length > 0) requires['fields'] = s.requiredFields;
        if (s.check) requires['checks'] = [{ when: s.check }];
        if (Object.keys(requires).length > 0) stage['requires'] = requires;
        return stage;
      });
    // explicit transitions for some open stages: conditional choices on amount, then the default to the next
    const transitionsArb = fc.tuple(
      ...openKeys.map((from, i) => {
        const next = openKeys[i + 1] ?? 'won';
        const targets = [...openKeys.filter((k) => k !== from), 'won'];
        return fc.option(fc.uniqueArray(fc.record({ to: fc.constantFrom(...targets), when: amountWhenArb }), { maxLength: 3, selector: (t) => `${t.to} ${t.when}` }), { nil: undefined })
          .map((choices) => (choices === undefined ? [] : [...choices.map((c) => ({ from, ...c })), { from, to: next }]));
      }),
    ).map((lists) => lists.flat());
    return fc.record({ fields: fieldsArb, stages: fc.tuple(...openKeys.map(stageArb)), transitions: transitionsArb }).map(({ fields, stages, transitions }) => {
      const raw: Record<string, unknown> = {
        id: 'generated',
        version: 1,
        name: 'Generated',
        roles: ['owner'],
        fields,
        lossReasons: ['price'],
        stages: [...stages, { key: 'won', name: 'Won', outcome: 'won' }, { key: 'lost', name: 'Lost', outcome: 'lost' }],
      };
      if (transitions.length > 0) raw['transitions'] = transitions;
      return raw;
    });
  });

describe('toYaml: round trip of generated templates (fast-check)', () => {
  it('parse(toYaml(parse(x))) equals parse(x)', async () => {
    await fc.assert(
      fc.asyncProperty(templateArb, async (raw) => {
        // given a valid template
        const def = await parseYaml(stringify(raw));
        // then the canonical form lists a transition from every open stage, and none into lost
        const open = def.stages.filter((s) => s.outcome === undefined).map((s) => s.key);
        expect(new Set(def.transitions.map((t) => t.from))).toEqual(new Set(open));
        expect(def.transitions.some((t) => t.to === 'lost')).toBe(false);
        // when written as YAML and read back, it is the same definition
        const yaml = toYaml(def);
        expect(await parseYaml(yaml)).toStrictEqual(def);
        // and writing it again gives the same text
        expect(toYaml(await parseYaml(yaml))).toBe(yaml);
      }),
      { numRuns: 250 },
    );
  });
});
