import { describe, expect, it } from 'vitest';
import { EPS_LIMIT, X_LIMIT, samplingWarning } from './health';

const sane = () => ({
  x: Float32Array.from([-1, -0.5, 0.2, 1.3]),
  eps: Float32Array.from([-2.5, 0.1, 3.9, -0.7]),
  x0Pred: Float32Array.from([-1, 1, 0, 0.5]),
});

describe('samplingWarning', () => {
  it('passes arrays a working model produces, also before the first step', () => {
    expect(samplingWarning(sane())).toBeNull();
    expect(samplingWarning({ x: sane().x, eps: null, x0Pred: null })).toBeNull();
  });

  it('counts NaN and infinite values in any array', () => {
    const a = sane();
    a.x[0] = Number.NaN;
    a.eps[1] = Infinity;
    expect(samplingWarning(a)).toBe(
      'The samples contain 2 NaN or infinite values: the model is broken (e.g. weights far out of range), so these images mean nothing.',
    );
  });

  it('notices noise predictions and samples far out of range', () => {
    const a = sane();
    a.eps[2] = EPS_LIMIT * 10;
    expect(samplingWarning(a)).toContain('|ε̂| = 1.0e+3');
    const b = sane();
    b.x[3] = -X_LIMIT * 2;
    expect(samplingWarning(b)).toContain('|x| = 2.0e+2, far outside the data range');
    const edge = sane();
    edge.eps[0] = EPS_LIMIT;
    expect(samplingWarning(edge)).toBeNull();
  });
});
