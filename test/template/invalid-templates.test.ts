import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseTemplate, WinpathError, type ErrorCode } from 'winpath';

// Each file in fixtures/templates/invalid/ is fixtures/templates/valid/minimal.yaml with ONE
// problem added, and is named after what it triggers. The line an error must name is found in
// the fixture text through a marker (the one non-comment line containing it), never hard-coded.

const FIXTURES = new URL('../fixtures/templates/', import.meta.url);

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** The 1-based number of the one non-comment line of `source` that contains `marker`. */
function lineOf(source: string, marker: string): number {
  const hits = source.split('\n').flatMap((line, i) => (!line.trimStart().startsWith('#') && line.includes(marker) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`marker "${marker}" is on ${hits.length} lines of the fixture, not exactly one`);
  return hits[0]!;
}

/** The 1-based column where `marker` starts on the line `lineMarker` names. */
function columnOf(source: string, lineMarker: string, marker: string): number {
  const line = source.split('\n')[lineOf(source, lineMarker) - 1]!;
  const at = line.indexOf(marker);
  if (at < 0) throw new Error(`"${marker}" is not on the line holding "${lineMarker}"`);
  return at + 1;
}

async function refusal(source: string, opts: { fileName?: string } = { fileName: 'x.yaml' }): Promise<WinpathError> {
  try {
    await parseTemplate(source, opts.fileName === undefined ? { format: 'yaml' } : { format: 'yaml', fileName: opts.fileName });
  } catch (e) {
    expect(e).toBeInstanceOf(WinpathError);
    return e as WinpathError;
  }
  throw new Error('expected the template to be refused');
}

interface Case {
  /** Fixture file under invalid/, without `.yaml`. */
  fixture: string;
  code?: ErrorCode;
  /** Text on the offending line (its one non-comment line). */
  line: string;
  /** Where on that line the error points (the offending node's text), when it matters. */
  column?: string;
  path: (string | number)[] | undefined;
  /** Words the message must contain: the offending thing, by name. */
  names: string[];
  /** Paths of every issue, when the one problem shows in several places. */
  issuePaths?: (string | number)[][];
}

const STAGE1_CHECK_WHEN = ['stages', 1, 'requires', 'checks', 0, 'when'];

const cases: Case[] = [
  // unknown names
  { fixture: 'unknown-top-level-key', line: 'colour: blue', column: 'colour', path: ['colour'], names: ['unknown key "colour"'] },
  { fixture: 'unknown-stage-key', line: 'requries:', column: 'requries', path: ['stages', 2, 'requries'], names: ['unknown key "requries"', 'did you mean "requires"?'] },
  { fixture: 'unknown-required-field', line: 'fields: [region, budget]', column: 'budget', path: ['stages', 0, 'requires', 'fields', 1], names: ['stage "qualify" requires field "budget"', 'amount, region, discount'] },
  { fixture: 'unknown-task-role', line: 'role: engineer', column: 'engineer', path: ['stages', 0, 'onEnter', 0, 'task', 'role'], names: ['role "engineer" is not declared', 'owner, manager'] },
  { fixture: 'unknown-permission-role', line: 'advance: [owner, manger]', column: 'manger', path: ['permissions', 'advance', 1], names: ['role "manger" is not declared', 'did you mean "manager"?'] },
  { fixture: 'unknown-approver-role', line: 'approvers: [manager, finance]', column: 'finance', path: ['stages', 1, 'onEnter', 0, 'approval', 'approvers', 1], names: ['role "finance" is not declared'] },
  // duplicate keys
  { fixture: 'duplicate-stage-key', line: 'the second stage keyed propose', column: 'propose', path: ['stages', 2, 'key'], names: ['stage key "propose" is used twice'] },
  { fixture: 'duplicate-task-key', line: 'Second first call', column: 'first-call', path: ['stages', 2, 'onEnter', 0, 'task', 'key'], names: ['task key "first-call" is used twice'] },
  { fixture: 'task-key-equals-stage-key', line: 'key: negotiate, title', column: 'negotiate', path: ['stages', 0, 'onEnter', 1, 'task', 'key'], names: ['task key "negotiate" is used twice', 'stage keys are unique'] },
  { fixture: 'duplicate-deliverable-key', line: 'name: Final quote', column: 'quote, name', path: ['stages', 2, 'requires', 'deliverables', 0, 'key'], names: ['deliverable key "quote" is used twice'] },
  { fixture: 'duplicate-loss-reason', line: 'lossReasons:', column: 'price]', path: ['lossReasons', 2], names: ['loss reason "price" is listed twice'] },
  // requirements nothing creates
  { fixture: 'required-task-not-created', line: 'tasks: [sign-off]', column: 'sign-off', path: ['stages', 2, 'requires', 'tasks', 0], names: ['stage "negotiate" requires task "sign-off", which no action creates', 'first-call'] },
  { fixture: 'required-approval-not-requested', line: 'approvals: [legal-ok]', column: 'legal-ok', path: ['stages', 2, 'requires', 'approvals', 0], names: ['stage "negotiate" requires approval "legal-ok", which no action requests', 'discount-ok'] },
  // stages and outcomes
  { fixture: 'no-won-stage', line: '- key: qualify', path: ['stages'], names: ['exactly one stage with `outcome: won` (found none)'] },
  { fixture: 'first-stage-terminal', line: 'outcome: won', column: 'won }', path: ['stages', 0, 'outcome'], names: ['the first stage "won"', 'cannot be terminal'] },
  { fixture: 'terminal-stage-with-requires', line: 'requires: { fields: [region] }', path: ['stages', 3], names: ['terminal stage "won" cannot have requires'] },
  // transitions and soundness
  { fixture: 'transition-from-unknown-stage', line: 'from: proposal', column: 'proposal', path: ['transitions', 0, 'from'], names: ['transition from unknown stage "proposal"', 'did you mean "propose"?'] },
  { fixture: 'transition-to-lost-stage', line: 'to: lost', column: 'lost }', path: ['transitions', 1, 'to'], names: ['transition into the lost stage "lost"'] },
  { fixture: 'transition-to-itself', line: 'to: propose,', column: 'propose, when', path: ['transitions', 0, 'to'], names: ['transition from "propose" to itself'] },
  { fixture: 'unreachable-stage', line: '- key: propose', column: 'key: propose', path: ['stages', 1], names: ['stage "propose" cannot be reached from the first stage "qualify"'] },
  {
    fixture: 'cannot-reach-won', line: '- key: propose', column: 'key: propose', path: ['stages', 1], names: ['from stage "propose" no path of transitions reaches the won stage'],
    issuePaths: [['stages', 1], ['stages', 2]],
  },
  // FEEL
  { fixture: 'feel-does-not-parse', line: 'when: "amount > "', path: STAGE1_CHECK_WHEN, names: ['expression "amount >"', 'does not parse'] },
  { fixture: 'feel-unknown-variable', line: 'amont > 0', column: 'amont', path: STAGE1_CHECK_WHEN, names: ['unknown variable "amont"', 'did you mean "amount"?'] },
  { fixture: 'feel-unknown-deliverable', line: 'deliverables.nope', column: 'nope', path: STAGE1_CHECK_WHEN, names: ['unknown member "nope" of "deliverables"', 'known: quote'] },
  { fixture: 'feel-regex-function', line: 'matches(region', column: 'matches', path: STAGE1_CHECK_WHEN, names: ['function "matches" is not allowed', 'regular expression'] },
  { fixture: 'feel-huge-range', line: 'for i in 1..100000000 return i', column: '1..100000000', path: STAGE1_CHECK_WHEN, names: ['range "1..100000000" spans 100000000 values, over the limit of 1000'] },
  // fields
  { fixture: 'enum-without-options', line: 'segment: { type: enum }', column: '{ type: enum }', path: ['fields', 'segment'], names: ['enum field "segment" has no options'] },
  { fixture: 'options-on-non-enum', line: 'options: [low, high]', column: '[low, high]', path: ['fields', 'discount', 'options'], names: ['field "discount" of type number cannot have options'] },
  { fixture: 'min-greater-than-max', line: 'min: 1, max: 0', column: '1, max', path: ['fields', 'discount', 'min'], names: ['field "discount" has min greater than max'] },
  { fixture: 'field-key-proto', line: '__proto__', column: '__proto__', path: ['fields', '__proto__'], names: ['key "__proto__" is not allowed'] },
  { fixture: 'proto-key-in-stage', line: '__proto__', column: '__proto__', path: ['stages', 0, 'requires', '__proto__'], names: ['key "__proto__" is not allowed'] },
  { fixture: 'reserved-field-key', line: 'stage: { type: string }', column: '{ type: string }', path: ['fields', 'stage'], names: ['field key "stage" is a name every deal already has'] },
  { fixture: 'amount-not-money', line: 'amount: { type: number', column: 'number', path: ['fields', 'amount', 'type'], names: ['field "amount" must be of type money, not number'] },
  // actions
  { fixture: 'bad-duration', line: 'due: 3 days', column: '3 days', path: ['stages', 0, 'onEnter', 0, 'task', 'due'], names: ['due', 'ISO 8601 duration'] },
  { fixture: 'unknown-message-placeholder', line: '{regoin}', column: '"{title}', path: ['stages', 1, 'onEnter', 1, 'notify', 'message'], names: ['placeholder {regoin} names no field', 'did you mean {region}?'] },
  { fixture: 'quorum-larger-than-approvers', line: 'quorum: 2', column: '{ quorum: 2 }', path: ['stages', 1, 'onEnter', 0, 'approval', 'mode'], names: ['quorum cannot be larger than the number of approvers'] },
  { fixture: 'set-value-wrong-type', line: 'value: high', column: 'high', path: ['stages', 2, 'onEnter', 0, 'set', 'value'], names: ['field "discount" (number)', 'expected number'] },
  // YAML
  { fixture: 'yaml-bad-indentation', line: '       probability: 40', path: undefined, names: ['YAML syntax', 'same column'] },
];

describe('parseTemplate: each invalid fixture is refused at the offending node', () => {
  it('covers every fixture file in invalid/ (but the alias bomb, tested on its own)', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(new URL('invalid/', FIXTURES)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
    expect(files).toEqual([...cases.map((c) => c.fixture), 'alias-bomb', 'two-lost-stages'].sort());
  });

  it.each(cases)('$fixture', async (c) => {
    // given a fixture holding one problem
    const source = fixture(`invalid/${c.fixture}.yaml`);
    const line = lineOf(source, c.line);

    // when it is parsed
    const error = await refusal(source);

    // then the error has the expected code, place and words
    expect(error.code).toBe(c.code ?? 'TEMPLATE_INVALID');
    expect(error.message.startsWith(`[${error.code}] `)).toBe(true);
    expect(error.details.file).toBe('x.yaml');
    expect(error.details.line).toBe(line);
    expect(error.details.path).toEqual(c.path);
    if (c.column !== undefined) expect(error.details.column).toBe(columnOf(source, c.line, c.column));
    for (const words of c.names) expect(error.message).toContain(words);
    expect(error.message).toContain(`at x.yaml:${line}:`);

    // and details.issues holds the same first problem (and only the one problem)
    const issues = error.details.issues ?? [];
    expect(issues[0]).toMatchObject({ file: 'x.yaml', line, message: expect.any(String) });
    expect(issues.map((i) => i.path)).toEqual(c.issuePaths ?? [c.path]);
  });

  it('a template with two lost stages is refused, naming the rule', async () => {
    // given minimal.yaml with a second `outcome: lost` stage
    const source = fixture('invalid/two-lost-stages.yaml');
    // when it is parsed
    const error = await refusal(source);
    // then
    expect(error.code).toBe('TEMPLATE_INVALID');
    expect(error.details.file).toBe('x.yaml');
    expect(error.message).toContain('is a second stage with `outcome: lost`; a template has exactly one');
  });

  it('a FEEL error points into a quoted expression at the offending name', async () => {
    // given a check whose expression starts with a Camunda-style `=` and names an unknown variable
    const source = fixture('valid/minimal.yaml').replace('when: "amount > 0"', 'when: "= discount > 0.5 or amont > 0"');
    // when
    const error = await refusal(source);
    // then line and column are those of `amont` as written, the `=` counted
    expect(error.details.line).toBe(lineOf(source, 'amont'));
    expect(error.details.column).toBe(columnOf(source, 'amont', 'amont'));
  });

  it('without a file name, the error has no file but still a line and a path', async () => {
    const source = fixture('invalid/unknown-task-role.yaml');
    const error = await refusal(source, {});
    expect(error.details.file).toBeUndefined();
    expect(error.details.line).toBe(lineOf(source, 'role: engineer'));
    expect(error.details.path).toEqual(['stages', 0, 'onEnter', 0, 'task', 'role']);
    expect(error.message).toContain(`at line ${lineOf(source, 'role: engineer')}:`);
  });
});

describe('parseTemplate: YAML alias bombs', () => {
  it('refuses a billion-laughs alias expansion, fast', async () => {
    // given minimal.yaml with 9 levels of 9 aliases (9^9 strings once expanded)
    const source = fixture('invalid/alias-bomb.yaml');
    // when
    const started = performance.now();
    const error = await refusal(source);
    const elapsed = performance.now() - started;
    // then it is refused without expanding the aliases
    expect(['TEMPLATE_INVALID', 'LIMIT_EXCEEDED']).toContain(error.code);
    expect(error.details.file).toBe('x.yaml');
    expect(error.message).toMatch(/alias/i);
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('parseTemplate: messages read well', () => {
  it('an unknown stage key suggests the key meant', async () => {
    const error = await refusal(fixture('invalid/unknown-stage-key.yaml'));
    expect(error.message).toMatchInlineSnapshot(`
      "[TEMPLATE_INVALID] unknown key "requries"
        at x.yaml:38:5 (stages[2].requries)
        fix: remove it, or did you mean "requires"? (see docs/template-format.md)"
    `);
  });

  it('an undeclared required field lists the declared ones', async () => {
    const error = await refusal(fixture('invalid/unknown-required-field.yaml'), { fileName: 'templates/minimal.yaml' });
    expect(error.message).toMatchInlineSnapshot(`
      "[TEMPLATE_INVALID] stage "qualify" requires field "budget", which the template does not declare
        at templates/minimal.yaml:21:24 (stages[0].requires.fields[1])
        fix: declare it under \`fields\`, or use one of: amount, region, discount"
    `);
  });

  it('an unknown FEEL variable names the expression and the place in it', async () => {
    const error = await refusal(fixture('invalid/feel-unknown-variable.yaml'));
    expect(error.message).toMatchInlineSnapshot(`
      "[TEMPLATE_INVALID] expression "amont > 0": unknown variable "amont" (did you mean "amount"?); known names: amount, approvals, daysInStage, daysOpen, deliverables, discount, now, owner, region, stage, tasks, title at offset 0 in "amont > 0"
        at x.yaml:34:42 (stages[1].requires.checks[0].when)
        fix: write amount"
    `);
  });

  it('a transition from an unknown stage lists the stages', async () => {
    const error = await refusal(fixture('invalid/transition-from-unknown-stage.yaml'));
    expect(error.message).toMatchInlineSnapshot(`
      "[TEMPLATE_INVALID] transition from unknown stage "proposal"
        at x.yaml:41:13 (transitions[0].from)
        fix: use a stage key the template defines: qualify, propose, negotiate, won, lost (did you mean "propose"?)"
    `);
  });

  it('a YAML syntax error says how to fix it', async () => {
    const error = await refusal(fixture('invalid/yaml-bad-indentation.yaml'));
    expect(error.message).toMatchInlineSnapshot(`
      "[TEMPLATE_INVALID] YAML syntax: All mapping items must start at the same column
        at x.yaml:25:1
        fix: correct the YAML at that place (indentation, quotes, a colon after each key)"
    `);
  });
});

describe('parseTemplate: several problems', () => {
  it('reports every problem in details.issues, the first one in the message', async () => {
    // given a template with four problems found in the same pass
    const source = fixture('several-problems.yaml');
    // when
    const error = await refusal(source);
    // then all four are reported, each located
    const issues = error.details.issues ?? [];
    expect(issues).toHaveLength(4);
    const byPath = new Map(issues.map((i) => [JSON.stringify(i.path), i]));
    const expected: [(string | number)[], string, string][] = [
      [['lossReasons', 2], 'lossReasons: [price, timing, price]', 'loss reason "price" is listed twice'],
      [['stages', 0, 'onEnter', 0, 'task', 'role'], 'role: engineer', 'role "engineer" is not declared'],
      [['stages', 0, 'requires', 'fields', 1], 'fields: [region, budget]', 'requires field "budget"'],
      [STAGE1_CHECK_WHEN, 'amont > 0', 'unknown variable "amont"'],
    ];
    for (const [path, marker, words] of expected) {
      const issue = byPath.get(JSON.stringify(path));
      expect(issue, `an issue at ${path.join('.')}`).toBeDefined();
      expect(issue).toMatchObject({ file: 'x.yaml', line: lineOf(source, marker) });
      expect(issue!.message).toContain(words);
    }
    expect(error.message).toContain(issues[0]!.message);
    expect(error.message).toContain('(3 more problems in details.issues)');
    expect(error.details.line).toBe(issues[0]!.line);
    expect(error.details.path).toEqual(issues[0]!.path);
  });

  it('toJSON carries the code, the message and every issue', async () => {
    const error = await refusal(fixture('several-problems.yaml'));
    const json = JSON.parse(JSON.stringify(error)) as { code: string; message: string; details: { issues: unknown[] } };
    expect(json.code).toBe('TEMPLATE_INVALID');
    expect(json.message).toBe(error.message);
    expect(json.details.issues).toHaveLength(4);
  });
});
