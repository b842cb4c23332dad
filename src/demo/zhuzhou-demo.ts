import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenService } from '../auth/token.service.js';
import { poolDrawsOf, type PoolDraw } from '../campaigns/pool-draws.js';
import type { CampaignDefinition } from '../campaigns/campaign-definition.js';
import { periodsOf } from '../campaigns/periods.js';
import { Consumer } from '../consumers/consumer.entity.js';
import { makeResidentId } from '../consumers/domain/resident-id.js';
import type { ManualClock } from '../core/clock/clock.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { maskIdNumber, maskPhone } from '../core/masking.js';
import { addDays, shanghaiDateTime, startOfShanghaiDay } from '../core/time/shanghai.js';
import { RegistryInvoice } from '../registry/registry-invoice.entity.js';

/**
 * The 2026 part of `npm run demo`: the Zhuzhou campaign file (config/campaigns/zhuzhou-2026.json) next to
 * Henan's. Its consumers have verified real names; the tax bureau's records of their 数电 (type 32) invoices
 * name them exactly (the campaign's requireBuyerName) and carry amounts across the bands: ¥100–1,000 (the
 * instant pool only), ¥1,000–5,000 and ¥5,000+ (one periodic draw each per half month). Each invoice is
 * registered through the public API like the app does — those of the instant band get their instant outcome
 * in the answer, on an instant-draw day committed before it opens and published after it closes — then each
 * half month's pool draws freeze, draw and publish through the tick and the worker. Deterministic: the same invoices and amounts on every run.
 */
const NAMES = ['刘建华', '陈晓梅', '王志强', '李秀英', '张伟', '杨丽', '赵敏', '黄磊', '周婷', '吴刚', '徐静', '孙浩', '马超', '朱琳', '胡军', '郭芳', '何平', '高翔', '林娜', '罗斌'];
/** Amounts (cents, tax included) by consumer and invoice: across the instant band and both periodic bands. */
const AMOUNTS = [35_000, 128_000, 560_000, 86_000, 240_000, 1_250_000, 19_900, 470_000, 99_000, 150_000, 730_000, 310_000];

export interface ZhuzhouDemoResult {
  registered: { verified: number; refused: Record<string, number> };
  draws: Array<{ draw: PoolDraw; entries: number; tickets: number; winners: number }>;
  /** Instant-draw days: the outcomes the registration answers showed, by day. */
  instantDays: Array<{ dayId: string; entries: number; prizesByTier: Record<string, number>; notEntered: number }>;
}

/** The demo's hooks into the worker: run the instant days' due steps (commit, open, close, publish) at `at`. */
export type InstantDue = (at: Date) => Promise<void>;

/** Creates the Zhuzhou consumers with verified identities (as the identity check would leave them). */
async function createConsumers(ds: DataSource, pii: PiiProtector, verifiedAt: Date): Promise<Array<{ id: number; name: string }>> {
  const out: Array<{ id: number; name: string }> = [];
  for (const [i, name] of NAMES.entries()) {
    const phone = `1867331${String(i).padStart(4, '0')}`;
    const idNumber = makeResidentId('430202', `19${70 + i}0${(i % 9) + 1}1${i % 10}`, String(100 + i));
    const consumer = ds.getRepository(Consumer).create({
      phoneHash: pii.lookupHash('phone', phone),
      phoneMasked: maskPhone(phone),
      phoneEncrypted: pii.encrypt(phone),
      realName: name,
      idNumberHash: pii.lookupHash('identity', idNumber),
      idNumberMasked: maskIdNumber(idNumber),
      identityVerifiedAt: verifiedAt,
      createdAt: verifiedAt,
    });
    await ds.getRepository(Consumer).insert(consumer);
    out.push({ id: consumer.id, name });
  }
  return out;
}

/**
 * Runs the campaign: for each period, registrations on its 3rd day (two invoices per consumer, within the daily
 * limit of 3), then the freeze and the draw of each of its periodic pools through `step` (the demo's tick and
 * wait). Returns what happened, for the demo's table.
 */
export async function runZhuzhouDemo(
  campaign: CampaignDefinition,
  api: INestApplicationContext,
  apiBaseUrl: string,
  clock: ManualClock,
  step: (at: Date, draws: PoolDraw[], until: 'frozen' | 'published') => Promise<void>,
  instantDue: InstantDue,
): Promise<ZhuzhouDemoResult> {
  const ds = api.get<DataSource>(getDataSourceToken());
  const tokens = api.get(TokenService);
  const consumers = await createConsumers(ds, api.get(PiiProtector), new Date(`${campaign.startDate}T00:00:00+08:00`));
  const result: ZhuzhouDemoResult = { registered: { verified: 0, refused: {} }, draws: [], instantDays: [] };
  let serial = 0;
  for (const period of periodsOf(campaign)) {
    const issueDate = addDays(period.startDate, 1);
    const registrationDay = addDays(period.startDate, 2);
    // The instant-draw day is committed before it opens (its secret's hash public), then opens at midnight.
    await instantDue(new Date(startOfShanghaiDay(registrationDay).getTime() - 3_600_000));
    clock.set(shanghaiDateTime(registrationDay, '10:00'));
    await instantDue(clock.now());
    const day = { dayId: '', entries: 0, prizesByTier: {} as Record<string, number>, notEntered: 0 };
    for (const [c, consumer] of consumers.entries()) {
      for (let k = 0; k < 2; k++) {
        serial += 1;
        const amountCents = AMOUNTS[(c * 2 + k + serial) % AMOUNTS.length];
        const invoiceNumber = `2643${String(serial).padStart(16, '0')}`;
        await ds.getRepository(RegistryInvoice).insert({
          invoiceType: '32',
          invoiceCode: '',
          invoiceNumber,
          issueDate,
          amountCents: Math.round(amountCents / 1.13),
          taxCents: amountCents - Math.round(amountCents / 1.13),
          totalCents: amountCents,
          checkCode: null,
          sellerTaxId: '91430200MA4L000000',
          sellerName: '株洲市示例商贸有限公司',
          buyerType: 'individual',
          buyerName: consumer.name,
          flags: [],
          importedAt: clock.now(),
          updatedAt: clock.now(),
        });
        const res = await fetch(`${apiBaseUrl}/api/v1/invoices`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.issueConsumerToken(consumer.id)}` },
          body: JSON.stringify({ invoiceType: '32', invoiceNumber, issueDate, amount: (amountCents / 100).toFixed(2) }),
        });
        const body = (await res.json()) as { status?: string; code?: string; instant?: { status: string; dayId?: string; outcome?: number; tierName?: string } };
        if (res.status === 201 && body.status === 'verified') result.registered.verified += 1;
        else result.registered.refused[body.code ?? String(res.status)] = (result.registered.refused[body.code ?? String(res.status)] ?? 0) + 1;
        // Invoices of the instant pool's band (¥100–1,000) get their ILI-1 outcome in this very answer.
        if (body.instant?.status === 'drawn') {
          day.dayId = body.instant.dayId!;
          day.entries += 1;
          if (body.instant.outcome) day.prizesByTier[body.instant.tierName!] = (day.prizesByTier[body.instant.tierName!] ?? 0) + 1;
        } else if (body.instant) day.notEntered += 1;
      }
    }
    // The day closes at midnight; the worker reveals its secret and publishes its log.
    await instantDue(new Date(startOfShanghaiDay(addDays(registrationDay, 1)).getTime() + 600_000));
    if (day.dayId) result.instantDays.push(day);
    const draws = poolDrawsOf(campaign).filter((d) => d.period.key === period.key);
    await step(period.freezeAt, draws, 'frozen');
    await step(period.drawAt, draws, 'published');
    for (const draw of draws) {
      const [row] = await ds.query(`SELECT entry_count, total_tickets FROM draws WHERE id = ?`, [draw.id]);
      const [picks] = await ds.query(`SELECT COUNT(*) AS n FROM draw_picks WHERE draw_id = ? AND kind = 'winner'`, [draw.id]);
      result.draws.push({ draw, entries: Number(row.entry_count), tickets: Number(row.total_tickets), winners: Number(picks.n) });
    }
  }
  return result;
}
