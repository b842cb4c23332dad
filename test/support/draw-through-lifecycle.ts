import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import type { ManualClock } from '../../src/core/clock/clock.js';
import { invoiceRef } from '../../src/draws/algorithm/index.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { createConsumer, insertRegistryRecord } from './fixtures.js';
import type { TestApi } from './test-env.js';

export const AUGUST_DRAW = 'henan-2022-2022-08';

export interface RegisteredInvoice {
  invoiceCode: string;
  invoiceNumber: string;
  ref: string;
  realName: string;
}

/**
 * Registers `consumers` × `invoicesEach` verified August 2022 invoices through the API (each with its tax
 * bureau record), then takes the August draw to `until`: frozen, drawn or published, on the test's manual
 * clock. For tests of what the public sees of a draw; the lifecycle itself has its own tests.
 */
export async function drawThroughLifecycle(
  api: TestApi,
  clock: ManualClock,
  options: {
    consumers?: number;
    invoicesEach?: number;
    /** The issuing region (4 digits of the invoice code) of consumer i's invoices, by index; 4101 when absent. */
    regions?: readonly string[];
    /** Runs once the draw is frozen, before it is drawn (e.g. to set a beacon). */
    afterFreeze?: () => Promise<void>;
    until: 'frozen' | 'drawn' | 'published';
  },
): Promise<{ invoices: RegisteredInvoice[]; lifecycle: DrawLifecycleService }> {
  const lifecycle = api.app.get(DrawLifecycleService);
  await lifecycle.ensureCampaign(api.app.get(CampaignCatalog).get('henan-2022')!);
  const names = ['张三', '欧阳娜娜', '司马光', '李四', '王五', '赵六', '钱七', '孙八', '周九', '吴十'];
  const invoices: RegisteredInvoice[] = [];
  let seq = 0;
  for (let i = 0; i < (options.consumers ?? 6); i++) {
    const realName = names[i % names.length];
    const consumer = await createConsumer(api.app, { realName });
    for (let k = 0; k < (options.invoicesEach ?? 3); k++) {
      seq += 1;
      const invoiceCode = `0${options.regions?.[i] ?? '4101'}2200111`;
      const invoiceNumber = String(50_000_000 + (process.pid % 1000) * 1000 + seq);
      const paidCents = [2_300, 7_700, 16_600, 43_000, 120_000, 610_000][(i + k) % 6];
      await insertRegistryRecord(api.app, { invoiceCode, invoiceNumber, issueDate: '2022-08-09', amountCents: paidCents, taxCents: 0 });
      const res = await api.http.post(
        '/api/v1/invoices',
        { invoiceType: '10', invoiceCode, invoiceNumber, issueDate: '2022-08-09', amount: (paidCents / 100).toFixed(2), checkCode: '567890' },
        consumer.token,
      );
      if (res.status !== 201 || res.body.status !== 'verified') throw new Error(`registration failed: ${res.status} ${res.text}`);
      invoices.push({ invoiceCode, invoiceNumber, ref: invoiceRef(invoiceCode, invoiceNumber), realName });
    }
  }
  clock.set('2022-09-06T00:00:01+08:00');
  await lifecycle.freezeDraw(AUGUST_DRAW);
  await options.afterFreeze?.();
  if (options.until === 'frozen') return { invoices, lifecycle };
  clock.set('2022-09-07T10:00:00+08:00');
  await lifecycle.runDraw(AUGUST_DRAW);
  if (options.until === 'drawn') return { invoices, lifecycle };
  clock.set('2022-09-08T10:00:00+08:00');
  await lifecycle.publishDraw(AUGUST_DRAW);
  return { invoices, lifecycle };
}
