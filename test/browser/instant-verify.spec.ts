import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ManualClock } from '../../src/core/clock/clock.js';
import type { AppConfig } from '../../src/core/config/config.schema.js';
import { DatedWorkTick } from '../../src/maintenance/dated-work.tick.js';
import { createConsumer, insertRegistryRecord } from '../support/fixtures.js';
import { startTamperingProxy } from '../support/tampering-proxy.js';
import { browserTests, CHROMIUM_PATH } from '../support/browser.js';
import { destroyTestEnvironment, isolatedConfig, startTestApi, startTestWorker, type TestApi } from '../support/test-env.js';

/**
 * 在浏览器中验证 of an instant-draw day (ILI-1) in Debian's Chromium: a day of the 2026 kind of campaign drawn
 * through the real API and worker and published at midnight on the service clock; its page re-runs every
 * outcome in the browser (the same algorithm code as the worker and the CLI) and shows MATCH; a log with one
 * outcome changed, served by the test in front of the API, shows MISMATCH naming that line.
 */
const { haveChromium, browserTest } = browserTests(import.meta.url, CHROMIUM_PATH);
const DAY = 'zhuzhou-2026-instant-2026-11-02';

const campaignsDir = mkdtempSync(join(tmpdir(), 'il-instant-browser-'));
const zhuzhou = JSON.parse(readFileSync(new URL('../../config/campaigns/zhuzhou-2026.json', import.meta.url), 'utf8'));
writeFileSync(join(campaignsDir, 'zhuzhou-2026.json'), JSON.stringify({ ...zhuzhou, periodRule: 'calendar-month', intake: { ...zhuzhou.intake, dailyLimit: 100, campaignLimit: undefined } }));

const clock = new ManualClock('2026-11-02T09:00:00+08:00');
let config: AppConfig;
let api: TestApi;
let worker: Awaited<ReturnType<typeof startTestWorker>> | undefined;
let browser: Browser | undefined;
let proxy: Server | undefined;
let tamperedBase = '';

beforeAll(async () => {
  if (!haveChromium) return;
  config = isolatedConfig({ CAMPAIGNS_DIR: campaignsDir, PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' });
  api = await startTestApi({ config, clock });
  worker = await startTestWorker({ config: { ...config, INSTANT_SECRET_KEY: 'c3'.repeat(32) }, clock });
  await worker.app.get(DatedWorkTick).tick();
  const consumer = await createConsumer(api.app, { realName: '浏览' });
  for (let i = 1; i <= 12; i++) {
    const invoiceNumber = `26432000000${String(500 + i).padStart(9, '0')}`;
    await insertRegistryRecord(api.app, { invoiceType: '32', invoiceCode: '', invoiceNumber, issueDate: '2026-11-02', amountCents: 15000, checkCode: null, buyerName: '浏览' });
    clock.advance(1000);
    const res = await api.http.post('/api/v1/invoices', { invoiceType: '32', invoiceNumber, issueDate: '2026-11-02', amount: '150.00' }, consumer.token);
    expect(res.body.instant).toMatchObject({ status: 'drawn', position: i });
  }
  clock.set('2026-11-03T00:01:00+08:00');
  await worker.app.get(DatedWorkTick).tick();
  const log = (await api.http.get(`/api/v1/public/instant-days/${DAY}/log`)).text;
  const lines = log.split('\n');
  const f = lines[3].split(',');
  f[3] = f[3] === '0' ? '3' : '0';
  lines[3] = f.join(',');
  proxy = await startTamperingProxy(api.baseUrl, `/api/v1/public/instant-days/${DAY}/log`, 'text/csv; charset=utf-8', lines.join('\n'));
  tamperedBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
  await worker?.close();
  if (api) {
    await api.close();
    await destroyTestEnvironment(config);
  }
  rmSync(campaignsDir, { recursive: true, force: true });
});

async function verdictAt(base: string): Promise<{ verdict: string | null; text: string | null; errors: string[] }> {
  const context = await browser!.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/instant-days/${DAY}`);
    await page.waitForSelector('#instant-verify:not([hidden])');
    await page.click('#instant-verify-start');
    await page.waitForSelector('#instant-verify-result [data-verdict]', { timeout: 30_000 });
    return { verdict: await page.getAttribute('#instant-verify-result [data-verdict]', 'data-verdict'), text: await page.textContent('#instant-verify-result'), errors };
  } finally {
    await context.close();
  }
}

browserTest('a published instant day re-runs in the browser: MATCH over its 12 entries', async () => {
  const { verdict, text, errors } = await verdictAt(api.baseUrl);
  expect(verdict).toBe('MATCH');
  expect(text).toContain('共核对 12 笔抽奖');
  expect(errors).toEqual([]);
});

browserTest('a log with one outcome changed, served in front of the API: MISMATCH naming that line', async () => {
  const { verdict, text } = await verdictAt(tamperedBase);
  expect(verdict).toBe('MISMATCH');
  // The log's digest is checked before any outcome (spec 2.9, as the CLI): the first difference.
  expect(text).toMatch(/logDigest: expected "[0-9a-f]{64}" got "[0-9a-f]{64}"/);
});
