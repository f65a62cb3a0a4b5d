// Node's WebGPU comes from an optional package: a missing or odd package is reported with how to
// install it, and a good one puts its GPU on navigator (restored after each test).
import { afterEach, describe, expect, it } from 'vitest';
import { NODE_WEBGPU_PACKAGE, provideNodeWebGpu } from './nodeWebgpu';

const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
afterEach(() => {
  if (saved) Object.defineProperty(globalThis, 'navigator', saved);
  delete (globalThis as Record<string, unknown>).GPUBufferUsageFake;
});

describe('provideNodeWebGpu', () => {
  it('says how to install the package when it does not load', async () => {
    const why = await provideNodeWebGpu(() =>
      Promise.reject(new Error("Cannot find package 'webgpu'")),
    );
    expect(why).toContain("Cannot find package 'webgpu'");
    expect(why).toContain(`npm install --no-save ${NODE_WEBGPU_PACKAGE}`);
    expect(why).toContain('VK_ICD_FILENAMES');
  });

  it('rejects a package without create() and globals', async () => {
    const why = await provideNodeWebGpu(() => Promise.resolve({ default: { create: 1 } }));
    expect(why).toMatch(/has no create\(\)\/globals/);
  });

  it("puts the package's GPU on navigator and its globals on globalThis", async () => {
    const gpu = { requestAdapter: () => Promise.resolve(null) } as unknown as GPU;
    const options: string[][] = [];
    const why = await provideNodeWebGpu(() =>
      Promise.resolve({
        default: {
          create: (o: string[]) => (options.push(o), gpu),
          globals: { GPUBufferUsageFake: 7 },
        },
      }),
    );
    expect(why).toBeNull();
    expect(options).toEqual([[]]);
    expect(navigator.gpu).toBe(gpu);
    expect((globalThis as Record<string, unknown>).GPUBufferUsageFake).toBe(7);
    // Once there, it is not loaded again.
    expect(await provideNodeWebGpu(() => Promise.reject(new Error('loaded twice')))).toBeNull();
  });
});
