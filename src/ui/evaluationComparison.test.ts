// The trade-off panel keeps the last curve of the other guidance method (same model) beside the
// current one, so classifier-free and classifier guidance can be compared at the same seeds.
import { describe, expect, it } from 'vitest';
import type { ScaleResult } from '../worker/api';
import { useEvaluation } from './evaluationStore';

const result = (s: number) => ({ guidanceScale: s }) as unknown as ScaleResult;

describe('evaluation comparison curve', () => {
  it('keeps the other method’s last curve for the same model, drops it for another model', () => {
    const store = useEvaluation.getState;
    store().begin('model A');
    store().addResult(result(1));
    store().addResult(result(3));
    store().finish({});
    expect(store().comparison).toBeNull();
    store().setSettings({ guidanceMethod: 'classifier' });
    store().begin('model A');
    expect(store().resultsMethod).toBe('classifier');
    expect(store().comparison?.method).toBe('classifier-free');
    expect(store().comparison?.results.map((r) => r.guidanceScale)).toEqual([1, 3]);
    store().addResult(result(10));
    // A second classifier run keeps the classifier-free curve beside it.
    store().begin('model A');
    expect(store().comparison?.method).toBe('classifier-free');
    store().begin('model B');
    expect(store().comparison).toBeNull();
  });
});

describe('a side-by-side run (guidance method both)', () => {
  it('puts each streamed result on its own method’s curve', () => {
    const store = useEvaluation.getState;
    store().setSettings({ guidanceMethod: 'both' });
    store().begin('model A');
    expect(store().resultsMethod).toBe('classifier-free');
    expect(store().comparison).toEqual({ method: 'classifier', results: [], sameRun: true });
    store().addResult(result(0), 'classifier-free');
    store().addResult(result(3), 'classifier-free');
    store().addResult(result(0), 'classifier');
    store().addResult(result(20), 'classifier');
    expect(store().results.map((r) => r.guidanceScale)).toEqual([0, 3]);
    expect(store().comparison?.results.map((r) => r.guidanceScale)).toEqual([0, 20]);
    store().finish({});
    // A later classifier-only run keeps this run's classifier-free curve beside it.
    store().setSettings({ guidanceMethod: 'classifier' });
    store().begin('model A');
    expect(store().comparison).toMatchObject({ method: 'classifier-free', sameRun: false });
    expect(store().comparison?.results.map((r) => r.guidanceScale)).toEqual([0, 3]);
  });
});
