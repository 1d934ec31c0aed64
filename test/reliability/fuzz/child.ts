// Child process of the template fuzz run: judges inputs [from, to) of the corpus, writing "P <index>" before each
// (so the parent's watchdog can name an input that hangs or kills the process) and "V <json>" with its verdict after.
import { readFileSync } from 'node:fs';
import { parseTemplate } from '../../../src/index.js';
import { createCorpus, type Format, type SeedDoc } from './corpus.js';
import { judge, type Parse } from './judge.js';

export interface FuzzChildConfig {
  seeds: string;
  seed: number;
  from: number;
  to: number;
  boundMs: number;
  /** Negative controls of the watchdog: this input hangs, or kills the process. */
  control?: { kind: 'hang' | 'abort'; at: number };
}

export interface FuzzVerdictLine {
  i: number;
  name: string;
  ops: string[];
  format: Format;
  accepted: boolean;
  code?: string;
  violation?: string;
  unlocated: number;
  /** Process warnings (stderr) emitted while it loaded. */
  warnings?: number;
  ms: number;
}

const config = JSON.parse(process.argv[2]!) as FuzzChildConfig;
const seeds = JSON.parse(readFileSync(config.seeds, 'utf8')) as SeedDoc[];
const corpus = createCorpus(seeds, config.seed);
let parse: Parse = (source, format) => parseTemplate(source, { format, fileName: `fuzz.${format}` });
let current = -1;
if (config.control) {
  const { kind, at } = config.control;
  const inner = parse;
  parse = (source, format) => {
    if (current === at) {
      if (kind === 'abort') process.abort();
      for (;;); // a parse that never returns
    }
    return inner(source, format);
  };
}

// a library writing to the host's stderr (process warnings) while a template loads is counted per input
let warnings = 0;
process.removeAllListeners('warning');
process.on('warning', () => void warnings++);

for (let i = config.from; i < config.to; i++) {
  current = i;
  warnings = 0;
  process.stdout.write(`P ${i}\n`);
  const input = corpus.inputAt(i);
  const v = await judge(parse, input.text, input.format, config.boundMs);
  await new Promise((r) => setImmediate(r)); // let warnings emitted on the next tick arrive
  const line: FuzzVerdictLine = { i, name: input.name, ops: input.ops, format: input.format, accepted: v.accepted && !v.violation, unlocated: v.unlocatedIssues, ms: Math.round(v.ms * 10) / 10 };
  if (v.code) line.code = v.code;
  if (v.violation) line.violation = v.violation;
  if (warnings) line.warnings = warnings;
  process.stdout.write(`V ${JSON.stringify(line)}\n`);
}
