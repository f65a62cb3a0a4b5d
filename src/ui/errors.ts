// Turns anything thrown across the worker boundary into one readable sentence for the page.
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const fix = (err as Error & { fix?: unknown }).fix;
    return typeof fix === 'string' && !err.message.includes(fix)
      ? `${err.message} Fix: ${fix}`
      : err.message;
  }
  return String(err);
}
