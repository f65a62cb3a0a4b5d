// CLI entry point: `npm run cli -- <command> [options]` (tsx src/cli/main.ts).
import { runCli } from './cli';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
});
