import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTemplate, WinpathError } from 'winpath';

const minimal = readFileSync(new URL('../fixtures/templates/valid/minimal.yaml', import.meta.url), 'utf8');

function lineOf(source: string, marker: string): number {
  return source.split('\n').findIndex((l) => !l.trimStart().startsWith('#') && l.includes(marker)) + 1;
}
function colOf(source: string, marker: string): number {
  const line = source.split('\n')[lineOf(source, marker) - 1]!;
  return line.indexOf(marker) + 1;
}
async function refusal(source: string): Promise<WinpathError> {
  const e = await parseTemplate(source, { format: 'yaml', fileName: 'x.yaml' }).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(WinpathError);
  return e as WinpathError;
}

describe('error locations inside scalars and actions', () => {
  it('a FEEL error inside a block scalar names the line and column of the offending name', async () => {
    const src = minimal.replace('- { key: amount-positive, when: "amount > 0", message: Amount must be positive }', '- key: amount-positive\n          message: Amount must be positive\n          when: |\n            amount > 0\n              and amont < 10');
    const e = await refusal(src);
    expect(e.details.line).toBe(lineOf(src, 'and amont'));
    expect(e.details.column).toBe(colOf(src, 'amont <'));
    expect(e.message.split('\n')[0]).toContain('"amount > 0 and amont < 10"');
    expect(e.message.split('\n')[1]).toMatch(/^ {2}at x\.yaml:\d+:\d+/);
  });

  it('a FEEL error in a double-quoted string with escapes names the right column', async () => {
    const src = minimal.replace('when: "amount > 0"', 'when: "region = \\"north\\" and amont > 0"');
    const e = await refusal(src);
    expect(e.details.line).toBe(lineOf(src, 'amont > 0'));
    expect(e.details.column).toBe(colOf(src, 'amont > 0'));
  });

  it('an empty document says what a template is', async () => {
    for (const src of ['', '- a\n- b\n', 'just text']) {
      const e = await refusal(src);
      expect(e.message).not.toContain('undefined');
      expect(e.message).toContain('a template is a YAML mapping');
    }
  });

  it('a second lost stage is located at its own outcome', async () => {
    const src = minimal.replace("  - { key: won,", "  - { key: lost-again, name: Lost again, outcome: lost }\n  - { key: won,");
    const e = await refusal(src);
    expect(e.details.path).toEqual(['stages', 5, 'outcome']); // the second one in list order
    expect(e.details.line).toBe(lineOf(src, '{ key: lost,'));
  });

  it('an alias bomb is located at its first alias', async () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]'].join('\n');
    const e = await refusal(`${minimal}x-lol:\n  ${bomb.replace(/\n/g, '\n  ')}\n`);
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.details.path?.[0]).toBe('x-lol');
    expect(e.details.line).toBeGreaterThan(lineOf(minimal, '{ key: lost,'));
  });

  it('an unknown key inside an action keeps its own path, line and suggestion', async () => {
    const src = minimal.replace('- task: { key: first-call, title: { en: First call, zh: 首次电话 }, role: owner, due: P3D }', '- task:\n          key: first-call\n          title: First call\n          deu: P3D');
    const e = await refusal(src);
    expect(e.details.path).toEqual(['stages', 0, 'onEnter', 0, 'task', 'deu']);
    expect(e.details.line).toBe(lineOf(src, 'deu: P3D'));
    expect(e.message).toContain('unknown key "deu"');
    expect(e.details.fix).toContain('did you mean "due"?');
  });

  it('a misspelt action kind gets a suggestion', async () => {
    const src = minimal.replace('- notify: { to: manager', '- notfy: { to: manager');
    const e = await refusal(src);
    expect(e.message).toContain('did you mean "notify"?');
  });

  it('a bad duration inside an action gets the duration message', async () => {
    const src = minimal.replace('due: P3D', 'due: 3 days');
    const e = await refusal(src);
    expect(e.message).toContain('ISO 8601 duration');
  });
});
