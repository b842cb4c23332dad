import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { ManualClock } from '../../src/core/clock/clock.js';
import type { AuditBundle } from '../../src/draws/algorithm/index.js';
import { AUGUST_DRAW, drawThroughLifecycle, type RegisteredInvoice } from '../support/draw-through-lifecycle.js';
import { destroyTestEnvironment, startTestApi, type TestApi } from '../support/test-env.js';
import { browserTests, CHROMIUM_PATH } from '../support/browser.js';
import { startTamperingProxy } from '../support/tampering-proxy.js';

/**
 * The server-rendered pages and the in-browser verifier in Debian's Chromium (playwright-core, never a
 * downloaded browser): the per-draw page read with JavaScript disabled carries the campaign, the draw and
 * its winners; 在浏览器中验证 re-runs a published draw in a Web Worker and shows MATCH with the seed; a
 * tampered audit bundle, served by the test in front of the API, shows the first difference as the CLI
 * words it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

const CHROMIUM = CHROMIUM_PATH;
const CAMPAIGN_NAME = '河南省2022年有奖发票促消费活动';
const { haveChromium, browserTest } = browserTests(import.meta.url, CHROMIUM);

const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;
let browser: Browser | undefined;
let bundle: AuditBundle;
let invoices: RegisteredInvoice[];
let tamperingProxy: Server;
let tamperedBase: string;
const TAMPERED_INDEX = 2;

beforeAll(async () => {
  if (!haveChromium) return;
  api = await startTestApi({ clock, env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' } });
  ({ invoices } = await drawThroughLifecycle(api, clock, { consumers: 6, invoicesEach: 3, until: 'published' }));
  bundle = (await api.http.get(`/api/v1/public/draws/${AUGUST_DRAW}/audit`)).body;
  const tampered = { ...bundle, winners: bundle.winners.map((w, i) => (i === TAMPERED_INDEX ? { ...w, ref: 'f'.repeat(64) } : w)) };
  tamperingProxy = await startTamperingProxy(api.baseUrl, `/api/v1/public/draws/${AUGUST_DRAW}/audit`, 'application/json; charset=utf-8', JSON.stringify(tampered));
  tamperedBase = `http://127.0.0.1:${(tamperingProxy.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (tamperingProxy ? tamperingProxy.close(r) : r(undefined)));
  if (api) {
    await api.close();
    await destroyTestEnvironment(api.config);
  }
});

browserTest('with JavaScript disabled, /draws/<id> and / show the campaign, the draw and its winners', async () => {
  const context = await browser!.newContext({ javaScriptEnabled: false, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    const page = await context.newPage();
    const response = await page.goto(`${api.baseUrl}/draws/${AUGUST_DRAW}`);
    expect(response!.status()).toBe(200);
    expect(await page.textContent('h1')).toBe(CAMPAIGN_NAME);
    expect(await page.textContent('#campaign-meta')).toContain('2022-07-15');
    const article = page.locator(`#draw-${AUGUST_DRAW}`);
    expect(await article.locator('h3').textContent()).toBe('2022年8月期');
    expect(await article.locator('.badge').textContent()).toBe('已公布');
    expect(await article.textContent()).toContain('一等奖');
    const rows = article.locator('table.winners tbody tr');
    expect(await rows.count()).toBe(bundle.winners.length);
    for (const name of await rows.locator('td.name').allTextContents()) expect(name).toMatch(/^\p{Script=Han}+\*+$/u); // masked
    const refsShown = await rows.locator('code.hash').evaluateAll((codes: any[]) => codes.map((c) => c.getAttribute('title')));
    expect(refsShown.sort()).toEqual(bundle.winners.map((w) => w.ref).sort());
    // The commitment and the reveal are in the HTML; the verifier section stays hidden without its script.
    expect(await page.textContent('#audit')).toContain(bundle.seed);
    expect(await page.locator('#verify').isHidden()).toBe(true);
    // No full name of any winner anywhere in the page.
    const html = await page.content();
    for (const i of invoices) expect(html).not.toContain(i.realName);

    const home = await context.newPage();
    await home.goto(`${api.baseUrl}/`);
    expect(await home.textContent('h1')).toBe(CAMPAIGN_NAME);
    const periods = (await api.http.get('/api/v1/public/campaigns')).body.items[0].periodCount;
    expect(await home.locator('article.draw').count()).toBe(periods);
    expect(await home.locator(`#draw-${AUGUST_DRAW} table.winners tbody tr`).count()).toBe(bundle.winners.length);
    expect(await home.locator(`#draw-${AUGUST_DRAW} a.permalink`).getAttribute('href')).toBe(`draws/${AUGUST_DRAW}`);
  } finally {
    await context.close();
  }
});

browserTest('在浏览器中验证 re-runs the published draw in a Web Worker: MATCH with the seed', async () => {
  const context = await browser!.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    await page.goto(`${api.baseUrl}/draws/${AUGUST_DRAW}`);
    await page.waitForSelector('#verify:not([hidden])');
    await page.click('#verify-start');
    await page.waitForSelector('#verify-result [data-verdict]', { timeout: 30_000 });
    expect(await page.getAttribute('#verify-result [data-verdict]', 'data-verdict')).toBe('MATCH');
    const result = await page.textContent('#verify-result');
    expect(result).toContain(bundle.seed);
    expect(result).toContain(bundle.entriesDigest);
    expect(result).toContain(bundle.secretHash);
    for (const w of bundle.winners) expect(result).toContain(w.ref);
    // The worker's own CSP lets it compile its WebAssembly SHA-256 (the page's CSP allows no such thing).
    expect(await page.textContent('#verify-status')).toMatch(/验证完成.*SHA-256：WebAssembly/);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});

browserTest('a tampered audit bundle served in front of the API: MISMATCH naming the first difference as the CLI does', async () => {
  const context = await browser!.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    const page = await context.newPage();
    await page.goto(`${tamperedBase}/draws/${AUGUST_DRAW}`);
    await page.click('#verify-start');
    await page.waitForSelector('#verify-result [data-verdict]', { timeout: 30_000 });
    expect(await page.getAttribute('#verify-result [data-verdict]', 'data-verdict')).toBe('MISMATCH');
    expect(await page.textContent('#verify-result code.difference')).toBe(
      `winners[${TAMPERED_INDEX}].ref: expected "${bundle.winners[TAMPERED_INDEX].ref}" got "${'f'.repeat(64)}"`,
    );
  } finally {
    await context.close();
  }
});

browserTest('files the visitor chose are verified too (a tampered entries file: its digest differs)', async () => {
  const context = await browser!.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    const page = await context.newPage();
    const entries = await (await fetch(`${api.baseUrl}/api/v1/public/draws/${AUGUST_DRAW}/entries`)).text();
    await page.goto(`${api.baseUrl}/draws/${AUGUST_DRAW}`);
    await page.waitForSelector('#verify:not([hidden])');
    await page.locator('#verify details summary').click();
    await page.setInputFiles('#verify-bundle-file', { name: 'audit.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
    await page.setInputFiles('#verify-entries-file', { name: 'entries.csv', mimeType: 'text/csv', buffer: Buffer.from(entries) });
    await page.click('#verify-files');
    await page.waitForSelector('#verify-result [data-verdict]', { timeout: 30_000 });
    expect(await page.getAttribute('#verify-result [data-verdict]', 'data-verdict')).toBe('MATCH');

    const lines = entries.split('\n');
    const [ref, holder, tickets] = lines[3].split(',');
    lines[3] = `${ref},${holder},${Number(tickets) + 1}`;
    await page.setInputFiles('#verify-entries-file', { name: 'entries.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await page.click('#verify-files');
    await page.waitForSelector('#verify-result [data-verdict="MISMATCH"]', { timeout: 30_000 });
    expect(await page.textContent('#verify-result code.difference')).toBe(`totalTickets: expected ${bundle.totalTickets + 1} got ${bundle.totalTickets}`);
  } finally {
    await context.close();
  }
});
