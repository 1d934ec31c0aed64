import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTemplate, WinpathError, type ErrorCode } from 'winpath';
import { judge, type Parse } from './fuzz/judge.js';
import { runFuzz } from './fuzz/run.js';

// Mutated and generated YAML and BPMN templates (fuzz/corpus.ts: the shipped templates, every test fixture and
// generated templates, with bytes, lines, keys and values mutated, hostile FEEL, deep nesting, duplication,
// truncation), each judged in a child process under a watchdog (fuzz/run.ts): no uncaught exception, no hang,
// no death, every refusal a WinpathError naming a line or a path, an accepted template usable by the engine.
const INPUTS = Number(process.env['WINPATH_FUZZ_INPUTS'] ?? 10_000);
const SEED = Number(process.env['WINPATH_FUZZ_SEED'] ?? 20261125);
const BOUND_MS = 5_000; // per input, a hang detector: the slowest inputs take about 0.6 s on an idle machine

/** Violations the fuzzer finds that are known bugs (none open: each one found so far has a test below). */
const KNOWN_BUGS: RegExp[] = [];

const fmt = (r: Record<string, number>) => Object.entries(r).sort().map(([k, v]) => `${k} ${v}`).join(', ');

describe('fuzzing templates', () => {
  it(`given ${INPUTS} mutated and generated YAML and BPMN templates, every one is accepted or refused with a located WinpathError, in bounded time`, async () => {
    const f = await runFuzz({ count: INPUTS, seed: SEED, boundMs: BOUND_MS });
    console.log(`[fuzz] ${f.inputs} inputs (${f.yaml} YAML, ${f.bpmn} BPMN, from ${f.seeds} seed documents, seed ${SEED}) in ${(f.ms / 1000).toFixed(1)} s: `
      + `accepted ${f.accepted}; refused: ${fmt(f.refused)}; violations ${f.violationCount} (hangs ${f.hangs}, deaths ${f.deaths}); `
      + `per input p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms; issues without a place inside refusals: ${f.unlocatedIssues}; `
      + `inputs during which a library printed a process warning: ${f.inputsWithProcessWarnings}`);
    for (const v of f.violations.slice(0, 10)) console.log(`  ! ${v}`);
    for (const w of f.warningExamples) console.log(`  process warning while loading ${w}`);
    expect(f.inputs).toBe(INPUTS);
    // any violation fails this test
    expect(f.violations.filter((v) => !KNOWN_BUGS.some((re) => re.test(v)))).toEqual([]);
    expect(f.accepted).toBeGreaterThan(INPUTS / 50); // mutations gentle enough that some still load and run
    expect(Object.keys(f.refused).sort()).toEqual(expect.arrayContaining(['LIMIT_EXCEEDED', 'TEMPLATE_INVALID', 'UNSUPPORTED_BPMN']));
  }, 300_000);

  // Bug: the size-limit refusals carry no line or path (src/template/parse-yaml.ts, `source.length > MAX_TEMPLATE_SIZE`;
  // src/template/bpmn/parse-bpmn.ts, `source.length > MAX_BPMN_SIZE`): every other refusal names a place.
  it('refuses a document over the size limit with a location (line 1), like every other refusal', async () => {
    const head = '<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:wp="urn:winpath:bpmn:1">';
    for (const [format, text] of [['yaml', `id: x\nname: "${'x'.repeat(2_100_000)}"\n`], ['bpmn', `${head}${' '.repeat(5_100_000)}</bpmn:definitions>`]] as const) {
      const e = await parseTemplate(text, { format, fileName: `big.${format}` }).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(WinpathError);
      expect((e as WinpathError).code).toBe('LIMIT_EXCEEDED');
      expect((e as WinpathError).details.line).toBe(1);
    }
  });

  // Bug (found by this fuzzer): a BPMN document whose XML declaration names another encoding than UTF-8
  // (`<?xml version="1.0" encoding="UTF-16"?>`) is refused with "an element: unsupported document encoding <UTF-16>,
  // falling back to UTF-8" and no line or path: bpmn-moddle's warning passes through src/template/bpmn/parse-bpmn.ts
  // (moddleMessageIssue) unlocated. Expected: refused at line 1 (the XML declaration), saying winpath reads UTF-8.
  it('refuses a BPMN document declaring another encoding at line 1', async () => {
    const source = readFileSync(new URL('../fixtures/bpmn/minimal.bpmn', import.meta.url), 'utf8').replace('encoding="UTF-8"', 'encoding="UTF-16"');
    const e = await parseTemplate(source, { format: 'bpmn', fileName: 'minimal.bpmn' }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(WinpathError);
    expect((e as WinpathError).details.line).toBe(1);
  });

  // Bug (found by this fuzzer): a YAML mapping used as a key (`? [a, b]`) makes the yaml library print "Keys with
  // collection values will be stringified" to the host's stderr (process.emitWarning) while parseTemplate runs, and
  // the refusal points at 1:1 instead of the key's line: src/template/parse-yaml.ts (parseDocument/toJS without
  // logLevel 'error'; walkKeys and locateKey only see scalar keys).
  it('refuses a collection used as a key at its line, printing nothing to stderr', async () => {
    const source = 'id: x\nversion: 1\nname: X\nlossReasons: [price]\n? [a, b]\n: 1\nstages:\n  - { key: a, name: A }\n  - { key: won, name: Won, outcome: won }\n  - { key: lost, name: Lost, outcome: lost }\n';
    const warnings: string[] = [];
    const listener = (w: Error) => void warnings.push(w.message);
    process.on('warning', listener);
    try {
      const e = await parseTemplate(source, { format: 'yaml', fileName: 'key.yaml' }).then(() => undefined, (x: unknown) => x);
      await new Promise((r) => setImmediate(r));
      expect(e).toBeInstanceOf(WinpathError);
      expect((e as WinpathError).details.line).toBe(5);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', listener);
    }
  });
});

describe('fuzzing templates: negative controls (the checker and the watchdog must catch each broken mode)', () => {
  const source = 'id: x\n';
  const real: Parse = (s, format) => parseTemplate(s, { format, fileName: 'x.yaml' });

  it('the checker flags a plain Error, a WinpathError with no location, a slow parse, and a template the engine then fails on', async () => {
    const plain: Parse = async () => {
      throw new TypeError('Cannot read properties of undefined');
    };
    const unlocated: Parse = async () => {
      throw new WinpathError('TEMPLATE_INVALID' as ErrorCode, 'something is wrong somewhere');
    };
    const slow: Parse = async (s, f) => {
      const until = performance.now() + 300;
      while (performance.now() < until);
      return real(s, f);
    };
    const good = await real(`id: ok\nversion: 1\nname: OK\nlossReasons: [price]\nstages:\n  - { key: a, name: A }\n  - { key: won, name: Won, outcome: won }\n  - { key: lost, name: Lost, outcome: lost }\n`, 'yaml');
    const poisoned: Parse = async () => ({ ...good, stages: null }) as never;
    const verdicts = {
      plain: await judge(plain, source, 'yaml', 1_000),
      unlocated: await judge(unlocated, source, 'yaml', 1_000),
      slow: await judge(slow, 'id: x\n', 'yaml', 200),
      poisoned: await judge(poisoned, source, 'yaml', 1_000),
      fine: await judge(real, source, 'yaml', 1_000),
      accepted: await judge(async () => good, source, 'yaml', 1_000),
    };
    console.log(`[fuzz control] checker: ${Object.entries(verdicts).map(([k, v]) => `${k} -> ${v.violation ?? (v.accepted ? 'accepted' : v.code)}`).join('; ')}`);
    expect(verdicts.plain.violation).toMatch(/threw TypeError/);
    expect(verdicts.unlocated.violation).toMatch(/without a location/);
    expect(verdicts.slow.violation).toMatch(/over the bound of 200 ms/);
    expect(verdicts.poisoned.violation).toMatch(/after acceptance, threw/);
    expect(verdicts.fine).toMatchObject({ accepted: false, code: 'TEMPLATE_INVALID' });
    expect(verdicts.fine.violation).toBeUndefined();
    expect(verdicts.accepted).toMatchObject({ accepted: true });
    expect(verdicts.accepted.violation).toBeUndefined();
  });

  it('the watchdog names an input that hangs and one that kills the process, and goes on after each', async () => {
    const hang = await runFuzz({ count: 40, seed: SEED, workers: 1, hangMs: 3_000, control: { kind: 'hang', at: 25 } });
    const abort = await runFuzz({ count: 40, seed: SEED, workers: 1, control: { kind: 'abort', at: 30 } });
    console.log(`[fuzz control] watchdog: ${hang.violations.join('; ')} | ${abort.violations.join('; ')}`);
    expect(hang).toMatchObject({ inputs: 40, hangs: 1, deaths: 0 });
    expect(hang.violations).toEqual([expect.stringMatching(/^input 25: no answer within 3000 ms/)]);
    expect(abort).toMatchObject({ inputs: 40, hangs: 0, deaths: 1 });
    expect(abort.violations).toEqual([expect.stringMatching(/^input 30: the process died \(code null, signal SIGABRT\)/)]);
  }, 60_000);
});
