// x_t at evenly spaced t for both schedules, one row each (Nichol & Dhariwal 2021, Fig. 3).
import type { FilmstripResult } from '../../worker/api';
import { ImageCanvas } from './ImageCanvas';

const RANGE = [-1, 1] as const;

export function Filmstrip({ strip }: { strip: FilmstripResult | null }) {
  if (!strip) return <p className="muted">Computing the filmstrip…</p>;
  const rows = [
    ['linear', strip.linear],
    ['cosine', strip.cosine],
  ] as const;
  return (
    <div className="filmstrip" data-testid="filmstrip">
      {rows.map(([name, images]) => (
        <div className="filmstrip-row" key={name}>
          <span className="filmstrip-label">{name}</span>
          {images.map((img, k) => (
            <ImageCanvas
              key={k}
              data={img.data}
              shape={img.shape}
              range={RANGE}
              label={`t = ${strip.timesteps[k]}`}
              size={72}
              testId={`film-${name}-${k}`}
            />
          ))}
        </div>
      ))}
    </div>
  );
}
