import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { registryRecord } from '../security/support.js';
import { createConsumer, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, startTestWorker, TEST_ADMIN, type TestApi } from '../support/test-env.js';
import { browserTests, CHROMIUM_PATH } from '../support/browser.js';

/**
 * The console in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no browser
 * is ever downloaded) against a real API and worker: an operator and an auditor in two browser contexts run
 * the two-person draw with a Chinese beacon and watch it publish; the operator downloads the payouts CSV and
 * uploads a feed file with a bad line; an admin manages staff. Screenshots of the dashboard and the draw
 * page are written to tmp/artifacts/console/ (or CONSOLE_SCREENSHOT_DIR): artifacts, not committed.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;

const DRAW = 'henan-2022-2022-08';
const BEACON = '福彩双色球2022101期：02 09 14 21 27 33 + 11';
const ARTIFACTS = resolve(process.env.CONSOLE_SCREENSHOT_DIR ?? 'tmp/artifacts/console');
const { haveChromium, browserTest } = browserTests(import.meta.url);

const clock = new ManualClock('2022-08-20T10:00:00+08:00');
const workDir = mkdtempSync(join(tmpdir(), 'il-console-'));
let api: TestApi;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let db: DataSource;
let browser: Browser | undefined;
const pageErrors: string[] = [];
const foreignRequests: string[] = [];
const staff = {
  operator: { username: 'operator.li', password: 'operator-password-1', roles: ['operator', 'auditor'] },
  auditor: { username: 'auditor.wang', password: 'auditor-password-1', roles: ['auditor'] },
};
const contexts: BrowserContext[] = [];
let operatorPage: Page;
let auditorPage: Page;
let staffAdminPage: Page;
let newcomerPage: Page;

async function newPage(): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  contexts.push(context);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(api.baseUrl) || url.startsWith('data:')) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

async function signIn(page: Page, account: { username: string; password: string }): Promise<void> {
  await page.goto(`${api.baseUrl}/console`);
  await page.locator('#login-username').fill(account.username);
  await page.locator('#login-password').fill(account.password);
  await page.locator('#login-submit').click();
  await page.locator('#who-name').waitFor();
}

/** A fetch from inside the page with its session cookie and CSRF token, as a hand-crafted request would be. */
function fetchInPage(page: Page, method: string, path: string): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ([m, p]: string[]) => {
      const session: any = await (await fetch('/api/v1/admin/auth/session')).json();
      const res = await fetch(p, { method: m, headers: { 'x-csrf-token': session.csrfToken } });
      return { status: res.status, body: await res.json() };
    },
    [method, path],
  );
}

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  // The Henan rules with a small prize list, so the draw runs in a moment.
  const henan = JSON.parse(readFileSync('config/campaigns/henan-2022.json', 'utf8'));
  const campaignsDir = join(workDir, 'campaigns');
  mkdirSync(campaignsDir);
  writeFileSync(
    join(campaignsDir, 'henan-2022.json'),
    JSON.stringify({
      ...henan,
      tiers: [
        { tier: 1, name: '一等奖', count: 1, prizeCents: 1_000_000 },
        { tier: 2, name: '二等奖', count: 2, prizeCents: 100_000 },
        { tier: 3, name: '三等奖', count: 5, prizeCents: 10_000 },
      ],
      alternateCount: 2,
    }),
  );
  api = await startTestApi({ clock, env: { CAMPAIGNS_DIR: campaignsDir, PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' } });
  worker = await startTestWorker({ config: api.config, clock });
  db = api.app.get<DataSource>(getDataSourceToken());
  const lifecycle = api.app.get(DrawLifecycleService);
  await lifecycle.ensureCampaign(api.app.get(CampaignCatalog).get('henan-2022')!);

  // Twenty August registrations from Zhengzhou and Luoyang, verified against their records.
  const regions = ['4101', '4103'];
  for (let i = 0; i < 10; i++) {
    const consumer = await createConsumer(api.app, { realName: ['张三', '李四', '王五', '赵六', '钱七'][i % 5] });
    for (let k = 0; k < 2; k++) {
      const invoiceCode = `0${regions[k]}2200111`;
      const invoiceNumber = String(50_000_000 + (process.pid % 1000) * 100 + i * 2 + k);
      await insertRegistryRecord(api.app, { invoiceCode, invoiceNumber, issueDate: '2022-08-09', amountCents: 12_300 + i * 1000, taxCents: 0 });
      const res = await api.http.post(
        '/api/v1/invoices',
        { invoiceType: '10', invoiceCode, invoiceNumber, issueDate: '2022-08-09', amount: ((12_300 + i * 1000) / 100).toFixed(2), checkCode: '567890' },
        consumer.token,
      );
      if (res.status !== 201 || res.body.status !== 'verified') throw new Error(`registration failed: ${res.status} ${res.text}`);
    }
  }
  // August freezes (on its schedule); the scheduled draw time (Sept 7, 10:00) is still ahead.
  clock.set('2022-09-06T00:00:01+08:00');
  await lifecycle.freezeDraw(DRAW);
  clock.set('2022-09-06T09:00:00+08:00');

  const admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
  for (const account of Object.values(staff)) {
    const created = await api.http.post('/api/v1/admin/staff', account, admin);
    if (created.status !== 201) throw new Error(`staff: ${created.status} ${created.text}`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  operatorPage = await newPage();
  auditorPage = await newPage();
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await worker?.close();
  if (api) {
    await api.close();
    await destroyTestEnvironment(api.config);
  }
  rmSync(workDir, { recursive: true, force: true });
});

describe('the console in Chromium', () => {
  browserTest('the operator signs in (cookie session, no token in page storage) and sees the dashboard', async () => {
    // ECharts is a chunk the dashboard imports: the sign-in screen does not download it.
    const scripts: string[] = [];
    operatorPage.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.endsWith('.js')) scripts.push(path);
    });
    await operatorPage.goto(`${api.baseUrl}/console`);
    await operatorPage.locator('#login-username').waitFor();
    await operatorPage.waitForLoadState('networkidle');
    expect(scripts).toContain('/console/app.js');
    expect(scripts.filter((path) => path.startsWith('/console/chunks/charts-'))).toEqual([]);
    await signIn(operatorPage, staff.operator);
    // The current period is September (open until Oct 6, 00:00 Beijing time); August has frozen.
    await operatorPage.locator('#stat-registrations .value').waitFor();
    expect(await operatorPage.locator('#stat-freeze .label').textContent()).toBe('2022年9月 距截止');
    expect(await operatorPage.locator('#stat-freeze .value').textContent()).toBe('29天15小时');
    await operatorPage.locator('#dash-period').selectOption('2022-08');
    await operatorPage.locator('#stat-freeze .label', { hasText: '2022年8月' }).waitFor();
    expect(await operatorPage.locator('#stat-registrations .value').textContent()).toBe('20');
    expect(await operatorPage.locator('#stat-freeze .value').textContent()).toBe('已截止');
    expect(await operatorPage.locator('nav a').allTextContents()).toEqual(['活动概况', '开奖管理', '数据导入']);
    // The charts are ECharts canvases, drawn from the bundle (no other origin was contacted).
    await operatorPage.locator('#chart-by-day canvas').waitFor();
    await operatorPage.locator('#chart-by-city canvas').waitFor();
    expect(scripts.filter((path) => /^\/console\/chunks\/charts-[A-Z0-9]{8}\.js$/.test(path)).length).toBeGreaterThan(0);
    const storage = await operatorPage.evaluate(() => JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage }) + document.cookie);
    expect(storage).toBe('{}{}');
    await operatorPage.screenshot({ path: join(ARTIFACTS, 'console-dashboard.png'), fullPage: true });
    expect(statSync(join(ARTIFACTS, 'console-dashboard.png')).size).toBeGreaterThan(20_000);
  });

  browserTest('the auditor rejects a request with a reason; the operator sees the reason as text', async () => {
    const REASON = '<img src=x onerror="window.__injected=1"> 未填随机信标，请补填后重新申请';
    await operatorPage.goto(`${api.baseUrl}/console#/draws/${DRAW}`);
    await operatorPage.locator('#request-form').waitFor();
    await operatorPage.locator('#request-form button[type=submit]').click();
    const operatorRow = operatorPage.locator('#draw-requests tbody tr[data-request]');
    await operatorRow.locator('.badge.pending').waitFor();
    const rid = await operatorRow.first().getAttribute('data-request');

    await signIn(auditorPage, staff.auditor);
    await auditorPage.goto(`${api.baseUrl}/console#/draws/${DRAW}`);
    await auditorPage.locator(`[data-reject="${rid}"]`).click();
    await auditorPage.locator('#reject-reason').fill(REASON);
    await auditorPage.locator('#reject-confirm').click();
    await auditorPage.locator(`#draw-requests tr[data-request="${rid}"] .badge.rejected`).waitFor();
    expect(await auditorPage.locator('#reject-form').count()).toBe(0);

    // The operator's page polls the draw: the rejection and its reason appear without a reload, as text.
    const reasonCell = operatorPage.locator(`#draw-requests tr[data-request="${rid}"] td.rejection-reason`);
    await operatorPage.locator(`#draw-requests tr[data-request="${rid}"] .badge.rejected`).waitFor();
    expect(await reasonCell.textContent()).toBe(REASON);
    expect(await reasonCell.locator('img').count()).toBe(0);
    expect(await operatorPage.evaluate(() => window.__injected)).toBeUndefined();
    const stored = (await api.http.get(`/api/v1/admin/draws/${DRAW}/draw-requests`, await api.http.staffToken(staff.auditor.username, staff.auditor.password))).body;
    expect(stored.find((r: any) => String(r.id) === rid)).toMatchObject({ status: 'rejected', rejectionReason: REASON });
  });

  browserTest('the operator requests the draw with a Chinese beacon and is never offered, nor allowed, its approval', async () => {
    await operatorPage.goto(`${api.baseUrl}/console#/draws/${DRAW}`);
    await operatorPage.locator('#request-form').waitFor();
    await operatorPage.locator('#beacon').fill(BEACON);
    await operatorPage.locator('#request-form button[type=submit]').click();
    // The newest request, under the one rejected above.
    const row = operatorPage.locator('#draw-requests tbody tr[data-request]').filter({ has: operatorPage.locator('.badge.pending') });
    await row.first().waitFor();
    expect(await row.first().locator('td').nth(2).textContent()).toBe(BEACON);
    expect(await row.first().locator('.badge').textContent()).toBe('待审批');
    // The requester holds the auditor role too, yet sees no approve button on its own request...
    expect(await operatorPage.locator('[data-approve]').count()).toBe(0);
    // ...and the API refuses the approval when sent by hand from the same session.
    const rid = Number(await row.first().getAttribute('data-request'));
    const refused = await fetchInPage(operatorPage, 'POST', `/api/v1/admin/draws/${DRAW}/draw-requests/${rid}/approve`);
    expect([refused.status, refused.body.code]).toEqual([403, 'SELF_APPROVAL_FORBIDDEN']);
  });

  browserTest('the auditor sees the request next to the commitment and approves it; the operator watches the draw publish', async () => {
    // Signed in by the rejection step above.
    await auditorPage.goto(`${api.baseUrl}/console#/draws/${DRAW}`);
    await auditorPage.locator('[data-approve]').waitFor();
    const [{ entries_digest: digest }] = await db.query(`SELECT entries_digest FROM draws WHERE id = ?`, [DRAW]);
    expect(await auditorPage.locator('#entries-digest').textContent()).toBe(digest);
    expect(await auditorPage.locator('#draw-commitment').textContent()).toContain('20');
    expect(await auditorPage.locator('#draw-requests tbody tr[data-request]').filter({ has: auditorPage.locator('[data-approve]') }).locator('td').nth(2).textContent()).toBe(BEACON);
    await auditorPage.locator('[data-approve]').click();
    await auditorPage.locator('#draw-requests .badge.approved').waitFor();

    // The operator's page polls the draw: it publishes without a reload.
    await operatorPage.locator('#draw-status-badge .badge.published').waitFor({ timeout: 60_000 });
    await operatorPage.locator('#result-seed').waitFor();
    const published = (await api.http.get(`/api/v1/public/draws/${DRAW}`)).body;
    expect(await operatorPage.locator('#result-seed').textContent()).toBe(published.reveal.seed);
    expect(await operatorPage.locator('#result-beacon').textContent()).toBe(BEACON);
    expect(published.reveal.beacon).toBe(BEACON);
    expect(await operatorPage.locator('#verify-command').textContent()).toBe(
      `npm run verify -- --bundle ${api.baseUrl}/api/v1/public/draws/${DRAW}/audit --entries ${api.baseUrl}/api/v1/public/draws/${DRAW}/entries`,
    );
    expect(await operatorPage.locator('#tier-results tbody tr').count()).toBe(3);
    await operatorPage.locator('#prize-stats').waitFor();
    expect(await operatorPage.locator('#prize-stats').textContent()).toContain('待领奖8');
    expect(await operatorPage.locator('#prize-deadline').textContent()).toBe('最近的领奖截止：2022/11/05 09:00:00（共 8 个待领奖项）');
    // The audit log shows the approval by its real actor; it can be filtered by action.
    await operatorPage.locator('#audit-action').selectOption('draw-request-approved');
    const audit = operatorPage.locator('#draw-audit tbody tr');
    expect(await audit.count()).toBe(1);
    expect(await audit.first().textContent()).toContain(staff.auditor.username);
    await operatorPage.screenshot({ path: join(ARTIFACTS, 'console-draw.png'), fullPage: true });
    expect(statSync(join(ARTIFACTS, 'console-draw.png')).size).toBeGreaterThan(20_000);
  }, 120_000);

  browserTest('the operator downloads the payouts CSV, and the download is audit-logged', async () => {
    const [download] = await Promise.all([operatorPage.waitForEvent('download'), operatorPage.locator('#payouts-csv').click()]);
    expect(download.suggestedFilename()).toBe(`payouts-${DRAW}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFF期次,奖项等级,奖项')).toBe(true);
    const logged = await db.query(`SELECT actor FROM draw_audit_log WHERE draw_id = ? AND action = 'payouts-downloaded'`, [DRAW]);
    expect(logged.map((r: { actor: string }) => r.actor)).toEqual([expect.stringContaining(staff.operator.username)]);
  });

  browserTest('the operator uploads a feed file with a bad line and sees it reported with its line number and code', async () => {
    const file = join(workDir, 'feed.ndjson');
    writeFileSync(file, [registryRecord(77_000_001), registryRecord(77_000_002), '{"invoiceType":"10",', registryRecord(77_000_003)].map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
    await operatorPage.goto(`${api.baseUrl}/console#/import`);
    await operatorPage.locator('#import-file').setInputFiles(file);
    await operatorPage.locator('#import-start').click();
    const rejected = operatorPage.locator('#import-result tbody tr');
    await rejected.first().waitFor();
    expect(await rejected.count()).toBe(1);
    expect(await rejected.first().locator('td').nth(0).textContent()).toBe('3');
    expect(await rejected.first().locator('td').nth(1).textContent()).toContain('MALFORMED_JSON');
    expect(await operatorPage.locator('#import-server-text').textContent()).toContain('新增 3');
    expect(await operatorPage.locator('#import-sent').evaluate((p: any) => p.value === p.max)).toBe(true);
  });

  browserTest('as admin, creates an operator who can then sign in; the admin sees no draw screens', async () => {
    const adminPage = await newPage();
    await signIn(adminPage, TEST_ADMIN);
    expect(await adminPage.locator('nav a').allTextContents()).toEqual(['活动概况', '工作人员']);
    await adminPage.goto(`${api.baseUrl}/console#/staff`);
    await adminPage.locator('#new-username').fill('operator.new');
    await adminPage.locator('#new-password').fill('new-operator-password');
    await adminPage.locator('#create-staff button[type=submit]').click();
    await adminPage.locator('[data-toggle-active="operator.new"]').waitFor();
    newcomerPage = await newPage();
    await signIn(newcomerPage, { username: 'operator.new', password: 'new-operator-password' });
    expect(await newcomerPage.locator('nav a').allTextContents()).toEqual(['活动概况', '开奖管理', '数据导入']);
    staffAdminPage = adminPage;
  });

  // Deactivation (PATCH /api/v1/admin/staff/:id) ends the account's open sessions through the staff access
  // re-check, and sign-in refuses the account.
  browserTest('as admin, deactivates that operator, whose session ends and who is then refused', async () => {
    await staffAdminPage.locator('[data-toggle-active="operator.new"]').click();
    await staffAdminPage.locator('tr', { hasText: 'operator.new' }).locator('text=已停用').waitFor();
    // The open session ends: the next call sends the page back to the sign-in form.
    await newcomerPage.goto(`${api.baseUrl}/console#/draws`);
    await newcomerPage.locator('#login-username').waitFor();
    const refused = await api.http.request('POST', '/api/v1/admin/auth/session', {
      body: { username: 'operator.new', password: 'new-operator-password' },
      headers: { origin: api.baseUrl },
    });
    expect([refused.status, refused.body.code]).toEqual([403, 'STAFF_ACCOUNT_DISABLED']);
  });

  browserTest('no page error, no request to another origin, and the console assets are compressed with ETags', async () => {
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    const script = await fetch(`${api.baseUrl}/console/app.js`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(script.headers.get('content-encoding')).toBe('br');
    const etag = script.headers.get('etag')!;
    expect((await fetch(`${api.baseUrl}/console/app.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // The dashboard's chunk (ECharts): content-hashed name, so immutable; compressed and revalidated the same way.
    const charts = readdirSync('dist/web/console/chunks').find((f) => /^charts-[A-Z0-9]{8}\.js$/.test(f))!;
    const chunk = await fetch(`${api.baseUrl}/console/chunks/${charts}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect([chunk.status, chunk.headers.get('content-encoding'), chunk.headers.get('cache-control')]).toEqual([200, 'br', 'public, max-age=31536000, immutable']);
    expect(chunk.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${api.baseUrl}/console/chunks/${charts}`, { headers: { 'if-none-match': chunk.headers.get('etag')! } })).status).toBe(304);
    expect((await fetch(`${api.baseUrl}/console/chunks/charts-AAAAAAAA.js`)).status).toBe(404);
    const html = await fetch(`${api.baseUrl}/console`);
    expect(html.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(await html.text()).not.toMatch(/<script(?![^>]*\bsrc=)/);
  });
});
