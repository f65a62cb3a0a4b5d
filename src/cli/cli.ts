// Top-level dispatch: `cli <command> [options]`. Returns an exit code; never calls process.exit.
import { COMMANDS, findCommand } from './commands';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './types';

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.description}`);
  return [
    'Usage: npm run cli -- <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `npm run cli -- <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === '--help' || name === '-h' || name === 'help') {
      io.stdout(usage());
      return EXIT_OK;
    }
    if (name === undefined) throw new UsageError('missing command (run with --help for usage)');
    if (name.startsWith('-'))
      throw new UsageError(`unknown option ${JSON.stringify(name)} before the command`);
    const command = findCommand(name);
    if (!command) {
      const known = COMMANDS.map((c) => c.name).join(', ');
      throw new UsageError(`unknown command ${JSON.stringify(name)} (known: ${known})`);
    }
    return await command.run(rest, io);
  } catch (err) {
    const usageError = err instanceof UsageError;
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`error: ${oneLine(message)}\n`);
    return usageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}
