/** The `winpath` executable: runs the CLI on the process's arguments and sets its exit code. */
import { runCli } from './run-cli.js';

// a reader that stops early (`winpath report ... | head`) is not a failure
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
