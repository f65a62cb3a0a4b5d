// The sampling trajectory as an animated GIF (gifenc): one frame per recorded step, the last
// frame held longer. Frames are encoded one per task so the page stays responsive.
import { GIFEncoder, applyPalette, quantize } from 'gifenc';
import type { SamplingFrame } from '../worker/api';
import { gridPixels } from './gridPixels';

const yieldToPage = () => new Promise<void>((r) => setTimeout(r, 0));

export async function trajectoryGif(frames: SamplingFrame[], scale = 3): Promise<Uint8Array> {
  if (frames.length === 0) throw new Error('nothing to export: run the sampler first');
  const gif = GIFEncoder();
  for (let k = 0; k < frames.length; k++) {
    const f = frames[k];
    const { rgba, width, height } = gridPixels(f.x, f.shape, [-1, 1], undefined, 1, scale);
    const palette = quantize(rgba, 256);
    const delay = k === frames.length - 1 ? 1500 : 80;
    gif.writeFrame(applyPalette(rgba, palette), width, height, { palette, delay, repeat: 0 });
    await yieldToPage();
  }
  gif.finish();
  return gif.bytes();
}

export function download(bytes: Uint8Array | Blob, name: string, type: string): void {
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes as BlobPart], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
