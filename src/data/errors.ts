// One error type for everything that can go wrong with the prepared data files, so the UI and the
// CLI can show a short, actionable message (file + fix command) instead of a stack trace.

/** The command that (re)creates the files under public/data/. */
export const PREPARE_DATA_FIX = 'npm run prepare-data';

export class DataError extends Error {
  override readonly name = 'DataError';
  /** The command that fixes the problem. */
  readonly fix: string;
  /** The file (path or URL) the problem is about. */
  readonly file: string;
  /** The problem alone, without file and fix (the message has all three). */
  readonly problem: string;

  constructor(file: string, problem: string, options: { fix?: string; cause?: unknown } = {}) {
    const fix = options.fix ?? PREPARE_DATA_FIX;
    super(`${file}: ${problem}. To fix, run \`${fix}\`.`, { cause: options.cause });
    this.file = file;
    this.problem = problem;
    this.fix = fix;
  }
}

/** The message of any thrown value, for wrapping lower-level errors into a DataError. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
