import { describe, expect, it } from 'vitest';
import { initFromName, workerName } from './bootName';
import type { InitOptions } from './api';

describe('init options in the worker name', () => {
  const opts: InitOptions = {
    preferred: 'wasm',
    wasmThreads: 2,
    remembered: {
      backend: 'wasm',
      deviceKey: 'google|swiftshader|||cores=2',
      measurements: [{ backend: 'wasm', ms: 29.3 }],
    },
    dataBaseUrl: 'http://127.0.0.1:4173/data/',
    modelBaseUrl: 'http://127.0.0.1:4173/models/',
  };

  it('round-trips the options', () => {
    expect(initFromName(workerName(opts))).toEqual(opts);
    expect(initFromName(workerName({ dataBaseUrl: '/data/' }))).toEqual({ dataBaseUrl: '/data/' });
  });

  it('finds none in a plain name or an odd one', () => {
    expect(workerName()).toBe('diffusion-compute');
    expect(initFromName(workerName())).toBeNull();
    expect(initFromName('diffusion-compute {not json')).toBeNull();
    expect(initFromName('diffusion-compute {"preferred":"wasm"}')).toBeNull();
    expect(initFromName('diffusion-compute {"dataBaseUrl":"/d/","preferred":"tpu"}')).toBeNull();
    expect(initFromName('diffusion-compute {"dataBaseUrl":"/d/","wasmThreads":1.5}')).toBeNull();
    expect(
      initFromName('diffusion-compute {"dataBaseUrl":"/d/","remembered":{"backend":"x"}}'),
    ).toBeNull();
    expect(initFromName('other {"dataBaseUrl":"/d/"}')).toBeNull();
  });
});
