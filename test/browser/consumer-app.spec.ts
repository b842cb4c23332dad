import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { makeResidentId } from '../../src/consumers/domain/resident-id.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, TEST_OTP, type TestApi } from '../support/test-env.js';
import { browserTests, CHROMIUM_PATH } from '../support/browser.js';

/**
 * The consumers' web app at /app in a real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core) with a fake camera: the test renders the QR code of a Henan 电子普通发票 into the frames of
 * a .y4m video with a QR encoder, and Chromium plays it as the camera
 * (--use-fake-device-for-media-stream --use-file-for-fake-video-capture). The app signs in with the
 * development code, passes the real-name step, scans, confirms and registers; registers one invoice from a
 * photo and one typed in; explains a refusal in Chinese; lists the invoices as verified; claims a prize
 * with its deadline counting down; reads a notice. Phone-sized screenshots of every screen go to
 * test-artifacts/consumer-app/ (gitignored).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const navigator: any;
declare const DOMException: any;

const CHROMIUM = CHROMIUM_PATH;
const { haveChromium, browserTest } = browserTests(import.meta.url, CHROMIUM);

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'consumer-app');
const PHONE = { width: 360, height: 740 };
const DRAW = 'henan-2022-2022-08';
const clock = new ManualClock('2022-08-20T10:00:00+08:00');
const workDir = mkdtempSync(join(tmpdir(), 'il-consumer-app-'));
const unique = String(process.pid % 10_000).padStart(4, '0');

// Three Henan electronic ordinary invoices (code 0410 0220 0111: Henan, 2022, e-invoice), with the tax
// bureau's records: scanned by camera, picked as a photo, typed in.
const CODE = '041002200111';
const scanned = { number: `7${unique}001`, amount: '128.50', amountCents: 12_850, taxCents: 1_671, date: '20220812', check: '12345678901234567890' };
const photographed = { number: `7${unique}002`, amount: '56.60', amountCents: 5_660, taxCents: 736, date: '20220813', check: '22345678901234567891' };
const typed = { number: `7${unique}003`, amount: '88.00', amountCents: 8_800, taxCents: 1_144, date: '2022-08-14', check: '32345678901234567892' };
const qrOf = (i: { number: string; amount: string; date: string; check: string }) => `01,10,${CODE},${i.number},${i.amount},${i.date},${i.check},A1B2,`;

let api: TestApi;
let context: BrowserContext | undefined;
let page: Page;
const pageErrors: string[] = [];
const foreignRequests: string[] = [];
const cspViolations: string[] = [];

/**
 * A 640×480 4:2:0 .y4m: the first frames show a blank sheet (the camera not yet on the code), the rest the
 * QR code in black on white with its quiet zone. Chromium loops the file.
 */
function writeQrVideo(path: string, text: string): void {
  const W = 640;
  const H = 480;
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const modulePx = Math.floor(400 / (size + 8));
  const side = modulePx * size;
  const left = Math.floor((W - side) / 2);
  const top = Math.floor((H - side) / 2);
  const withCode = Buffer.alloc(W * H, 235);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) if (qr.modules.get(Math.floor(y / modulePx), Math.floor(x / modulePx))) withCode[(top + y) * W + left + x] = 16;
  const blank = Buffer.alloc(W * H, 200);
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frames: Buffer[] = [Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < 30; i++) frames.push(Buffer.from('FRAME\n'), i < 10 ? blank : withCode, chroma);
  writeFileSync(path, Buffer.concat(frames));
}

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  api = await startTestApi({ clock });
  await api.app.get(DrawLifecycleService).ensureCampaign(api.app.get(CampaignCatalog).get('henan-2022')!);
  for (const i of [scanned, photographed])
    await insertRegistryRecord(api.app, { invoiceCode: CODE, invoiceNumber: i.number, issueDate: `${i.date.slice(0, 4)}-${i.date.slice(4, 6)}-${i.date.slice(6)}`, amountCents: i.amountCents, taxCents: i.taxCents, checkCode: i.check });
  await insertRegistryRecord(api.app, { invoiceCode: CODE, invoiceNumber: typed.number, issueDate: typed.date, amountCents: typed.amountCents, taxCents: typed.taxCents, checkCode: typed.check });

  const video = join(workDir, 'invoice-qr.y4m');
  writeQrVideo(video, qrOf(scanned));
  await QRCode.toFile(join(workDir, 'invoice-photo.png'), qrOf(photographed), { width: 900, margin: 6 });

  context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    permissions: ['camera'],
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(api.baseUrl) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  watch(page);
}, 120_000);

function watch(p: Page): void {
  p.on('pageerror', (error) => pageErrors.push(error.message));
  p.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  p.on('dialog', (dialog) => void dialog.accept());
}

afterAll(async () => {
  await context?.close();
  if (api) {
    await api.close();
    await destroyTestEnvironment(api.config);
  }
  rmSync(workDir, { recursive: true, force: true });
});

describe('the consumer app at /app', () => {
  browserTest('is an installable page under the strict CSP, its first screen under 200 KB compressed', async () => {
    const res = await fetch(`${api.baseUrl}/app`, { headers: { 'accept-encoding': 'br' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    const manifest = (await (await fetch(`${api.baseUrl}/app/manifest.webmanifest`)).json()) as { start_url: string; icons: Array<{ src: string }> };
    expect(manifest).toMatchObject({ display: 'standalone', theme_color: '#c8102e', start_url: '/app#/scan', scope: '/app' });
    for (const icon of manifest.icons) expect((await fetch(`${api.baseUrl}/app/${icon.src}`)).status).toBe(200);
    const start = await fetch(new URL(manifest.start_url, `${api.baseUrl}/app/manifest.webmanifest`));
    expect([start.status, start.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);

    const sizes: Record<string, number> = {};
    page.on('response', async (response) => {
      const url = response.url();
      if (!url.startsWith(api.baseUrl) || url.includes('/api/')) return;
      const headers = await response.allHeaders();
      sizes[url] = Number(headers['content-length'] ?? (await response.body()).length);
    });
    await page.goto(`${api.baseUrl}/app`);
    await page.waitForSelector('#login-form');
    const scripts = await page.locator('script:not([src])').count();
    expect(scripts).toBe(0);
    // Content-Length of what went over the wire (brotli), for every asset of the first screen.
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    expect(Object.keys(sizes).some((u) => u.endsWith('/app/app.js'))).toBe(true);
    expect(total).toBeLessThan(200 * 1024);
    await shot(page, '01-login');
  });

  browserTest('signs in with the SMS code (resend counts down), then the real-name step', async () => {
    await page.fill('#phone', `137${unique}5678`);
    await page.click('#send-code');
    await page.waitForFunction(() => /重新获取（\d+秒）/.test((globalThis as any).document.querySelector('#send-code')?.textContent));
    expect(await page.isDisabled('#send-code')).toBe(true);
    await page.fill('#code', '000000');
    await page.click('#sign-in');
    await page.waitForSelector('#login-message .problem');
    expect(await page.textContent('#login-message')).toContain('验证码不正确');
    await page.fill('#code', TEST_OTP);
    await page.click('#sign-in');
    await page.waitForSelector('#identity-form');
    await shot(page, '02-identity');
    await page.fill('#real-name', '张三');
    await page.fill('#id-number', '410105199003071230');
    await page.click('#verify-identity');
    await page.waitForSelector('#identity-message .problem');
    expect(await page.textContent('#identity-message')).toContain('身份证号码有误');
    await page.fill('#id-number', makeResidentId('410105', '19900307', unique.slice(-3)));
    await page.click('#verify-identity');
    await page.waitForSelector('[data-screen="scan"], [data-screen="confirm"]');
  });

  browserTest('scans the invoice QR code with the camera, shows what it read, and registers it as verified', async () => {
    // The camera may still show the blank sheet: the scan screen is photographed when it can be.
    if (await page.locator('[data-screen="scan"] #camera').isVisible()) await shot(page, '03-scan').catch(() => undefined);
    await page.waitForSelector('[data-screen="confirm"] #read-facts', { timeout: 20_000 });
    const facts = await page.textContent('#read-facts');
    expect(facts).toContain('增值税电子普通发票');
    expect(facts).toContain(CODE);
    expect(facts).toContain(scanned.number);
    expect(facts).toContain('2022-08-12');
    expect(facts).toContain('¥128.50');
    await shot(page, '04-confirm');
    await page.click('#confirm-send');
    await page.waitForSelector('[data-screen="result"] #result-title');
    expect(await page.textContent('#result-title')).toBe('登记成功');
    expect(await page.textContent('[data-screen="result"]')).toContain('145 张奖券');
    await shot(page, '05-result');
  });

  let fallbackPage: Page;
  browserTest('without camera access, registers one from a photo and one typed in, and explains a refusal', async () => {
    // A second tab of the same signed-in browser whose camera permission is refused.
    fallbackPage = await context!.newPage();
    watch(fallbackPage);
    await fallbackPage.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await fallbackPage.goto(`${api.baseUrl}/app#/scan`);
    await fallbackPage.waitForFunction(() => /没有摄像头权限/.test((globalThis as any).document.querySelector('#scan-status')?.textContent));
    await shot(fallbackPage, '06-scan-fallbacks');

    await fallbackPage.setInputFiles('#photo', join(workDir, 'invoice-photo.png'));
    await fallbackPage.waitForSelector('[data-screen="confirm"] #read-facts');
    expect(await fallbackPage.textContent('#read-facts')).toContain(photographed.number);
    await fallbackPage.click('#confirm-send');
    await fallbackPage.waitForSelector('[data-screen="result"] #result-title');
    expect(await fallbackPage.textContent('#result-title')).toBe('登记成功');

    await fallbackPage.click('#register-another');
    await fallbackPage.click('#type-instead');
    await fallbackPage.waitForSelector('#type-form');
    // Help for each field says where it is on the invoice.
    expect(await fallbackPage.textContent('#f-check-help')).toContain('后6位');
    await fallbackPage.fill('#f-code', CODE);
    await fallbackPage.fill('#f-number', typed.number);
    await fallbackPage.fill('#f-date', typed.date);
    await fallbackPage.fill('#f-amount', typed.amount);
    await fallbackPage.click('#type-next');
    expect(await fallbackPage.textContent('#type-message')).toContain('电子普通发票需要填写校验码');
    await fallbackPage.fill('#f-check', typed.check.slice(-6));
    await shot(fallbackPage, '07-type');
    await fallbackPage.click('#type-next');
    await fallbackPage.waitForSelector('[data-screen="confirm"] #read-facts');
    expect(await fallbackPage.textContent('#read-facts')).toContain(typed.number);
    await fallbackPage.click('#confirm-send');
    await fallbackPage.waitForSelector('[data-screen="result"] #result-title');
    expect(await fallbackPage.textContent('#result-title')).toBe('登记成功');

    // A refused one: ¥15 is under the campaign's ¥20 minimum.
    await fallbackPage.goto(`${api.baseUrl}/app#/type`);
    await fallbackPage.waitForSelector('#type-form');
    await fallbackPage.fill('#f-code', CODE);
    await fallbackPage.fill('#f-number', `7${unique}009`);
    await fallbackPage.fill('#f-date', '2022-08-15');
    await fallbackPage.fill('#f-amount', '15.00');
    await fallbackPage.fill('#f-check', '123456');
    await fallbackPage.click('#type-next');
    await fallbackPage.click('#confirm-send');
    await fallbackPage.waitForSelector('[data-screen="result"] .problem');
    expect(await fallbackPage.textContent('#result-title')).toBe('未能登记');
    const explanation = await fallbackPage.textContent('[data-screen="result"] .problem');
    expect(explanation).toContain('金额不足 20 元');
    expect(explanation).toContain('金额满20元的发票才能参加');
    expect(explanation).not.toContain('AMOUNT_TOO_SMALL');
    await shot(fallbackPage, '08-refused');
  });

  browserTest('my invoices shows all three as verified and entered in the August draw', async () => {
    await fallbackPage.goto(`${api.baseUrl}/app#/invoices`);
    await fallbackPage.waitForSelector('#invoice-list');
    for (const i of [scanned, photographed, typed]) {
      const item = fallbackPage.locator(`#invoice-list li[data-number="${i.number}"]`);
      expect(await item.locator('.tag').textContent()).toBe('已核验');
      expect(await item.textContent()).toContain('已参加 2022年8月 抽奖');
    }
    expect(await fallbackPage.locator('#invoice-list li').count()).toBe(3);
    await shot(fallbackPage, '09-invoices');
  });

  browserTest('after the draw: the prize with its claim deadline counting down, the claim form validated, a notice with the unread badge', async () => {
    const lifecycle = api.app.get(DrawLifecycleService);
    clock.set('2022-09-06T00:00:01+08:00');
    await lifecycle.freezeDraw(DRAW);
    clock.set('2022-09-07T10:00:00+08:00');
    await lifecycle.runDraw(DRAW);
    clock.set('2022-09-08T10:00:00+08:00');
    await lifecycle.publishDraw(DRAW);
    // Weeks later on the service clock the session has ended: the app asks to sign in again.
    await fallbackPage.goto(`${api.baseUrl}/app#/prizes`);
    await fallbackPage.waitForSelector('#login-form');
    await fallbackPage.fill('#phone', `137${unique}5678`);
    await fallbackPage.click('#send-code');
    // One code a minute per phone (real time): the wait is shown as time and counted down on the button.
    await fallbackPage.waitForSelector('#login-message .problem');
    expect(await fallbackPage.textContent('#login-message')).toMatch(/操作太频繁，请在\d+秒后再试/);
    expect(await fallbackPage.textContent('#send-code')).toMatch(/^\d+秒后可重新获取$/);
    await shot(fallbackPage, '10-rate-limited');
    await fallbackPage.waitForFunction(() => (globalThis as any).document.querySelector('#send-code')?.textContent === '重新获取', undefined, { timeout: 75_000 });
    await fallbackPage.click('#send-code');
    await fallbackPage.waitForSelector('#login-message .ok');
    await fallbackPage.fill('#code', TEST_OTP);
    await fallbackPage.click('#sign-in');
    await fallbackPage.waitForSelector('[data-screen="scan"]');
    const session = (await fallbackPage.evaluate(async () => (await fetch('/api/v1/auth/session')).json())) as { consumerId: number };
    expect(session.consumerId).toEqual(expect.any(Number));
    // The draw's publication told the winner (prize-won notice).

    await fallbackPage.goto(`${api.baseUrl}/app#/prizes`);
    await fallbackPage.waitForSelector('#prize-list .claim-form');
    await fallbackPage.waitForSelector('#unread-badge');
    const deadline = await fallbackPage.textContent('#prize-list .deadline');
    expect(deadline).toMatch(/还剩 (59|60)天/);
    await shot(fallbackPage, '12-prizes');
    const form = fallbackPage.locator('#prize-list .claim-form').first();
    await form.locator('input').nth(0).fill('中国工商银行郑州分行');
    await form.locator('input').nth(1).fill('6222 0212');
    await form.locator('button[type="submit"]').click();
    expect(await form.textContent()).toContain('银行卡号或账号应为12至19位数字');
    await form.locator('input').nth(1).fill('6222 0212 3456 7890 123');
    await form.locator('button[type="submit"]').click();
    await fallbackPage.waitForSelector('#prize-list .tag-claimed');
    expect(await fallbackPage.textContent('#prize-list')).toContain('6222');

    await fallbackPage.click('#tab-notices');
    await fallbackPage.waitForSelector('#notice-list .unread');
    await shot(fallbackPage, '13-notices');
    const unread = await fallbackPage.locator('#notice-list .unread').count();
    expect(unread).toBeGreaterThanOrEqual(1);
    expect(await fallbackPage.textContent('#unread-badge')).toBe(String(unread));
    expect(await fallbackPage.textContent('#notice-list')).toContain('一等奖');
    await fallbackPage.click('#notice-list .notice-open');
    await fallbackPage.waitForSelector('#notice-list .notice-body:not([hidden])');
    await fallbackPage.waitForFunction((left) => ((globalThis as any).document.querySelector('#unread-badge')?.textContent ?? '0') === String(left), unread - 1);
    if (unread > 1) await fallbackPage.click('#read-all');
    await fallbackPage.waitForFunction(() => !(globalThis as any).document.querySelector('#unread-badge'));

    await fallbackPage.click('#tab-me');
    await fallbackPage.waitForSelector('#auto-entry');
    expect(await fallbackPage.textContent('#masked-id')).toMatch(/^4101\*+\d{3}[\dX]$/);
    await fallbackPage.check('#auto-entry');
    await fallbackPage.waitForSelector('#me-message .ok');
    expect(await fallbackPage.evaluate(async () => ((await (await fetch('/api/v1/me')).json()) as { autoEntry: boolean }).autoEntry)).toBe(true);
    await shot(fallbackPage, '14-me');
  }, 180_000);

  browserTest('no page error, no request outside the service, no CSP violation', () => {
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
