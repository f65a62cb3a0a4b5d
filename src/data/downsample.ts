// A data set at 1/factor of its resolution: each factor×factor block of pixels averaged (box
// filter) and rounded, the low-resolution data a cascade's base stage models (Ho et al. 2021).
import type { Dataset } from './dataset';

export function downsampleDataset(ds: Dataset, factor: number): Dataset {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new RangeError(`downsampling factor must be an integer >= 1 (got ${factor})`);
  }
  if (ds.height % factor !== 0 || ds.width % factor !== 0) {
    throw new RangeError(`${ds.height}x${ds.width} images cannot be downsampled by ${factor}`);
  }
  const h = ds.height / factor;
  const w = ds.width / factor;
  const c = ds.channels;
  const inner = factor * factor;
  const out = new Uint8Array(ds.count * h * w * c);
  for (let n = 0; n < ds.count; n++) {
    const src = n * ds.height * ds.width * c;
    const dst = n * h * w * c;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let dy = 0; dy < factor; dy++) {
            for (let dx = 0; dx < factor; dx++) {
              sum += ds.images[src + ((y * factor + dy) * ds.width + x * factor + dx) * c + ch];
            }
          }
          out[dst + (y * w + x) * c + ch] = Math.round(sum / inner);
        }
      }
    }
  }
  return { ...ds, height: h, width: w, images: out };
}
