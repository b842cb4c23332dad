import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ManualClock } from '../../src/core/clock/clock.js';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditBundle } from '../../src/draws/algorithm/index.js';
import { HEAD_STALENESS_MS } from '../../src/public/public-cache.js';
import { browserTests, CHROMIUM_PATH } from '../support/browser.js';
import { drawThroughLifecycle } from '../support/draw-through-lifecycle.js';
import { destroyTestEnvironment, startTestApi, type TestApi } from '../support/test-env.js';

/**
 * The public page in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
 * browser is ever downloaded) against a real API with a published draw: content, masking, the check form,
 * paging, filtering and searching, text-only rendering of hostile data, no external requests, phone layout, and a
 * screenshot checked for content. Without Chromium: a failure under CI, a skip with one line locally (browserTests).
 */
// Functions passed to page.evaluate/waitForFunction run in the page: the DOM globals they use, for the
// type checker only (module-scoped, so the Node code of the project keeps its Node-only globals).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare const Image: any;

const DRAW = 'henan-2022-2022-08';
const CAMPAIGN_NAME = '河南省2022年有奖发票促消费活动';
const BEACON = '<img src=x onerror=alert(1)><script>window.__pwned=1</script>';
const { haveChromium, browserTest } = browserTests(import.meta.url);
/**
 * Budget of the scripts a visitor's phone downloads on the first load (app.js and the chunks it imports, as
 * sent: brotli), before any chart is shown. ECharts alone is ~150 KB brotli: it must stay out of it.
 */
const FIRST_LOAD_SCRIPT_BUDGET = 60 * 1024;

const clock = new ManualClock('2022-08-20T10:00:00+08:00');
const workDir = mkdtempSync(join(tmpdir(), 'il-public-page-'));
let api: TestApi;
let context: BrowserContext | undefined;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];
/** What Chromium reports refusing under the Content-Security-Policy (inline script or style, other origins). */
const cspViolations: string[] = [];
const foreignRequests: string[] = [];
const invoices: Array<{ invoiceCode: string; invoiceNumber: string; ref: string; realName: string }> = [];
let bundle: AuditBundle;

beforeAll(async () => {
  if (!haveChromium) return;
  // The Henan rules with a smaller prize list (no win limit, so one page of winners is not enough).
  const henan = JSON.parse(readFileSync('config/campaigns/henan-2022.json', 'utf8'));
  const campaignsDir = join(workDir, 'campaigns');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(campaignsDir);
  writeFileSync(
    join(campaignsDir, 'henan-2022.json'),
    JSON.stringify({
      ...henan,
      tiers: [
        { tier: 1, name: '一等奖', count: 1, prizeCents: 1_000_000 },
        { tier: 2, name: '二等奖', count: 2, prizeCents: 100_000 },
        { tier: 3, name: '三等奖', count: 25, prizeCents: 10_000 },
      ],
      winLimitPerHolder: 0,
      alternateCount: 3,
    }),
  );
  api = await startTestApi({ clock, env: { CAMPAIGNS_DIR: campaignsDir, PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' } });
  const regions = ['4101', '4103', '4113', '4102', '4117', '4105', '4107', '4190', '4116', '4101'];
  const registered = await drawThroughLifecycle(api, clock, {
    consumers: regions.length,
    invoicesEach: 4,
    regions,
    afterFreeze: async () => {
      await api.app.get<DataSource>(getDataSourceToken()).query(`UPDATE draws SET beacon = ? WHERE id = ?`, [BEACON, DRAW]);
    },
    until: 'published',
  });
  invoices.push(...registered.invoices);
  bundle = (await api.http.get(`/api/v1/public/draws/${DRAW}/audit`)).body;

  context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(api.baseUrl) || url.startsWith('data:')) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  await page.goto(`${api.baseUrl}/`);
  // The script's own winner list (with its search form), not the server-rendered first page it replaces.
  await page.waitForSelector(`#draw-${DRAW} form.search`);
  await page.waitForSelector(`#draw-${DRAW} table.winners tbody tr`);
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (api) {
    await api.close();
    await destroyTestEnvironment(api.config);
  }
  rmSync(workDir, { recursive: true, force: true });
});

const winnerRows = () => page.locator(`#draw-${DRAW} table.winners tbody tr`);

describe('the public page in Chromium', () => {
  browserTest('shows the campaign, its draws and their status', async () => {
    await expect(page.title()).resolves.toBe(`${CAMPAIGN_NAME} · 开奖公告`);
    expect(await page.locator('h1').textContent()).toBe(CAMPAIGN_NAME);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    const articles = page.locator('article.draw');
    expect(await articles.count()).toBe(6);
    const august = page.locator(`#draw-${DRAW}`);
    expect(await august.locator('details > summary').first().textContent()).toBe('2022年8月期已公布');
    expect(await august.locator('> details').getAttribute('open')).not.toBeNull();
    expect(await page.locator('#draw-henan-2022-2022-09 summary').textContent()).toBe('2022年9月期未开奖');
    const summary = await august.locator('.panel caption').first().textContent();
    expect(summary).toBe('本期共抽出 28 名中奖者、3 名候补，奖金合计 ¥14,500.00');
  });

  browserTest('lists the winners with masked names only, and pages and filters them', async () => {
    expect(await winnerRows().count()).toBe(20);
    const names = await page.locator(`#draw-${DRAW} table.winners td.name`).allTextContents();
    for (const name of names) expect(name).toMatch(/^(欧阳|司马|[张李王赵钱孙周吴])\*+$/);
    const text = await page.locator('body').innerText();
    for (const full of ['张三', '欧阳娜娜', '司马光', '吴十']) expect(text).not.toContain(full);
    expect(text).toContain('共 28 名 · 第 1 / 2 页');

    await page.getByRole('button', { name: '下一页' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.winners tbody tr').length === 8);
    expect(await page.locator(`#draw-${DRAW} .pager`).innerText()).toContain('第 2 / 2 页');
    expect(await page.getByRole('button', { name: '下一页' }).isDisabled()).toBe(true);

    await page.getByLabel('奖级筛选').selectOption({ label: '一等奖' });
    await page.waitForFunction(() => document.querySelectorAll('table.winners tbody tr').length === 1);
    const first = winnerRows().first();
    expect(await first.locator('td').first().textContent()).toBe('一等奖 · ¥10,000.00');
    expect(await first.locator('code').getAttribute('title')).toBe(bundle.winners[0].ref);
    expect(await first.locator('td').nth(5).textContent()).toBe('待领奖');
  });

  browserTest('the search box finds a winner by the last 4 digits, by city, says when nothing matches, and pages from the start', async () => {
    const august = page.locator(`#draw-${DRAW}`);
    const box = august.getByLabel('搜索中奖名单');
    const info = august.locator('.pager span');
    const message = august.locator('section[aria-label="中奖名单"] > p.notice[role=status]');
    expect(await box.getAttribute('type')).toBe('search');
    await august.getByLabel('奖级筛选').selectOption({ label: '全部奖级' });
    await page.waitForFunction(() => document.querySelectorAll('table.winners tbody tr').length === 20);
    await august.getByRole('button', { name: '下一页' }).click();
    await page.waitForFunction(() => document.querySelector('table.winners')?.closest('section')?.querySelector('.pager span')?.textContent?.includes('第 2 / 2 页'));

    // The last 4 digits of a known winner (typed, then Enter): that row only, back on page 1.
    const winner = invoices.find((i) => i.ref === bundle.winners[4].ref)!;
    const last4 = winner.invoiceNumber.slice(-4);
    await box.fill(last4);
    await box.press('Enter');
    await page.waitForFunction(() => document.querySelector('.pager span')?.textContent?.includes('搜索结果'));
    expect(await winnerRows().count()).toBe(1);
    const row = winnerRows().first();
    expect(await row.locator('code').getAttribute('title')).toBe(winner.ref);
    expect(await row.locator('td').nth(2).textContent()).toBe(`****${last4}`);
    expect(await row.locator('td.name').textContent()).toMatch(/^(欧阳|司马|[张李王赵钱孙周吴])\*+$/);
    expect(await row.innerText()).not.toContain(winner.realName);
    expect(await info.textContent()).toBe(`“${last4}”的搜索结果：共 1 名 · 第 1 / 1 页`);
    expect(await august.getByRole('button', { name: '上一页' }).isDisabled()).toBe(true);
    expect(await august.getByRole('button', { name: '下一页' }).isDisabled()).toBe(true);

    // A city, with the search button: every row shows that city, as many as the API finds.
    const expected = (await api.http.get(`/api/v1/public/draws/${DRAW}/winners?q=${encodeURIComponent('郑州市')}&pageSize=100`)).body;
    expect(expected.total).toBeGreaterThan(1);
    await box.fill('郑州');
    await august.getByRole('button', { name: '搜索', exact: true }).click();
    await page.waitForFunction((n) => document.querySelectorAll('table.winners tbody tr').length === n, expected.total);
    expect(new Set(await august.locator('table.winners td[data-label="开票地"]').allTextContents())).toEqual(new Set(['郑州市']));

    // Nothing matches: an empty table and a message saying so.
    const taken = new Set(invoices.map((i) => i.invoiceNumber.slice(-4)));
    const absent = ['0000', '9999', '5555', '1111'].find((d) => !taken.has(d))!;
    await box.fill(absent);
    await box.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('table.winners tbody tr').length === 0);
    expect(await message.textContent()).toBe(`没有找到与“${absent}”匹配的中奖记录。`);
    expect(await info.textContent()).toBe(`“${absent}”的搜索结果：共 0 名 · 第 1 / 1 页`);
    // A whole invoice number is not a search (it would reveal more than the list shows): the page points to the check form.
    await box.fill(winner.invoiceNumber);
    await box.press('Enter');
    await page.waitForFunction(() => document.querySelector('table.winners')?.closest('section')?.querySelector('p.notice')?.textContent?.includes('查询我的发票是否中奖'));
    expect(await winnerRows().count()).toBe(0);

    // A full name is not searchable (the API refuses it too); hostile text is refused before any request.
    await box.fill('欧阳娜娜');
    await box.press('Enter');
    await page.waitForFunction(() => document.querySelector('table.winners')?.closest('section')?.querySelector('p.notice.error')?.textContent?.includes('不能按'));
    await box.fill('<img src=x onerror=alert(1)>');
    await box.press('Enter');
    await page.waitForFunction(() => document.querySelector('table.winners')?.closest('section')?.querySelector('p.notice.error')?.textContent?.includes('请输入'));
    expect(await page.locator('img').count()).toBe(0);

    // Clearing the box shows the whole list again.
    await august.getByRole('button', { name: '清除' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.winners tbody tr').length === 20);
    expect(await info.textContent()).toBe('共 28 名 · 第 1 / 2 页');
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  browserTest('the check form answers for a winning and a non-winning invoice', async () => {
    const winner = invoices.find((i) => i.ref === bundle.winners[0].ref)!;
    const picked = new Set([...bundle.winners, ...bundle.alternates].map((p) => p.ref));
    const loser = invoices.find((i) => !picked.has(i.ref))!;

    await page.getByLabel('发票代码').fill(winner.invoiceCode);
    await page.getByLabel('发票号码').fill(winner.invoiceNumber);
    await page.getByRole('button', { name: '查询', exact: true }).click();
    await page.waitForSelector('#check-result .box.won');
    const won = await page.locator('#check-result').innerText();
    expect(won).toContain('恭喜！该发票在2022年8月期抽奖中获得一等奖（¥10,000.00）');
    expect(won).not.toContain(winner.realName);

    // Keyboard only: Enter in the number field submits.
    await page.getByLabel('发票代码').fill(loser.invoiceCode);
    await page.getByLabel('发票号码').fill(loser.invoiceNumber);
    await page.getByLabel('发票号码').press('Enter');
    await page.waitForFunction(() => document.querySelector('#check-result')?.textContent?.includes('未中奖'));
    expect(await page.locator('#check-result').innerText()).toContain('该发票参加了2022年8月期抽奖');

    await page.getByLabel('发票号码').fill('123');
    await page.getByLabel('发票号码').press('Enter');
    await page.waitForSelector('#check-result .box.error');
  });

  browserTest('hostile data (the beacon) renders as text: no element is created, no script runs, no dialog', async () => {
    const audit = page.locator(`#draw-${DRAW} details.sub`).filter({ hasText: '审计与验证' });
    await audit.locator('summary').press('Enter');
    const beacon = audit.locator('dd').filter({ hasText: 'onerror' });
    expect(await beacon.textContent()).toBe(BEACON);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const verify = await audit.locator('pre').last().textContent();
    expect(verify).toBe(`npm run build\nnpm run verify -- --bundle ${api.baseUrl}/api/v1/public/draws/${DRAW}/audit --entries ${api.baseUrl}/api/v1/public/draws/${DRAW}/entries`);
    expect(await audit.getByRole('link', { name: '下载参与清单（CSV）' }).getAttribute('href')).toBe(`${api.baseUrl}/api/v1/public/draws/${DRAW}/entries`);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  browserTest(`on a phone the first load's scripts stay under ${FIRST_LOAD_SCRIPT_BUDGET / 1024} KB brotli: ECharts is fetched only when the chart comes into view`, async () => {
    const phone = await context!.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      // Every script over the network (none from this profile's cache): bytes as sent (Content-Length of the brotli body).
      const cdp = await context!.newCDPSession(phone);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const scripts = new Map<string, { bytes: number; encoding?: string }>();
      phone.on('response', (response) => {
        const url = new URL(response.url());
        if (url.origin !== api.baseUrl || !url.pathname.endsWith('.js')) return;
        const headers = response.headers();
        scripts.set(url.pathname, { bytes: Number(headers['content-length']), encoding: headers['content-encoding'] });
      });
      await phone.goto(`${api.baseUrl}/`);
      const chart = phone.locator(`#draw-${DRAW} .chart .plot`);
      await chart.waitFor({ state: 'attached' }); // the script ran: winners, bands and the chart's place are in the page
      await phone.waitForLoadState('networkidle');
      const firstLoad = [...scripts.entries()];
      expect(firstLoad.map(([path]) => path)).toContain('/app.js');
      expect(firstLoad.filter(([path]) => path.startsWith('/chunks/fairness-chart-'))).toEqual([]);
      expect(scripts.get('/app.js')!.encoding).toBe('br');
      expect(firstLoad.filter(([, s]) => !(s.bytes > 0))).toEqual([]);
      expect(firstLoad.reduce((n, [, s]) => n + s.bytes, 0)).toBeLessThan(FIRST_LOAD_SCRIPT_BUDGET);
      expect(await chart.locator('canvas').count()).toBe(0);

      await chart.scrollIntoViewIfNeeded();
      await chart.locator('canvas').waitFor();
      expect([...scripts.keys()].filter((path) => /^\/chunks\/fairness-chart-[A-Z0-9]{8}\.js$/.test(path))).toHaveLength(1);
      expect(pageErrors).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  browserTest('when the chart cannot be loaded the page says so and keeps the data table', async () => {
    const other = await context!.newPage();
    const errors: string[] = [];
    other.on('pageerror', (error) => errors.push(error.message));
    try {
      await other.route('**/chunks/fairness-chart-*.js', (route) => route.abort());
      await other.goto(`${api.baseUrl}/`);
      const panel = other.locator(`#draw-${DRAW} .chart`);
      await panel.locator('.plot').waitFor({ state: 'attached' });
      await panel.locator('.plot').scrollIntoViewIfNeeded();
      const notice = panel.locator('p.notice.error');
      await notice.waitFor();
      expect(await notice.textContent()).toBe('图表未能加载，请刷新页面重试；各金额段的数据见下表。');
      expect(await panel.locator('.plot').count()).toBe(0);
      expect(await panel.locator('details.sub tbody tr').count()).toBe(7);
      expect(errors).toEqual([]);
    } finally {
      await other.close();
    }
  });

  browserTest('draws a chart of ticket share against winner share per amount band (ECharts on a canvas, under the CSP)', async () => {
    const chart = page.locator(`#draw-${DRAW} .chart .plot`);
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.getAttribute('aria-label')).toMatch(/^各金额段的注数占比与中奖占比：¥20–50：注数 [\d.]+%，中奖 [\d.]+%；/);
    // Drawn when it comes into view (ECharts is loaded then, see the test above).
    await chart.scrollIntoViewIfNeeded();
    const canvas = chart.locator('canvas');
    await canvas.waitFor();
    // Drawn, not just created: a visible canvas with pixels of both bar colours (the style sheet's --tickets and --winners).
    const drawn = await canvas.evaluate((c: any) => {
      const ctx = c.getContext('2d');
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      const near = (i: number, [r, g, b]: number[]) => Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30 && data[i + 3] > 200;
      let tickets = 0;
      let winners = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (near(i, [0x09, 0x69, 0xda])) tickets += 1;
        else if (near(i, [0xd4, 0x76, 0x0a])) winners += 1;
      }
      return { width: c.clientWidth, height: c.clientHeight, tickets, winners };
    });
    expect(drawn.width).toBeGreaterThan(300);
    expect(drawn.height).toBeGreaterThan(200);
    expect(drawn.tickets).toBeGreaterThan(500);
    expect(drawn.winners).toBeGreaterThan(500);
    // The numbers behind it, as a table.
    expect(await page.locator(`#draw-${DRAW} .chart details.sub tbody tr`).count()).toBe(7);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  browserTest('a collapsed draw opens from the keyboard', async () => {
    const july = page.locator('#draw-henan-2022-2022-07');
    await july.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await july.locator('> details').getAttribute('open')).not.toBeNull();
    await page.waitForFunction(() => document.querySelector('#draw-henan-2022-2022-07 .body')?.textContent?.includes('尚未冻结'));
  });

  browserTest('a link to one draw (as in the Atom feed) opens that draw', async () => {
    await page.goto(`${api.baseUrl}/?from=feed#draw-henan-2022-2022-07`);
    await page.waitForSelector('#draw-henan-2022-2022-07 > details[open]');
    expect(await page.locator(`#draw-${DRAW} > details`).getAttribute('open')).toBeNull();
    await page.goto(`${api.baseUrl}/?from=broken-link#draw-%E0%A4%A`);
    await page.waitForSelector(`#draw-${DRAW} table.winners tbody tr`);
    expect(pageErrors).toEqual([]);
  });

  browserTest('screenshot: a non-blank PNG with rendered text, on desktop and on a phone without sideways scrolling', async () => {
    const desktop = join(workDir, 'public-page-desktop.png');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: desktop, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('table.winners tbody tr');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const phone = join(workDir, 'public-page-phone.png');
    // On a phone the winner table becomes one card per winner, under the search box: photograph that part of the page.
    const panel = page.locator(`#draw-${DRAW} section[aria-label="中奖名单"]`);
    const box = await panel.getByLabel('搜索中奖名单').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(box!.height).toBeGreaterThanOrEqual(36);
    await panel.locator('h4').evaluate((h: any) => h.scrollIntoView());
    await page.screenshot({ path: phone });
    if (process.env.PUBLIC_PAGE_SCREENSHOT_DIR) {
      const { copyFileSync } = await import('node:fs');
      copyFileSync(desktop, join(process.env.PUBLIC_PAGE_SCREENSHOT_DIR, 'public-page-desktop.png'));
      copyFileSync(phone, join(process.env.PUBLIC_PAGE_SCREENSHOT_DIR, 'public-page-phone.png'));
    }

    for (const file of [desktop, phone]) {
      const png = readFileSync(file);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.length).toBeGreaterThan(30_000);
      // Decode it in a blank page: count pixels that are not background and distinct colours.
      const probe = await context!.newPage();
      const stats = await probe.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height).data;
        const colours = new Set<number>();
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) {
          colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
          if (data[i] + data[i + 1] + data[i + 2] < 300) ink += 1;
        }
        return { width: img.width, height: img.height, colours: colours.size, inkShare: ink / (img.width * img.height) };
      }, png.toString('base64'));
      await probe.close();
      expect(stats.width).toBeGreaterThanOrEqual(390);
      expect(stats.colours).toBeGreaterThan(50);
      expect(stats.inkShare).toBeGreaterThan(0.01);
      expect(stats.inkShare).toBeLessThan(0.6);
    }
  });

  browserTest('before publication (status drawn) the page shows the counts, but no winner, secret, seed or audit bundle', async () => {
    const db = api.app.get<DataSource>(getDataSourceToken());
    await page.setViewportSize({ width: 1280, height: 900 });
    await db.query(`UPDATE draws SET status = 'drawn', updated_at = ? WHERE id = ?`, [new Date('2022-09-09T00:00:00Z'), DRAW]);
    try {
      await new Promise((r) => setTimeout(r, HEAD_STALENESS_MS + 100));
      // No draw is published now, so none opens by itself: open August by its link.
      await page.goto(`${api.baseUrl}/#draw-${DRAW}`);
      const august = page.locator(`#draw-${DRAW}`);
      await page.waitForSelector(`#draw-${DRAW} details.sub`);
      expect(await august.locator('.badge').textContent()).toBe('已开奖，待公布名单');
      expect(await august.locator('table.winners').count()).toBe(0);
      const audit = august.locator('details.sub').filter({ hasText: '审计与验证' });
      await audit.locator('summary').click();
      const text = await august.innerText();
      expect(text).toContain('本期共抽出 28 名中奖者');
      expect(text).toContain('中奖名单审核后公布');
      expect(text).toContain('密钥、信标、种子与审计包将在公布中奖名单时公开');
      expect(await audit.getByRole('link', { name: '下载审计包（JSON）' }).count()).toBe(0);
      expect(await audit.getByRole('link', { name: '下载参与清单（CSV）' }).count()).toBe(1);
      const html = await page.content();
      for (const secret of [bundle.secret, bundle.seed, ...bundle.winners.map((w) => w.ref)]) expect(html).not.toContain(secret);
      expect(html).not.toContain('onerror'); // the beacon is part of what publication reveals
      expect(pageErrors).toEqual([]);
    } finally {
      await db.query(`UPDATE draws SET status = 'published', updated_at = ? WHERE id = ?`, [new Date('2022-09-09T00:00:01Z'), DRAW]);
    }
  });
});
