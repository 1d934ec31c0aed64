import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { lintTemplate, listTemplates, loadTemplate, parseTemplate, WinpathError } from 'winpath';

const minimalPath = fileURLToPath(new URL('../fixtures/templates/valid/minimal.yaml', import.meta.url));
const invalidPath = fileURLToPath(new URL('../fixtures/templates/invalid/unknown-task-role.yaml', import.meta.url));
const shippedPath = fileURLToPath(new URL('../../templates/b2b-standard.yaml', import.meta.url));

async function refusal(load: Promise<unknown>): Promise<WinpathError> {
  try {
    await load;
  } catch (e) {
    expect(e).toBeInstanceOf(WinpathError);
    return e as WinpathError;
  }
  throw new Error('expected loadTemplate to fail');
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'winpath-load-template-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadTemplate: shipped templates by id', () => {
  it('loads b2b-standard', async () => {
    // when the shipped template is loaded by id
    const def = await loadTemplate('b2b-standard');
    // then it is the file in templates/, parsed
    expect(def.id).toBe('b2b-standard');
    expect(def.version).toBe(1);
    expect(def.stages.map((s) => s.key)).toEqual(['contact', 'needs', 'proposal', 'negotiation', 'won', 'lost']);
    expect(def).toStrictEqual(await parseTemplate(readFileSync(shippedPath, 'utf8'), { format: 'yaml' }));
  });

  it('an unknown id is NOT_FOUND and lists the shipped ids', async () => {
    const error = await refusal(loadTemplate('no-such-template'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('"no-such-template"');
    expect(error.details.fix).toContain('b2b-standard');
    expect(error.message).toContain('b2b-standard');
  });

  it('an empty argument is INPUT_INVALID', async () => {
    const error = await refusal(loadTemplate(''));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details.fix).toContain('b2b-standard');
  });
});

describe('loadTemplate: files', () => {
  it('loads a template from a path', async () => {
    // given the minimal template's path
    // when loaded
    const def = await loadTemplate(minimalPath);
    // then it equals the same source parsed
    expect(def.id).toBe('minimal');
    expect(def).toStrictEqual(await parseTemplate(readFileSync(minimalPath, 'utf8'), { format: 'yaml' }));
  });

  it('accepts the .yml extension', async () => {
    const file = join(dir, 'copy.yml');
    writeFileSync(file, readFileSync(minimalPath, 'utf8'));
    expect((await loadTemplate(file)).id).toBe('minimal');
  });

  it('names the file it was given in errors about the template', async () => {
    const error = await refusal(loadTemplate(invalidPath));
    expect(error.code).toBe('TEMPLATE_INVALID');
    expect(error.details.file).toBe(invalidPath);
    expect(error.message).toContain(`at ${invalidPath}:`);
  });

  it('a missing file is NOT_FOUND', async () => {
    const missing = join(dir, 'missing.yaml');
    const error = await refusal(loadTemplate(missing));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(missing);
  });

  it('a file of another extension is INPUT_INVALID, saying which extensions work', async () => {
    const file = join(dir, 'template.txt');
    writeFileSync(file, readFileSync(minimalPath, 'utf8'));
    const error = await refusal(loadTemplate(file));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain(file);
    expect(error.details.fix).toMatch(/\.yaml.*\.yml/);
  });

  it('a template over 2,000,000 characters is LIMIT_EXCEEDED, without being parsed', async () => {
    // given a file one character over the limit (a valid template followed by a long comment)
    const file = join(dir, 'big.yaml');
    const head = readFileSync(minimalPath, 'utf8');
    writeFileSync(file, `${head}#${'x'.repeat(2_000_000 - head.length)}`);
    // when loaded
    const error = await refusal(loadTemplate(file));
    // then
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.details.file).toBe(file);
    expect(error.message).toContain('2000001 characters');
  });

  it('a template file far over the limit is refused before it is read', async () => {
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, Buffer.alloc(8_000_001, 0x23)); // '#' bytes
    const error = await refusal(loadTemplate(file));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.details.file).toBe(file);
    expect(error.message).toContain('8000001 bytes');
  });

  it('a template exactly at the size limit is read', async () => {
    const file = join(dir, 'at-limit.yaml');
    const head = readFileSync(minimalPath, 'utf8');
    writeFileSync(file, `${head}#${'x'.repeat(2_000_000 - head.length - 1)}`);
    expect((await loadTemplate(file)).id).toBe('minimal');
  });
});

describe('listTemplates', () => {
  it('lists b2b-standard with its version, name and file', () => {
    const listing = listTemplates().find((t) => t.id === 'b2b-standard');
    expect(listing).toEqual({ id: 'b2b-standard', version: 1, name: { en: 'Standard B2B sale', zh: '标准B2B销售' }, file: shippedPath });
  });

  it('lists only loadable templates, sorted by id', async () => {
    const listings = listTemplates();
    expect(listings.map((t) => t.id)).toEqual(listings.map((t) => t.id).sort());
    for (const t of listings) expect((await loadTemplate(t.id)).version).toBe(t.version);
  });
});

describe('lintTemplate', () => {
  it('finds no error-level problem in b2b-standard', async () => {
    const findings = lintTemplate(await loadTemplate('b2b-standard'));
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
  });

  it('does report what it checks (a required task its stage does not create)', async () => {
    // given minimal.yaml where negotiate requires the task qualify creates
    const source = readFileSync(minimalPath, 'utf8').replace('    probability: 70\n', '    probability: 70\n    requires:\n      tasks: [first-call]\n');
    const def = await parseTemplate(source, { format: 'yaml' });
    // when linted
    const findings = lintTemplate(def);
    // then the finding names the stage and the task, at its path
    expect(findings).toContainEqual(expect.objectContaining({ code: 'REQUIRED_TASK_NOT_CREATED', path: ['stages', 2, 'requires', 'tasks', 0] }));
  });
});
