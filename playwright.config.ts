// End-to-end tests drive Debian's Chromium headless with WebGPU (SwiftShader on the CPU).
import { defineConfig } from '@playwright/test';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  // SwiftShader runs WebGPU on the CPU: one test at a time, generous timeouts.
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    // Every test's last screen in test-results/ and the report here; in CI only failures'.
    screenshot: process.env.CI ? 'only-on-failure' : 'on',
    // A trace snapshots the page at every action: worth it when debugging here, not in CI's
    // 15-minute budget (a failure there still leaves its screenshot and error context).
    trace: process.env.CI ? 'off' : 'retain-on-failure',
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: chromium,
      args: [
        '--enable-unsafe-webgpu',
        '--no-sandbox',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    // Serves the production build (npm test builds first), exactly what a static host would serve.
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
