// Words for how a sampling step's batch was shared between the compute worker and the sampling
// workers (engine/sampling/splitEps.ts), shown beside the step counter.

/** counts: images per worker in the last step, the compute worker first; null when not split. */
export function describeSplit(counts: readonly number[] | undefined): string | null {
  if (!counts || counts.length < 2) return null;
  const [here, ...peers] = counts;
  const shared = peers.filter((c) => c > 0);
  const workers = `${shared.length} sampling worker${shared.length === 1 ? '' : 's'}`;
  const parts = shared.join(' + ');
  const images = (n: number) => (n === 1 ? 'image' : 'images');
  return here > 0
    ? `${here} ${images(here)} here + ${parts} on ${workers} per step`
    : `${parts} ${images(shared.reduce((a, b) => a + b, 0))} per step on ${workers}`;
}
