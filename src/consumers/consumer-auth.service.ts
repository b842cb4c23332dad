import { Injectable } from '@nestjs/common';
import { TokenService } from '../auth/token.service.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { DomainError } from '../core/errors/domain-error.js';
import { SmsSender } from '../core/sms/sms-sender.js';
import { ConsumersService } from './consumers.service.js';
import { normalizeMainlandMobile } from './domain/phone.js';
import { OTP_TTL_SECONDS, OtpStore } from './otp.store.js';
import { AuthRateLimiter, clientAddressKey } from './rate-limits.js';

/**
 * Phone sign-in with one-time codes.
 *
 * Errors: 400 VALIDATION_FAILED (not a mainland mobile), 429 RATE_LIMITED (with retryAfterSeconds),
 * 401 OTP_INVALID (wrong code, tries left), 401 OTP_EXPIRED (no code, expired, already used or replaced),
 * 401 OTP_LOCKED (the code took OTP_MAX_TRIES wrong guesses and is dead: request a new one). OTP_LOCKED is
 * a 401, not a 429, because waiting does not help: only a new code does.
 */
@Injectable()
export class ConsumerAuthService {
  constructor(
    private readonly codes: OtpStore,
    private readonly limits: AuthRateLimiter,
    private readonly sms: SmsSender,
    private readonly consumers: ConsumersService,
    private readonly tokens: TokenService,
    private readonly pii: PiiProtector,
  ) {}

  /**
   * Not idempotent by design: each accepted call sends a new code that replaces the previous one.
   * Limits per phone and per client address apply (RATE_LIMITS). The answer does not reveal whether the
   * phone has an account.
   */
  async requestCode(phoneInput: string, clientIp: string | undefined): Promise<{ expiresInSeconds: number }> {
    const phone = this.normalize(phoneInput);
    const phoneHash = this.pii.lookupHash('phone', phone);
    await this.limits.consume(
      ['otpPerPhoneMinute', phoneHash],
      ['otpPerPhoneHour', phoneHash],
      ['otpPerIpHour', clientAddressKey(clientIp)],
    );
    const code = await this.codes.issue(phoneHash);
    await this.sms.send(phone, `您的登录验证码是${code}，${OTP_TTL_SECONDS / 60}分钟内有效。如非本人操作，请忽略本短信。`);
    return { expiresInSeconds: OTP_TTL_SECONDS };
  }

  /**
   * Checks the code and returns a consumer access token, creating the account on first login. A code
   * works once (idempotent in effect: the account is created at most once, also under concurrent logins).
   */
  async login(phoneInput: string, code: string, clientIp: string | undefined): Promise<string> {
    return this.tokens.issueConsumerToken(await this.authenticate(phoneInput, code, clientIp));
  }

  /**
   * The consumer these credentials open (the checks, limits and account creation of login, which issues a
   * token; the web app's sign-in opens a cookie session instead). Idempotent in effect like login.
   */
  async authenticate(phoneInput: string, code: string, clientIp: string | undefined): Promise<number> {
    await this.limits.consume(['loginPerIp', clientAddressKey(clientIp)]);
    const phone = this.normalize(phoneInput);
    const check = await this.codes.verify(this.pii.lookupHash('phone', phone), code);
    switch (check.result) {
      case 'ok':
        break;
      case 'invalid':
        throw new DomainError(401, 'OTP_INVALID', `Wrong code; ${check.attemptsLeft} tries left`, { attemptsLeft: check.attemptsLeft });
      case 'locked':
        throw DomainError.unauthorized('OTP_LOCKED', 'Too many wrong codes; request a new code');
      case 'expired':
        throw DomainError.unauthorized('OTP_EXPIRED', 'No valid code for this phone; request a new code');
    }
    const consumer = await this.consumers.findOrCreateByPhone(phone);
    return consumer.id;
  }

  private normalize(input: string): string {
    const phone = normalizeMainlandMobile(input);
    if (!phone)
      throw DomainError.badRequest('VALIDATION_FAILED', 'phone must be a mainland China mobile number (11 digits starting with 1)', {
        fields: ['phone'],
      });
    return phone;
  }
}
