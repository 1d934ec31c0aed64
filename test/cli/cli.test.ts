import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics, loadTemplate, parseTemplate, sqliteStore } from 'winpath';

// The CLI runs as a child process, as a user runs it: node with tsx, from any folder.
const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/cli/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const COMMANDS = ['demo', 'validate', 'lint', 'convert', 'simulate', 'report', 'explain'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function winpath(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      // a pipe, not a TTY: no colour and no progress bar whatever NO_COLOR says
      env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: '', LC_MESSAGES: '', NO_COLOR: '', ...opts.env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);
/** A stack trace line, as node prints them. */
const STACK = /^\s+at .+[(:]\d+/m;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'winpath-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('winpath --help', () => {
  it('answers for the program, with every command listed', async () => {
    const r = await winpath(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(r.stdout).toContain('--lang <lang>');
  });

  for (const command of COMMANDS) {
    it(`answers for ${command}`, async () => {
      const r = await winpath([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: winpath ${command} `));
      expect(r.stdout).toContain('Global Options:');
      expect(r.stderr).toBe('');
    });
  }

  it('prints the version', async () => {
    const r = await winpath(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe.concurrent('bad usage exits 2 with one line and a pointer to --help', () => {
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /Usage: winpath/],
    ['an unknown command', ['frobnicate'], /^winpath: unknown command 'frobnicate'/],
    ['an unknown option', ['report', '--db', 'x.db', '--colour'], /^winpath: unknown option '--colour'/],
    ['a missing required option', ['report'], /^winpath: required option '--db <file>' not specified/],
    ['a missing argument', ['validate'], /^winpath: missing required argument 'file'/],
    ['a number that is not one', ['simulate', 'b2b-standard', '--deals', 'many', '--seed', '1', '--db', 'x.db'], /^winpath: option '--deals <n>' argument 'many' is invalid/],
    ['an unknown format', ['convert', 'templates/b2b-standard.yaml', '--to', 'pdf'], /^winpath: option '--to <format>' argument 'pdf' is invalid/],
    ['an unknown language', ['--lang', 'fr', 'lint', 'templates/b2b-standard.yaml'], /^winpath: option '--lang <lang>' argument 'fr' is invalid/],
    ['a period that is none', ['report', '--db', 'x.db', '--period', '2026-Q5'], /^winpath: option '--period <period>' argument '2026-Q5' is invalid/],
    ['a date that is none', ['simulate', 'b2b-standard', '--deals', '1', '--seed', '1', '--db', 'x.db', '--start', 'soon'], /^winpath: option '--start <date>' argument 'soon' is invalid/],
  ];
  for (const [what, args, first] of cases) {
    it(what, async () => {
      const r = await winpath(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(first);
      expect(r.stderr).not.toMatch(STACK);
      if (args.length) expect(lines(r.stderr)).toEqual([expect.stringMatching(first), '  see: winpath --help, or winpath COMMAND --help']);
      expect(existsSync(join(dir, 'x.db'))).toBe(false);
    });
  }
});

describe.concurrent('a missing or corrupt database is exit 1 with one line, never a new file', () => {
  it('report on a missing file', async () => {
    const db = join(dir, 'missing.db');
    const r = await winpath(['report', '--db', db]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`winpath: [NOT_FOUND] the database file ${db} does not exist`, expect.stringMatching(/^ {2}fix: /)]);
    expect(r.stdout).toBe('');
    expect(existsSync(db)).toBe(false);
  });

  it('explain on a missing file, in Chinese from the locale', async () => {
    const db = join(dir, 'missing-too.db');
    const r = await winpath(['explain', '--db', db, 'deal-1'], { env: { LANG: 'zh_CN.UTF-8' } });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)[0]).toBe(`winpath: [NOT_FOUND] 数据库文件 ${db} 不存在`);
    expect(lines(r.stderr)[1]).toMatch(/^ {2}修正：/);
    expect(existsSync(db)).toBe(false);
  });

  it('report and explain on a corrupt file; the stack only with --debug', async () => {
    const db = join(dir, 'corrupt.db');
    writeFileSync(db, Buffer.from('this is not a database, just some bytes '.repeat(200)));
    const runs = await Promise.all([winpath(['report', '--db', db]), winpath(['explain', '--db', db, 'deal-1']), winpath(['report', '--db', db, '--debug'])]);
    for (const r of runs.slice(0, 2)) {
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toHaveLength(2);
      expect(r.stderr).toMatch(/^winpath: \[INPUT_INVALID\] .*corrupt\.db is not a winpath\/SQLite database/);
      expect(r.stderr).not.toMatch(STACK);
    }
    const debug = runs[2]!;
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(STACK);
  });

  it('report on an empty file', async () => {
    const db = join(dir, 'empty.db');
    writeFileSync(db, '');
    const r = await winpath(['report', '--db', db, '--json']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)[0]).toBe(`winpath: [INPUT_INVALID] ${db} is an empty file, not a winpath database`);
    expect(readFileSync(db, 'utf8')).toBe('');
  });
});

describe.concurrent('validate and lint', () => {
  it('validate: a good template', async () => {
    const [r, json] = await Promise.all([winpath(['validate', 'templates/b2b-standard.yaml']), winpath(['validate', 'templates/b2b-standard.yaml', '--json'])]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('✓ templates/b2b-standard.yaml: valid template b2b-standard@1, 6 stages, 9 fields, 4 transitions\n');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, id: 'b2b-standard', version: 1, stages: 6 });
  });

  const bad: [string, RegExp][] = [
    ['unknown-required-field', /^winpath: \[TEMPLATE_INVALID\] stage "qualify" requires field "budget", which the template does not declare at test\/fixtures\/templates\/invalid\/unknown-required-field\.yaml:21:24 \(stages\[0\]\.requires\.fields\[1\]\)$/],
    ['yaml-bad-indentation', /^winpath: \[TEMPLATE_INVALID\] YAML syntax: .* at test\/fixtures\/templates\/invalid\/yaml-bad-indentation\.yaml:\d+:\d+$/],
    ['feel-unknown-variable', /^winpath: \[TEMPLATE_INVALID\] expression "amont > 0": unknown variable "amont" .* at test\/fixtures\/templates\/invalid\/feel-unknown-variable\.yaml:\d+:\d+ /],
  ];
  for (const [fixture, first] of bad) {
    it(`validate: ${fixture}.yaml is one line with the code and place, the fix on the second`, async () => {
      const file = `test/fixtures/templates/invalid/${fixture}.yaml`;
      const r = await winpath(['validate', file]);
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(first), expect.stringMatching(/^ {2}fix: \S/)]);
      expect(r.stdout).toBe('');
    });
  }

  it('validate: a template with several problems lists them all, or gives them as JSON', async () => {
    const file = 'test/fixtures/templates/several-problems.yaml';
    const [r, json] = await Promise.all([winpath(['validate', file]), winpath(['validate', file, '--json'])]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr).filter((l) => l.startsWith('  also: ')).length).toBeGreaterThanOrEqual(2);
    expect(json.code).toBe(1);
    const answer = JSON.parse(json.stdout);
    expect(answer).toMatchObject({ ok: false, file, error: { code: 'TEMPLATE_INVALID', details: { file } } });
    expect(answer.error.details.issues.length).toBe(lines(r.stderr).filter((l) => l.startsWith('  also: ')).length + 1);
  });

  it('lint: a shipped template has no findings', async () => {
    const r = await winpath(['lint', 'templates/b2b-standard.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('✓ templates/b2b-standard.yaml: b2b-standard@1, no findings\n');
  });

  it('lint: warnings alone pass, an error fails', async () => {
    const [warn, error] = await Promise.all([winpath(['lint', 'test/fixtures/templates/valid/minimal.yaml', '--json']), winpath(['lint', 'test/cli/fixtures/check-never-holds.yaml'])]);
    expect(warn.code).toBe(0);
    expect(JSON.parse(warn.stdout)).toMatchObject({ ok: true, errors: 0, warnings: 3, findings: [{ code: 'NO_GUIDANCE' }, { code: 'NO_GUIDANCE' }, { code: 'NO_GUIDANCE' }] });
    expect(error.code).toBe(1);
    expect(error.stdout).toMatch(/^error CHECK_NEVER_HOLDS test\/cli\/fixtures\/check-never-holds\.yaml stages\[1\]\.requires\.checks\[0\]\.when: /);
    expect(error.stdout).toContain('1 error(s), 3 warning(s)');
  });

  it('lint: a template that does not load is the load error', async () => {
    const r = await winpath(['lint', 'test/fixtures/templates/invalid/duplicate-stage-key.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^winpath: \[TEMPLATE_INVALID\] /);
  });
});

describe.concurrent('convert', () => {
  it('yaml -> yaml round-trips to an equal definition', async () => {
    const out = join(dir, 'round-trip.yaml');
    const r = await winpath(['convert', 'templates/b2b-standard.yaml', '--to', 'yaml', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${out} (yaml)\n`);
    const again = await parseTemplate(readFileSync(out, 'utf8'), { format: 'yaml' });
    expect(again).toEqual(await loadTemplate('templates/b2b-standard.yaml'));
  });

  it('yaml -> bpmn on stdout parses back', async () => {
    const r = await winpath(['convert', 'b2b-standard', '--to', 'bpmn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml/);
    const def = await parseTemplate(r.stdout, { format: 'bpmn' });
    expect(def.stages.map((s) => s.key)).toEqual((await loadTemplate('b2b-standard')).stages.map((s) => s.key));
  });

  it('a missing file is exit 1', async () => {
    const r = await winpath(['convert', 'nowhere.yaml', '--to', 'bpmn']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)[0]).toBe('winpath: [NOT_FOUND] template file "nowhere.yaml" does not exist');
  });
});

describe('simulate, then report and explain on the same database', () => {
  it('answers with the figures createAnalytics reads from the file', async () => {
    const db = join(dir, 'sim.db');
    const sim = await winpath(['simulate', 'b2b-standard', '--deals', '60', '--seed', '5', '--db', db, '--json']);
    expect(sim.code).toBe(0);
    expect(sim.stderr).toBe(''); // not a TTY: no progress bar at all
    const facts = JSON.parse(sim.stdout);
    expect(facts).toMatchObject({ db, template: 'b2b-standard', seed: 5, opened: 60, start: '2026-05-18T01:00:00.000Z' });
    expect(facts.won + facts.lost + facts.open).toBe(60);

    const again = await winpath(['simulate', 'b2b-standard', '--deals', '5', '--seed', '5', '--db', db]);
    expect(again.code).toBe(1);
    expect(lines(again.stderr).slice(-2)).toEqual([
      `winpath: [INPUT_INVALID] the database ${db} already holds deals of a simulation with seed 5 (their ids collide)`,
      '  fix: use another --seed, or a new --db file',
    ]);

    const [report, text, grouped] = await Promise.all([
      winpath(['report', '--db', db, '--json', '--target', '2,000,000', '--period', '2026-Q3']),
      winpath(['report', '--db', db, '--html', join(dir, 'report.html')]),
      winpath(['report', '--db', db, '--group-by', 'region', '--json']),
    ]);
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout);
    const store = sqliteStore({ path: db });
    try {
      const a = createAnalytics(store);
      const template = 'b2b-standard';
      expect(json).toMatchObject({ template, period: '2026-Q3', groupBy: null, templates: [{ id: template, opened: 60 }] });
      expect(json.funnel).toEqual(await a.funnel({ template }));
      expect(json.conversion).toEqual(await a.conversion({ template }));
      expect(json.cycleTime).toEqual(await a.cycleTime({ template }));
      expect(json.lossReasons).toEqual(await a.lossReasons({ template }));
      expect(json.forecast).toEqual(await a.forecast({ template, period: '2026-Q3', target: 2_000_000 }));
      expect(json.bottlenecks).toEqual(await a.bottlenecks({ template }));
      expect(JSON.parse(grouped.stdout).funnel).toEqual(await a.funnel({ template, groupBy: 'region' }));

      expect(text.code).toBe(0);
      expect(text.stdout).toContain('== Standard B2B sale (b2b-standard) ==');
      for (const section of ['Funnel (open deals)', 'Stage conversion', 'Forecast 2026-Q3 (2026-07-01 to 2026-09-30)', 'Cycle time (days)', 'Loss reasons', 'Bottlenecks (worst first)']) {
        expect(text.stdout).toContain(section);
      }
      expect(text.stdout).not.toContain('\u001b['); // no colour on a pipe
      expect(text.stdout).toContain(`wrote the dashboard to ${join(dir, 'report.html')}`);
      expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('"format":"winpath-dashboard@1"');

      const open = await store.opportunities({ status: 'open' });
      expect(open.length).toBeGreaterThan(0);
      const id = open[0]!.id;
      const [explained, explainedZh, missing] = await Promise.all([
        winpath(['explain', '--db', db, id, '--json']),
        winpath(['explain', '--db', db, id, '--lang', 'zh']),
        winpath(['explain', '--db', db, 'no-such-deal']),
      ]);
      expect(explained.code).toBe(0);
      const x = JSON.parse(explained.stdout);
      expect(x).toMatchObject({ opportunityId: id, status: 'open', lang: 'en', stage: { key: open[0]!.stage }, deal: { id } });
      expect(x.next.length).toBeGreaterThan(0);
      expect(explainedZh.stdout).toContain('阶段：');
      expect(missing.code).toBe(1);
      expect(lines(missing.stderr)).toEqual(['winpath: [NOT_FOUND] no deal "no-such-deal"']);
    } finally {
      await store.close();
    }
  });
});

describe('demo', () => {
  it('simulates every shipped template into a fresh SQLite file, prints the report and writes the dashboard', async () => {
    const cwd = mkdtempSync(join(dir, 'demo-'));
    writeFileSync(join(cwd, 'winpath-demo.db'), 'an old demo file is replaced');
    const r = await winpath(['demo', '--deals', '12'], { cwd });
    expect(r.stderr).toMatch(/^took [\d.]+ s\n$/);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^winpath demo: a quarter \(91 days from 2026-05-18\) of deals on \d+ shipped templates, seed 2026\n/);
    expect(out).toMatch(/^b2b-standard +Standard B2B sale +12 /m);
    for (const section of ['Funnel (open deals)', 'Stage conversion', 'Forecast 2026-Q3', 'Target', 'Loss reasons', 'Bottlenecks (worst first)', 'Next steps for one open deal']) {
      expect(out).toContain(section);
    }
    expect(out).toContain('✓ Wrote winpath-demo.db');
    const html = readFileSync(join(cwd, 'winpath-dashboard.html'), 'utf8');
    expect(html).toContain('<script type="application/json" id="winpath-data">');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/);
    const store = sqliteStore({ path: join(cwd, 'winpath-demo.db') });
    try {
      expect((await store.opportunities({ template: 'b2b-standard' })).length).toBe(12);
    } finally {
      await store.close();
    }
    // the same seed gives the same output
    const again = await winpath(['demo', '--deals', '12'], { cwd });
    expect(again.stdout).toBe(out);
  });
});
