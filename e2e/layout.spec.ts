// The projector layout: at 1024×768 in classroom mode each view's main panel is on the first
// screen and the controls classroom mode hides are hidden; at 1920×1080 the sampling grid takes at
// least 40% of the width. Screenshots go to the test's output folder; with $SCREENSHOT_DIR set
// (the README's come from `SCREENSHOT_DIR=docs/screenshots`) every view at both sizes, light and
// dark, goes there (a few seconds more, so only then).
import type { Locator, Page } from '@playwright/test';
import { test, expect, backendOf } from './fixtures';

const DISPLAY_KEY = 'diffusion-playground/display';

const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR;

function shot(page: Page, name: string): Promise<Buffer> {
  const dir = SCREENSHOT_DIR;
  return page.screenshot({ path: dir ? `${dir}/${name}` : test.info().outputPath(name) });
}

/** With $SCREENSHOT_DIR: every view in the current theme, as `<prefix>-<view>-<theme>.png`. */
async function shotEveryView(page: Page, prefix: string, theme: 'light' | 'dark') {
  if (!SCREENSHOT_DIR) return;
  await page.getByRole('combobox', { name: 'Theme' }).selectOption(theme);
  for (const v of VIEWS) {
    await page.getByRole('tab', { name: v.tab }).click();
    await expect(v.main(page)).toBeVisible();
    if (v.hash === 'forward') {
      await expect(page.getByTestId('xt-canvas')).toHaveAttribute('data-ready', 'true');
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, `${prefix}-${v.hash}-${theme}.png`);
  }
}

/** Display settings as the page stores them, in place before the page's scripts run. */
async function display(page: Page, settings: { theme: string; classroom: boolean }) {
  await page.addInitScript(([key, value]) => localStorage.setItem(key, value), [
    DISPLAY_KEY,
    JSON.stringify(settings),
  ] as const);
}

/** The element's box lies inside the viewport, with the page scrolled to the top. */
async function expectOnFirstScreen(page: Page, target: Locator, what: string) {
  await expect(target, what).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await target.boundingBox();
  const vp = page.viewportSize();
  if (!box || !vp) throw new Error(`${what}: no box`);
  expect(box.y, `${what}: top`).toBeGreaterThanOrEqual(0);
  expect(box.x, `${what}: left`).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height, `${what}: bottom (${JSON.stringify(box)})`).toBeLessThanOrEqual(
    vp.height,
  );
  expect(box.x + box.width, `${what}: right`).toBeLessThanOrEqual(vp.width);
}

/** Per view: its main panel, and controls that classroom mode must hide (by role and name). */
const VIEWS: {
  tab: string;
  hash: string;
  main: (p: Page) => Locator;
  hidden: [role: 'button' | 'spinbutton' | 'checkbox' | 'combobox' | 'region', name: string][];
}[] = [
  {
    tab: 'Forward process',
    hash: 'forward',
    main: (p) => p.locator('[data-main-panel]'),
    hidden: [
      ['button', 'New noise'],
      ['spinbutton', 'Image index'],
    ],
  },
  {
    tab: 'Schedules',
    hash: 'schedules',
    // The first plot (β_t on its log axis); its explanation may run below the fold.
    main: (p) => p.locator('.chart-grid .chart-box').first(),
    hidden: [['checkbox', 'Rescale linear β by 1000/T']],
  },
  {
    tab: 'Training',
    hash: 'training',
    main: (p) => p.getByTestId('preview-panel'),
    hidden: [
      ['combobox', 'Model size'],
      ['spinbutton', 'Batch size'],
      ['spinbutton', 'p_uncond'],
      ['spinbutton', 'Steps to train'],
      ['spinbutton', 'Preview every'],
      ['button', 'Default settings'],
      ['region', 'Model'],
    ],
  },
  {
    tab: 'Reverse sampling',
    hash: 'sampling',
    main: (p) => p.getByTestId('sample-row'),
    hidden: [
      ['spinbutton', 'Seed'],
      ['spinbutton', 'Number of images'],
      ['spinbutton', 'eta'],
      ['button', 'Export PNG'],
      ['button', 'Export GIF'],
      ['region', 'Model'],
    ],
  },
  {
    tab: 'Guidance trade-off',
    hash: 'evaluate',
    // No images before a run: its first screen is the controls that start one.
    main: (p) => p.getByRole('button', { name: 'Run evaluation' }),
    hidden: [['spinbutton', 'Evaluation seed']],
  },
  {
    tab: 'Likelihood',
    hash: 'likelihood',
    // No numbers before a run: its first screen is the controls that start one.
    main: (p) => p.getByRole('button', { name: 'Compute the ELBO' }),
    hidden: [['spinbutton', 'Likelihood seed']],
  },
  {
    tab: 'Score & SDE',
    hash: 'score',
    // The plane with the density, the score arrows and the particles.
    main: (p) => p.getByTestId('score-plane').first(),
    hidden: [['spinbutton', 'Steps N']],
  },
];

test('1024×768 classroom: every view’s main panel on the first screen, advanced controls hidden', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(SCREENSHOT_DIR ? 400_000 : 150_000);
  await page.setViewportSize({ width: 1024, height: 768 });
  await display(page, { theme: 'light', classroom: true });
  await page.goto('./?backend=wasm#view=sampling');
  expect(await backendOf(page)).toBe('wasm');
  // The header is one row: title, badge (with the CPU note folded in) and display controls.
  const header = await page.locator('.app-header').boundingBox();
  const title = await page.locator('.app-header h1').boundingBox();
  expect(header && title && header.height).toBeLessThan((title?.height ?? 0) * 1.8);
  // The backend note (not a GPU) sits in the header's row, not in a banner below it.
  const note = await page.locator('.app-header .notice').boundingBox();
  expect(note && header && note.y + note.height).toBeLessThanOrEqual(
    (header?.y ?? 0) + (header?.height ?? 0) + 1,
  );
  // The first grid (16 images) is drawn by itself.
  await expect(page.getByTestId('sample-grid')).toHaveAttribute('data-ready', 'true', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('sampling-step')).toHaveText('50');
  for (const v of VIEWS) {
    await page.getByRole('tab', { name: v.tab }).click();
    await expectOnFirstScreen(page, v.main(page), `${v.tab}: main panel`);
    for (const [role, name] of v.hidden) {
      await expect(page.getByRole(role, { name, exact: true }), `${v.tab}: ${name}`).toBeHidden();
    }
    if (v.hash === 'forward') {
      await expect(page.getByTestId('xt-canvas')).toHaveAttribute('data-ready', 'true');
    }
    if (v.hash === 'training') {
      // The U-Net of the model in use, drawn with its blocks' counts, which add up to its total.
      const diagram = page.getByTestId('unet-diagram');
      await expect(diagram).toBeAttached();
      const total = Number(await diagram.getAttribute('data-total'));
      const counts = await diagram
        .locator('[data-params]')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-params'))));
      expect(total).toBeGreaterThan(0);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
      await expect(page.getByTestId('unet-panel')).toContainText('model in use');
    }
    if (!SCREENSHOT_DIR && (v.hash === 'forward' || v.hash === 'sampling')) {
      await shot(page, `projector-${v.hash}-light.png`);
    }
  }
  await shotEveryView(page, 'projector', 'light');
  await shotEveryView(page, 'projector', 'dark');
  if (!SCREENSHOT_DIR) {
    // Dark theme at the same size.
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await page.getByRole('tab', { name: 'Reverse sampling' }).click();
    await shot(page, 'projector-sampling-dark.png');
  }
  expect(consoleErrors).toEqual([]);
});

test('1920×1080: the sampling grid takes at least 40% of the width, guidance beside it', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(SCREENSHOT_DIR ? 400_000 : 120_000);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await display(page, { theme: 'dark', classroom: false });
  await page.goto('./?backend=wasm#view=sampling');
  expect(await backendOf(page)).toBe('wasm');
  const grid = page.getByTestId('sample-grid');
  await expect(page.getByTestId('sampling-step')).toHaveText('50', { timeout: 60_000 });
  const box = await grid.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThanOrEqual(0.4 * 1920);
  // Pixels stay crisp squares however large the grid is.
  expect(await grid.evaluate((c) => getComputedStyle(c).imageRendering)).toBe('pixelated');
  // The guidance panel sits beside the grid (its top level with the grid), not below it.
  const guidance = await page.getByTestId('guidance-panel').boundingBox();
  expect(guidance?.x ?? 0).toBeGreaterThan((box?.x ?? 0) + (box?.width ?? 0));
  expect(guidance?.y ?? Infinity).toBeLessThan((box?.y ?? 0) + (box?.height ?? 0) / 2);
  // The posterior of the step shown, in numbers (the last step lands on x̂₀: c₁ = 1, β̃ = 0).
  await expect(page.getByTestId('posterior-numbers')).toContainText('end');
  // Two samplers side by side from the same x_T (tiny step counts: the test is about the wiring;
  // DDPM's 1000 steps would take a minute here). The sides go in the link.
  await page.getByRole('combobox', { name: 'Left side', exact: true }).selectOption('ddim');
  await page.getByRole('spinbutton', { name: 'Left side steps' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Left side η' }).fill('1');
  await page.getByRole('spinbutton', { name: 'Right side steps' }).fill('4');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  for (const id of ['comparison-xT', 'comparison-side-0', 'comparison-side-1']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-ready', 'true');
  }
  await expect(page.getByTestId('comparison-panel')).toContainText(
    'DDIM, 2 steps, η = 1: 4 network passes per image',
  );
  await expect(page.getByTestId('comparison-caption')).toContainText('class 3, s = 3, seed 1');
  expect(page.url()).toContain('cmp1=ddim&cmp1steps=2&cmp1eta=1');
  expect(page.url()).toContain('cmp2=ddim&cmp2steps=4');
  if (SCREENSHOT_DIR) {
    await shotEveryView(page, 'wide', 'dark');
    await shotEveryView(page, 'wide', 'light');
  } else {
    await shot(page, 'wide-sampling-dark.png');
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('light');
    await shot(page, 'wide-sampling-light.png');
  }
  await page.getByRole('tab', { name: 'Forward process' }).click();
  await expect(page.getByTestId('xt-canvas')).toHaveAttribute('data-ready', 'true');
  // The Forward images grow with the screen (they were a fixed 168 px).
  expect((await page.getByTestId('xt-canvas').boundingBox())?.width ?? 0).toBeGreaterThan(250);
  if (!SCREENSHOT_DIR) await shot(page, 'wide-forward-light.png');
  expect(consoleErrors).toEqual([]);
});

// The first preview's time is recorded as an annotation, not asserted: on a quiet 2-core machine
// it comes within 30 s, but a loaded one (parallel test runs) can be several times slower.
test('training on a CPU backend: tiny defaults, an early first preview, labelled raw weights', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(200_000);
  await page.goto('./?backend=wasm#view=training');
  expect(await backendOf(page)).toBe('wasm');
  await expect(page.getByTestId('training-defaults')).toContainText('wasm runs on the CPU');
  await expect(page.getByRole('combobox', { name: 'Model size' })).toHaveValue('tiny');
  const start = Date.now();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-state')).toHaveText('running', { timeout: 90_000 });
  await expect(page.getByTestId('preview-grid')).toHaveAttribute('data-ready', 'true', {
    timeout: 90_000,
  });
  const seconds = (Date.now() - start) / 1000;
  test.info().annotations.push({ type: 'first preview', description: `${seconds.toFixed(1)} s` });
  await expect(page.getByTestId('preview-weights')).toHaveText('(raw weights; EMA from step 1000)');
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByTestId('training-state')).toHaveText('paused');
  expect(consoleErrors).toEqual([]);
});
