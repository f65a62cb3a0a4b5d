import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../worker/api';
import { offerPretrained, pretrainedToLoad, shouldSampleFirstGrid } from './pretrainedModels';
import { usePretrained } from './pretrainedStore';

function model(patch: Partial<ModelInfo>): ModelInfo {
  return {
    dataset: 'mnist',
    preset: null,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    schedule: { kind: 'linear', T: 1000 },
    trainingSteps: 8000,
    ema: true,
    origin: 'pretrained',
    label: 'Pretrained MNIST model',
    pretrained: 'mnist-cfg',
    numParams: 369_484,
    flopsPerImage: 53e6,
    numClasses: 10,
    imageSize: 28,
    channels: 1,
    learnSigma: false,
    ...patch,
  };
}

describe('pretrainedToLoad', () => {
  const base = { view: 'sampling' as const, dataset: 'mnist' as const, loading: [], failed: [] };

  it('loads the data set’s model when there is none, only in the Sampling view', () => {
    expect(pretrainedToLoad({ ...base, model: null })).toBe('mnist');
    expect(pretrainedToLoad({ ...base, view: 'forward', model: null })).toBeNull();
  });

  it('swaps one pretrained model for the other, never a model the user made or loaded', () => {
    const cifar = model({ dataset: 'cifar10', pretrained: 'cifar10-cfg' });
    expect(pretrainedToLoad({ ...base, model: cifar })).toBe('mnist');
    expect(pretrainedToLoad({ ...base, model: model({}) })).toBeNull();
    const own = model({ dataset: 'cifar10', origin: 'checkpoint' });
    expect(pretrainedToLoad({ ...base, model: own })).toBeNull();
    expect(offerPretrained('mnist', own)).toBe(true);
    expect(offerPretrained('cifar10', own)).toBe(false);
    expect(offerPretrained('mnist', cifar)).toBe(false);
  });

  it('waits for a load in flight and does not retry a failed one by itself', () => {
    expect(pretrainedToLoad({ ...base, model: null, loading: ['mnist'] })).toBeNull();
    expect(pretrainedToLoad({ ...base, model: null, failed: ['mnist'] })).toBeNull();
    expect(pretrainedToLoad({ ...base, dataset: 'cifar10', model: null, failed: ['mnist'] })).toBe(
      'cifar10',
    );
  });
});

describe('shouldSampleFirstGrid', () => {
  const m = model({});
  const base = {
    view: 'sampling' as const,
    dataset: 'mnist' as const,
    model: m,
    hasFrames: false,
    busy: false,
    alreadyFor: null,
  };

  it('samples once per pretrained model, when the view is empty and idle', () => {
    expect(shouldSampleFirstGrid(base)).toBe(true);
    expect(shouldSampleFirstGrid({ ...base, alreadyFor: m })).toBe(false);
    expect(shouldSampleFirstGrid({ ...base, hasFrames: true })).toBe(false);
    expect(shouldSampleFirstGrid({ ...base, busy: true })).toBe(false);
    expect(shouldSampleFirstGrid({ ...base, view: 'training' })).toBe(false);
  });

  it('not for a model of another data set (its replacement is on the way) nor a new model', () => {
    expect(shouldSampleFirstGrid({ ...base, dataset: 'cifar10' })).toBe(false);
    expect(shouldSampleFirstGrid({ ...base, model: model({ origin: 'new' }) })).toBe(false);
    expect(shouldSampleFirstGrid({ ...base, model: null })).toBe(false);
  });
});

describe('pretrained store', () => {
  it('tracks loads in flight; remembers automatic failures only', () => {
    const s = usePretrained.getState();
    s.begin('mnist');
    s.begin('cifar10');
    s.end('mnist', { error: 'boom', auto: true });
    expect(usePretrained.getState()).toMatchObject({
      loading: ['cifar10'],
      error: 'boom',
      failed: ['mnist'],
    });
    s.end('cifar10', { error: 'bang', auto: false });
    expect(usePretrained.getState()).toMatchObject({
      loading: [],
      error: 'bang',
      failed: ['mnist'],
    });
    s.begin('cifar10');
    expect(usePretrained.getState().error).toBeNull();
  });
});
