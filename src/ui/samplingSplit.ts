// Words for how a sampling step's batch was shared between the compute worker and the sampling
// workers (engine/sampling/splitEps.ts), shown beside the step counter; the same for a training
// step's batch (engine/training/partGradient.ts), shown beside images/s.

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

/**
 * The same in a few words, for the Sampling view's step line beside the trajectory slider
 * ("8 here + 8 on 1 worker", "8 + 8 on 2 workers"); describeSplit's words go in its tooltip.
 */
export function describeSplitShort(counts: readonly number[] | undefined): string | null {
  if (!counts || counts.length < 2) return null;
  const [here, ...peers] = counts;
  const shared = peers.filter((c) => c > 0);
  const on = `on ${shared.length} worker${shared.length === 1 ? '' : 's'}`;
  return here > 0 ? `${here} here + ${shared.join(' + ')} ${on}` : `${shared.join(' + ')} ${on}`;
}

/** A training step's split (images per worker; `here`: the first part was the compute worker's). */
export function describeTrainingSplit(
  split: { images: readonly number[]; here: boolean } | undefined,
): string | null {
  if (!split) return null;
  return describeSplit(split.here ? split.images : [0, ...split.images]);
}
