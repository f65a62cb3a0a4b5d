// The guidance trade-off as numbers: one row per scale (accuracy, Fréchet distance, diversity,
// time per image), the judge's accuracy per digit as a coloured grid, and a strip of samples per
// scale so the numbers have pictures beside them.
import type { ScaleResult } from '../../worker/api';
import { accuracyColour, percent } from '../evaluationFormat';
import { ImageGrid } from './ImageGrid';

const DATA = [-1, 1] as const;

const byScale = (results: readonly ScaleResult[]) =>
  [...results].sort((a, b) => a.guidanceScale - b.guidanceScale);

/** `prefix` names a second curve's rows apart (e.g. 'cg-' for classifier guidance beside CFG). */
export function ResultsTable({
  results,
  label = 'Results per guidance scale',
  prefix = '',
}: {
  results: readonly ScaleResult[];
  label?: string;
  prefix?: string;
}) {
  return (
    <table className="values-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">s</th>
          <th scope="col">accuracy</th>
          <th scope="col">Fréchet distance</th>
          <th scope="col">diversity</th>
          <th scope="col">seconds / image</th>
        </tr>
      </thead>
      <tbody>
        {byScale(results).map((r) => (
          <tr key={r.guidanceScale} data-testid={`${prefix}eval-row`} data-scale={r.guidanceScale}>
            <th scope="row">{r.guidanceScale}</th>
            <td data-testid={`${prefix}eval-accuracy`} data-value={r.accuracy.overall}>
              {(100 * r.accuracy.overall).toFixed(1)}%
            </td>
            <td data-testid={`${prefix}eval-fd`} data-value={r.frechetDistance}>
              {r.frechetDistance.toFixed(2)}
            </td>
            <td data-testid={`${prefix}eval-diversity`} data-value={r.diversity.mean ?? ''}>
              {r.diversity.mean === null ? '–' : r.diversity.mean.toFixed(2)}
            </td>
            <td data-testid={`${prefix}eval-seconds`} data-value={r.secondsPerImage}>
              {r.secondsPerImage.toFixed(3)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PerClassTable(props: {
  results: readonly ScaleResult[];
  classNames: string[];
  /** What a class is called: 'digit' (MNIST) or 'class' (CIFAR-10). */
  noun?: string;
}) {
  const { results, classNames, noun = 'digit' } = props;
  return (
    <table className="values-table per-class" aria-label={`Accuracy per ${noun}`}>
      <thead>
        <tr>
          <th scope="col">s</th>
          {classNames.map((name) => (
            <th scope="col" key={name}>
              {name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {byScale(results).map((r) => (
          <tr key={r.guidanceScale}>
            <th scope="row">{r.guidanceScale}</th>
            {classNames.map((name, c) => {
              const v = r.accuracy.perClass[c] ?? null;
              return (
                <td
                  key={name}
                  className="heat"
                  style={{ background: accuracyColour(v) }}
                  title={`${noun} ${name}: ${r.accuracy.counts[c] ?? 0} samples`}
                >
                  {percent(v)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SampleStrips(props: {
  results: readonly ScaleResult[];
  /** Prefix of the strips' test ids (two methods side by side). */
  prefix?: string;
  /** 1 (MNIST) or 3 (CIFAR-10). */
  channels?: number;
  classNames?: readonly string[];
}) {
  const { results, prefix = '', channels = 1, classNames } = props;
  return (
    <div className="sample-strips">
      {byScale(results).map((r) => {
        const n = r.labels.length;
        if (n === 0) return null;
        const side = Math.round(Math.sqrt(r.images.length / (n * channels)));
        const names = Array.from(r.labels, (y) => classNames?.[y] ?? String(y));
        return (
          <ImageGrid
            key={r.guidanceScale}
            data={r.images}
            shape={[n, side, side, channels]}
            range={DATA}
            cols={n}
            cell={40}
            label={`s = ${r.guidanceScale}: ${names.join(' ')}`}
            testId={`${prefix}eval-samples-${r.guidanceScale}`}
          />
        );
      })}
    </div>
  );
}
