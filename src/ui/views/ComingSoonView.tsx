// Placeholder for views whose engine work has not landed yet; says what will be here.
import type { ViewId } from '../store';

const PLANNED: Record<Exclude<ViewId, 'forward'>, string> = {
  schedules: 'Plots of β_t, ᾱ_t, √ᾱ_t, √(1−ᾱ_t) and log-SNR for the linear and cosine schedules.',
  training: 'A small U-Net trained live in this browser, with its loss curve and samples.',
  sampling:
    'Reverse sampling one denoising step at a time, with a classifier-free guidance slider.',
};

export function ComingSoonView({ view }: { view: Exclude<ViewId, 'forward'> }) {
  return (
    <section className="view">
      <h2>Not built yet</h2>
      <p>{PLANNED[view]}</p>
    </section>
  );
}
