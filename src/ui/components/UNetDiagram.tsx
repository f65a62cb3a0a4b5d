// The U-Net drawn as a U: one row per resolution level, the down path on the left, the up path on
// the right, the skip connections across and the middle at the bottom, with each block's channels
// and parameter count (src/model/blocks.ts, the same parameter list the model is built from), and
// where the timestep t and the class y enter (Ho et al. 2020, Appendix B; Ho & Salimans 2022).
// Of the model in use, or of the preset chosen in Training when there is none yet.
import { useEffect, useState } from 'react';
import type { NetworkBlock, NetworkDiagram } from '../../worker/api';
import { getWorker } from '../workerClient';
import { useTraining } from '../trainingStore';
import { usePlayground } from '../store';
import { describeError } from '../errors';
import { Tex } from './Tex';

/** 1234 → "1.2k", 1234567 → "1.23M": counts a class can read from the back row. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${(n / 1e3).toPrecision(3)}k`;
  return String(n);
}

function blockText(b: NetworkBlock): string {
  switch (b.kind) {
    case 'res':
      return b.skipCh > 0
        ? `res ${b.inCh - b.skipCh}+${b.skipCh}→${b.outCh}`
        : `res ${b.inCh}→${b.outCh}`;
    case 'attn':
      return `attention ${b.outCh}`;
    case 'down':
      return `↓ conv stride 2, ${b.outCh}`;
    case 'up':
      return `↑ nearest ×2 + conv, ${b.outCh}`;
    case 'convIn':
      return `conv_in ${b.inCh}→${b.outCh}`;
    case 'out':
      return `norm, SiLU, conv_out ${b.inCh}→${b.outCh}`;
    case 'timeEmbedding':
      return `t embedding MLP ${b.inCh}→${b.outCh}`;
    case 'classEmbedding':
      return `class table ${b.inCh}×${b.outCh}`;
  }
}

function Block({ b }: { b: NetworkBlock }) {
  return (
    <li className={`unet-block unet-${b.kind}`} title={b.name} data-params={b.params}>
      <span>{blockText(b)}</span> <span className="muted">{formatCount(b.params)}</span>
    </li>
  );
}

function Column({ blocks }: { blocks: NetworkBlock[] }) {
  return (
    <ul className="unet-column">
      {blocks.map((b) => (
        <Block key={b.name} b={b} />
      ))}
    </ul>
  );
}

function Diagram({ d }: { d: NetworkDiagram }) {
  const of = (part: NetworkBlock['part'], level: number) =>
    d.blocks.filter((b) => b.part === part && b.level === level);
  const emb = d.blocks.filter((b) => b.part === 'embedding');
  const convIn = d.blocks.filter((b) => b.part === 'input');
  const out = d.blocks.filter((b) => b.part === 'output');
  const mid = d.blocks.filter((b) => b.part === 'mid');
  const patchNote =
    d.patch > 1
      ? ` → ${d.patch}×${d.patch} patches folded into channels: ${d.gridSize}×${d.gridSize}×${d.gridChannels}`
      : '';
  return (
    <div className="unet-diagram" data-testid="unet-diagram" data-total={d.totalParams}>
      <div className="unet-io">
        <span>
          x_t: {d.imageSize}×{d.imageSize}×{d.inChannels}
          {patchNote}
        </span>
        <span>
          ε̂: {d.imageSize}×{d.imageSize}×{d.inChannels}
        </span>
      </div>
      <div className="unet-row unet-paths muted">
        <span>down path ↓</span>
        <span>level</span>
        <span>↑ up path</span>
      </div>
      <div className="unet-grid">
        {d.levels.map((lv, level) => (
          <div className="unet-row" key={level}>
            <div>
              {level === 0 && <Column blocks={convIn} />}
              <Column blocks={of('down', level)} />
            </div>
            <div className="unet-level">
              <strong>
                {lv.size}×{lv.size}
              </strong>
              <span className="muted">{lv.channels} ch</span>
              <span className="unet-skip">skips →</span>
            </div>
            <div>
              {/* The up path runs upwards: its blocks read from the bottom. */}
              {level === 0 && <Column blocks={out} />}
              <Column blocks={of('up', level).reverse()} />
            </div>
          </div>
        ))}
        <div className="unet-row unet-mid">
          <span className="unet-level">
            <strong>middle</strong>
          </span>
          <Column blocks={mid} />
        </div>
      </div>
      <div className="unet-embedding">
        <Column blocks={emb} />
        <p className="muted">
          t → sinusoidal features ({d.levels[0].channels}) → dense, SiLU, dense → a {d.tembDim}
          -vector
          {d.numClasses > 0
            ? ` plus the class y's row of a (${d.numClasses} + 1 null) × ${d.tembDim} table`
            : ''}
          ; every res block adds its own projection of it after its first conv.
        </p>
      </div>
    </div>
  );
}

/** The model in use, else the preset chosen for training on the current data set. */
export function UNetDiagram() {
  const model = useTraining((s) => s.model);
  const preset = useTraining((s) => s.settings.preset);
  const dataset = usePlayground((s) => s.dataset);
  const backend = usePlayground((s) => s.backend);
  const [d, setD] = useState<NetworkDiagram | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!backend) return;
    let live = true;
    getWorker()
      .networkDiagram(model ? null : { dataset, preset })
      .then((diagram) => {
        if (!live) return;
        setD(diagram);
        setError(null);
      })
      .catch((e: unknown) => {
        if (live) setError(describeError(e));
      });
    return () => {
      live = false;
    };
  }, [backend, model, dataset, preset]);
  const what = model ? `the model in use (${model.label})` : `the ${preset} preset for ${dataset}`;
  return (
    <section className="panel" aria-label="The network" data-testid="unet-panel">
      <h3>
        The network: a U-Net, {what}
        {d && `, ${formatCount(d.totalParams)} parameters`}
      </h3>
      <Tex
        expr={String.raw`\epsilon_\theta(x_t, t, y):\ \text{parameters} = \sum_{\text{blocks}} = ${d ? d.totalParams.toLocaleString('en-US').replace(/,/g, '{,}') : '\\ldots'}`}
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {d && <Diagram d={d} />}
      <p className="muted">
        DDPM’s U-Net (Ho et al. 2020, App. B): res blocks with GroupNorm, self-attention at the
        listed resolutions and in the middle, each down-path output kept and concatenated on the way
        up. What to look for: most parameters sit in the deep, many-channel levels, where the image
        is smallest.
      </p>
    </section>
  );
}
