/**
 * Prometheus metrics: the API's /metrics and the worker's metrics port answer only with METRICS_TOKEN as a
 * bearer token (and do not exist without it), and count what happened: requests by route template and status,
 * registrations by outcome and reason, rate-limit refusals, SMS sends, the clock offset; the worker reports
 * queue depth and waiting age, draws by status and the most overdue step.
 */
import { ManualClock } from '../../src/core/clock/clock.js';
import { WorkerMetricsServer } from '../../src/core/metrics/worker-metrics.js';
import { createConsumer, henanInvoice } from '../support/fixtures.js';
import { destroyTestEnvironment, isolatedConfig, startTestApi, startTestWorker, type TestApi } from '../support/test-env.js';

const TOKEN = 'metrics-token-for-tests-0123456789';
let api: TestApi;
let plain: TestApi;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
/** The worker's clock: before anything is due until the worker test moves it. */
const workerClock = new ManualClock('2022-07-20T10:00:00+08:00');

beforeAll(async () => {
  const config = isolatedConfig({ METRICS_TOKEN: TOKEN, WORKER_METRICS_PORT: '0', WORKER_METRICS_HOST: '127.0.0.1', PUBLIC_RATE_LIMIT_PER_MINUTE: '3' });
  api = await startTestApi({ config });
  plain = await startTestApi({ config: { ...config, METRICS_TOKEN: undefined } });
  worker = await startTestWorker({ config, clock: workerClock });
});

afterAll(async () => {
  await worker?.close();
  await plain?.close();
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

const scrape = (token = TOKEN) => api.http.request('GET', '/metrics', { token });

/** The value of one series in an exposition text (0 when absent). */
function valueOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('the API serves /metrics to the metrics token only, and not at all without one configured', async () => {
  expect((await scrape('')).status).toBe(401);
  expect((await scrape('wrong-token-wrong-token-wrong')).status).toBe(401);
  expect((await api.http.request('GET', '/metrics', { token: 'x', headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
  const ok = await scrape();
  expect(ok.status).toBe(200);
  expect(ok.headers.get('content-type')).toContain('text/plain');
  expect(ok.text).toContain('# TYPE il_http_request_duration_seconds histogram');
  expect(ok.text).toMatch(/^il_clock_offset_seconds -?\d/m);
  expect((await plain.http.get('/metrics', TOKEN)).status).toBe(404);
});

test('requests are counted by route template and status', async () => {
  const before = await scrape();
  for (const id of ['henan-2022-2022-07', 'henan-2022-2022-08']) expect((await api.http.get(`/api/v1/public/draws/${id}`)).status).toBe(200);
  expect((await api.http.get('/api/v1/public/draws/no-such-draw')).status).toBe(404);
  const after = await scrape();
  const series = (status: string) => `il_http_request_duration_seconds_count{method="GET",route="/api/v1/public/draws/:id",status="${status}"}`;
  expect(valueOf(after.text, series('200')) - valueOf(before.text, series('200'))).toBe(2);
  expect(valueOf(after.text, series('404')) - valueOf(before.text, series('404'))).toBe(1);
  expect(after.text).not.toContain('no-such-draw');
});

test('registrations are counted by outcome and reason code; rate-limit refusals and SMS by limit and result', async () => {
  const consumer = await createConsumer(api.app);
  const other = await createConsumer(api.app);
  const body = { invoiceType: '10', ...henanInvoice(), issueDate: '2022-08-08', amount: '113.00', checkCode: '567890' };
  const before = await scrape();
  expect((await api.http.post('/api/v1/invoices', body, consumer.token)).status).toBe(201); // no record yet: pending
  expect((await api.http.post('/api/v1/invoices', body, other.token)).status).toBe(409); // someone else's
  expect((await api.http.post('/api/v1/invoices', body, consumer.token)).status).toBe(200); // a retry: the same answer
  expect((await api.http.post('/api/v1/invoices', { ...body, ...henanInvoice(), amount: '5.00' }, consumer.token)).status).toBe(422);
  let refused = 0;
  for (let i = 0; i < 5; i++) if ((await api.http.get('/api/v1/public/campaigns/henan-2022/draws')).status === 429) refused++;
  expect(refused).toBeGreaterThan(0);
  expect((await api.http.post('/api/v1/auth/otp', { phone: '13800001234' })).status).toBe(202);
  const after = await scrape();
  const delta = (series: string) => valueOf(after.text, series) - valueOf(before.text, series);
  expect(delta('il_registrations_total{outcome="pending",reason="AWAITING_REGISTRY_RECORD"}')).toBe(2); // the first and its retry
  expect(delta('il_registrations_total{outcome="refused",reason="INVOICE_ALREADY_REGISTERED"}')).toBe(1);
  expect(delta('il_registrations_total{outcome="refused",reason="AMOUNT_TOO_SMALL"}')).toBe(1);
  expect(delta('il_rate_limit_refusals_total{limit="public"}')).toBe(refused);
  expect(delta('il_sms_sends_total{result="sent"}')).toBe(1);
});

test("the worker's metrics port: token only; queues, draws, the pending backlog and the clock", async () => {
  const port = worker.app.get(WorkerMetricsServer).port;
  expect(port).toBeGreaterThan(0);
  const url = `http://127.0.0.1:${port}/metrics`;
  expect((await fetch(url)).status).toBe(401);
  expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token-not-the-token' } })).status).toBe(401);
  expect((await fetch(`http://127.0.0.1:${port}/other`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  const scrapeWorker = async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return res.text();
  };
  const early = await scrapeWorker();
  for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(early).toMatch(new RegExp(`^il_queue_jobs\\{queue="draws",state="${state}"\\} \\d+`, 'm'));
  expect(early).toMatch(/^il_queue_oldest_waiting_seconds\{queue="registry"\} [\d.]+/m);
  // The henan-2022 campaign's six draws and zhuzhou-2026's eight (4 half months x 2 periodic pools), loaded by
  // the worker; on 2022-07-20 nothing is due yet.
  expect(valueOf(early, 'il_draws{status="scheduled"}')).toBe(6 + 8);
  expect(valueOf(early, 'il_draw_overdue_seconds')).toBe(0);
  expect(early).toMatch(/^il_clock_offset_seconds -\d/m);

  // 2022-08-10 11:00: July should have frozen on 2022-08-06 00:00 (the next tick, a minute away, would do it),
  // and the pending registration made above at 10:00 (on the API's clock) has waited an hour.
  workerClock.set('2022-08-10T11:00:00+08:00');
  const late = await scrapeWorker();
  expect(valueOf(late, 'il_draw_overdue_seconds')).toBe((Date.parse('2022-08-10T11:00:00+08:00') - Date.parse('2022-08-06T00:00:00+08:00')) / 1000);
  expect(valueOf(late, 'il_registrations_pending_oldest_seconds')).toBe(3600);
});
