/** runCli: the `winpath` command line (commander): parses, runs one command, and answers with an exit code (0 ok, 1 failure, 2 usage). */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createContext, type CommandContext, type GlobalOptions } from './cli-context.js';
import { DEFAULT_START, DEMO_DEFAULTS, PERIOD } from './cli-defaults.js';
import type { CliIo } from './cli-io.js';
import { createText, langFromEnv } from './cli-text.js';
import { describeError } from './describe-error.js';

// Commands load the library when they run, so that --help and usage errors answer at once.

const VERSION = '0.1.0';

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}.`);
    }
    return n;
  };
}

function amount(value: string): number {
  const n = Number(value.replace(/[_,]/g, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be an amount >= 0, e.g. 5000000.');
  return n;
}

function instant(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('must be a date, e.g. 2026-07-01 or 2026-07-01T01:00:00Z.');
  return value;
}

function period(value: string): string {
  if (!PERIOD.test(value)) throw new InvalidArgumentError('must be a quarter (2026-Q3), a month (2026-09), a year (2026) or FROM..TO (2026-07-01..2026-09-30).');
  return value;
}

const langOption = () => new Option('--lang <lang>', 'output language (default: from LC_ALL / LANG, zh when it starts with zh)').choices(['zh', 'en']);
const jsonOption = () => new Option('--json', 'print the answer as JSON on stdout');

/** Builds the program; `done` receives each command's exit code. */
export function createProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('winpath');
  program
    .description('winpath: stage-gated sales processes. Simulate, report, explain and check templates.')
    .version(VERSION, '-V, --version')
    .addOption(langOption())
    .option('--debug', 'print stack traces of failures')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: (s, write) => write(`winpath: ${s.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('  see: winpath --help, or winpath COMMAND --help')
    .exitOverride();

  const ctxOf = (cmd: Command): CommandContext => createContext(io, cmd.optsWithGlobals<GlobalOptions>());
  const run = <A extends unknown[]>(fn: (...args: A) => Promise<number>) => async (...args: A): Promise<void> => {
    done(await fn(...args));
  };

  program.command('demo')
    .description('simulate a quarter of deals on every shipped template into SQLite, print the b2b-standard report, explain one deal, write the HTML dashboard')
    .option('--db <file>', 'SQLite file to (re)create', DEMO_DEFAULTS.db)
    .option('--html <file>', 'dashboard file to write', DEMO_DEFAULTS.html)
    .option('--seed <n>', 'random seed (the same seed gives the same deals)', wholeNumber(0, 2 ** 31), DEMO_DEFAULTS.seed)
    .option('--deals <n>', 'deals per template', wholeNumber(1, 100_000), DEMO_DEFAULTS.deals)
    .option('--start <date>', 'first simulated instant', instant, DEMO_DEFAULTS.start)
    .addHelpText('after', '\nExample:\n  winpath demo\n  winpath demo --lang zh --db /tmp/demo.db --html /tmp/dashboard.html')
    .action(run(async (opts: { db: string; html: string; seed: number; deals: number; start: string }, cmd: Command) =>
      (await import('./commands/demo-command.js')).demoCommand({ ...DEMO_DEFAULTS, db: opts.db, html: opts.html, seed: opts.seed, deals: opts.deals, start: opts.start }, ctxOf(cmd))));

  program.command('validate')
    .description('load a template (YAML or BPMN, or a shipped template id) with every load-time check; lists all problems')
    .argument('<file>', 'template file (.yaml, .yml, .bpmn, .xml) or shipped id')
    .addOption(jsonOption())
    .addHelpText('after', '\nExamples:\n  winpath validate templates/b2b-standard.yaml\n  winpath validate my-process.bpmn --json')
    .action(run(async (file: string, opts: { json?: boolean }, cmd: Command) => (await import('./commands/validate-command.js')).validateCommand(file, opts, ctxOf(cmd))));

  program.command('lint')
    .description('soundness findings beyond the load-time checks (guards that never hold, dead transitions...); exit 1 on errors')
    .argument('<file>', 'template file or shipped id')
    .addOption(jsonOption())
    .addHelpText('after', '\nExample:\n  winpath lint templates/ltc.yaml')
    .action(run(async (file: string, opts: { json?: boolean }, cmd: Command) => (await import('./commands/lint-command.js')).lintCommand(file, opts, ctxOf(cmd))));

  program.command('convert')
    .description('write a template as YAML or BPMN 2.0 XML')
    .argument('<file>', 'template file or shipped id')
    .addOption(new Option('--to <format>', 'target format').choices(['yaml', 'bpmn']).makeOptionMandatory())
    .option('-o, --output <file>', 'write here instead of stdout')
    .addHelpText('after', '\nExamples:\n  winpath convert templates/b2b-standard.yaml --to bpmn -o b2b-standard.bpmn\n  winpath convert b2b-standard.bpmn --to yaml')
    .action(run(async (file: string, opts: { to: 'yaml' | 'bpmn'; output?: string }, cmd: Command) => (await import('./commands/convert-command.js')).convertCommand(file, opts, ctxOf(cmd))));

  program.command('simulate')
    .description('run seeded deals through the real engine on a virtual clock into a SQLite file')
    .argument('<template>', 'template file or shipped id')
    .requiredOption('--deals <n>', 'how many deals', wholeNumber(0, 1_000_000))
    .requiredOption('--seed <n>', 'random seed', wholeNumber(0, 2 ** 31))
    .requiredOption('--db <file>', 'SQLite file (created when missing; deals are added)')
    .option('--days <n>', 'days to simulate', wholeNumber(1, 3660), 91)
    .option('--start <date>', 'first simulated instant', instant, DEFAULT_START)
    .addOption(jsonOption())
    .addHelpText('after', '\nExample:\n  winpath simulate b2b-standard --deals 500 --seed 7 --db deals.db')
    .action(run(async (template: string, opts: { deals: number; seed: number; db: string; days: number; start: string; json?: boolean }, cmd: Command) =>
      (await import('./commands/simulate-command.js')).simulateCommand(template, opts, ctxOf(cmd))));

  program.command('report')
    .description('funnel, conversion, forecast, cycle time, loss reasons and bottlenecks, live from a winpath database')
    .requiredOption('--db <file>', 'winpath SQLite database (must exist)')
    .option('--template <id>', 'template to report on (default: the one with most deals)')
    .option('--group-by <key>', 'owner, stage, status, month, or a template field (region, productLine...)')
    .option('--period <period>', 'forecast period: 2026-Q3, 2026-09, 2026 or 2026-07-01..2026-09-30 (default: the quarter of the latest activity)', period)
    .option('--target <amount>', 'forecast target, in the template currency', amount)
    .option('--html <file>', 'also write the HTML dashboard (every template in the database)')
    .addOption(jsonOption())
    .addHelpText('after', '\nExamples:\n  winpath report --db winpath-demo.db --template b2b-standard --target 12000000\n  winpath report --db winpath-demo.db --group-by region --period 2026-Q3 --json\n  winpath report --db winpath-demo.db --html dashboard.html')
    .action(run(async (opts: { db: string; template?: string; groupBy?: string; period?: string; target?: number; html?: string; json?: boolean }, cmd: Command) =>
      (await import('./commands/report-command.js')).reportCommand(opts, ctxOf(cmd))));

  program.command('explain')
    .description("what to do next on one deal: requirements met and unmet, open tasks and approvals, the moves open or why not")
    .argument('<id>', 'deal id')
    .requiredOption('--db <file>', 'winpath SQLite database (must exist)')
    .option('--to <stage>', 'only the pre-flight for a move to this stage')
    .addOption(jsonOption())
    .addHelpText('after', '\nExample:\n  winpath explain --db winpath-demo.db sim-2026-1234 --lang zh')
    .action(run(async (id: string, opts: { db: string; to?: string; json?: boolean }, cmd: Command) => (await import('./commands/explain-command.js')).explainCommand(id, opts, ctxOf(cmd))));

  return program;
}

/**
 * Runs the CLI on `argv` (without node and the script) and returns the exit code.
 * @example process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = createProgram(io, (c) => { code = c; });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const globals = program.opts<GlobalOptions>();
    const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
    const langArg = i < 0 ? undefined : argv[i]!.startsWith('--lang=') ? argv[i]!.slice(7) : argv[i + 1];
    const lang = langArg === 'zh' || langArg === 'en' ? langArg : globals.lang ?? langFromEnv(io.env);
    const t = createText(lang);
    const debug = argv.includes('--debug');
    for (const line of describeError(e, { debug, hint: t('debugHint'), fixLabel: t('fix') })) io.stderr.write(`${line}\n`);
    return 1;
  }
}
