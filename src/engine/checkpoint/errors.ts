// The one error type every checkpoint path throws, so callers (worker, CLI) can show its message
// as is and branch on `code` without parsing text.

export type CheckpointErrorCode =
  /** Not a checkpoint of ours, or a field is missing / of the wrong type / not valid JSON. */
  | 'format'
  /** A format or container version this app does not read. */
  | 'version'
  /** modelConfig, schedule, dataset or classNames are present but not a usable combination. */
  | 'config'
  /** A weight's shape differs from what modelConfig needs. */
  | 'shape'
  /** The weight names differ from the model's, or the weights do not fit the model in use. */
  | 'mismatch'
  /** The binary data is damaged: wrong byte length, checksum, truncated container. */
  | 'corrupt'
  /** A weight holds NaN or ±Inf (or would, once stored as float16). */
  | 'nan'
  /** A file, directory or browser store could not be read or written. */
  | 'io';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';

  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The message of anything thrown, for wrapping foreign errors into a CheckpointError. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
