// Shared CLI types: output sinks, the command shape and the usage-error signal.

/** Where a command writes; injectable so commands can be tested in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** One sub-command. `run` returns the exit code; it should lazy-import heavy modules (tfjs). */
export interface Command {
  name: string;
  description: string;
  run: (argv: string[], io: CliIo) => Promise<number>;
}

/** Bad command-line input: reported as one `error: …` line on stderr with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
