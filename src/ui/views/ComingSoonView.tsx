// Placeholder for views whose engine work has not landed yet; says what will be here.
import type { ViewId } from '../store';

const PLANNED: Record<Extract<ViewId, 'training' | 'sampling'>, string> = {
  training: 'A small U-Net trained live in this browser, with its loss curve and samples.',
  sampling:
    'Reverse sampling one denoising step at a time, with a classifier-free guidance slider.',
};

export function ComingSoonView({ view }: { view: Extract<ViewId, 'training' | 'sampling'> }) {
  return (
    <section className="view">
      <h2>Not built yet</h2>
      <p>{PLANNED[view]}</p>
    </section>
  );
}
