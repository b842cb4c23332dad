import { Test } from '@nestjs/testing';
import { ConfigModule } from '../../src/core/config/config.module.js';
import { ConfigError, loadConfig } from '../../src/core/config/config.schema.js';
import { SignedSmsSender, SmsSender } from '../../src/core/sms/sms-sender.js';
import { SmsModule } from '../../src/core/sms/sms.module.js';
import { prizeWonSms } from '../../src/notifications/prize-notices.js';

/** The carrier-registered sender signature is one deployment setting put before every message; the texts name no province. */
class Capturing extends SmsSender {
  readonly sent: Array<{ phone: string; message: string }> = [];
  async send(phone: string, message: string): Promise<void> {
    this.sent.push({ phone, message });
  }
}

test('SMS_SIGNATURE defaults to the Henan sender and refuses brackets, punctuation and over-long values', () => {
  expect(loadConfig({}).SMS_SIGNATURE).toBe('河南省有奖发票');
  expect(loadConfig({ SMS_SIGNATURE: '株洲发票抽奖' }).SMS_SIGNATURE).toBe('株洲发票抽奖');
  for (const bad of ['【株洲】', '株', '株洲 发票', 'x'.repeat(17)]) expect(() => loadConfig({ SMS_SIGNATURE: bad })).toThrow(ConfigError);
});

test('the signed sender puts 【signature】 before the message and nothing else changes', async () => {
  const gateway = new Capturing();
  await new SignedSmsSender('株洲发票抽奖', gateway).send('13800000000', '您的登录验证码是123456');
  expect(gateway.sent).toEqual([{ phone: '13800000000', message: '【株洲发票抽奖】您的登录验证码是123456' }]);
});

test("the prize texts carry no signature of their own (the sender adds the deployment's)", () => {
  const text = prizeWonSms({ periodKey: '2026-11a', tierName: '一等奖', grossCents: 50_000, claimDeadline: new Date('2026-12-31T00:00:00+08:00') });
  expect(text).not.toContain('【');
  expect(text).not.toContain('河南');
});

test("the SMS module's sender is signed with the configured signature", async () => {
  const config = loadConfig({ SMS_SIGNATURE: '株洲发票抽奖' });
  const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), SmsModule] }).compile();
  const sender = moduleRef.get(SmsSender);
  expect(sender).toBeInstanceOf(SignedSmsSender);
  const inner = new Capturing();
  // Swap the chain under the signature for a capturing one to read the final text.
  (sender as unknown as { next: SmsSender }).next = inner;
  await sender.send('13800000000', '测试');
  expect(inner.sent[0].message).toBe('【株洲发票抽奖】测试');
});
