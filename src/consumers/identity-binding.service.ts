import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../core/clock/clock.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { DomainError } from '../core/errors/domain-error.js';
import { violatedUniqueIndex } from '../core/errors/unique-violation.js';
import { shanghaiDate } from '../core/time/shanghai.js';
import { IdentityVerifier } from '../identity/identity-verifier.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { canonicalName } from '../registry/domain/match.js';
import { Consumer } from './consumer.entity.js';
import { ConsumersService, type ConsumerProfile } from './consumers.service.js';
import { checkResidentId } from './domain/resident-id.js';
import { AuthRateLimiter, clientAddressKey } from './rate-limits.js';

/** The notice an earlier holder of an ID number gets when its verified owner takes it. */
export const IDENTITY_RELEASED_NOTICE = 'identity_released';

/**
 * Binds a real-name identity to a consumer account, verified through the identity port (three elements: the
 * name, the ID number, and the account's own sign-in phone, whose registered owner the carrier knows).
 *
 * No squatting: an identity that passes takes its ID number from any account that held it before (bound under
 * the old checksum-only rule, or by a stranger), which loses it and gets an in-app notice. No oracle: no answer
 * depends on whether the ID number is bound elsewhere; a register that says mismatch or not-found is one answer,
 * 422 IDENTITY_NOT_VERIFIED. Attempts are rate-limited per account and per client address (each costs a paid
 * provider call).
 */
@Injectable()
export class IdentityBindingService {
  private readonly logger = new Logger('IdentityBinding');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consumers: ConsumersService,
    private readonly verifier: IdentityVerifier,
    private readonly notifications: NotificationsService,
    private readonly limits: AuthRateLimiter,
    private readonly pii: PiiProtector,
    private readonly clock: Clock,
  ) {}

  /**
   * Idempotent: the same name and number as the account's verified identity again is 200 with no change and
   * no provider call. Errors: 422 ID_NUMBER_INVALID / ID_NUMBER_UNDERAGE (checked first, not counted), 429
   * RATE_LIMITED, 409 IDENTITY_ALREADY_VERIFIED (this account already has a different verified identity),
   * 422 IDENTITY_NOT_VERIFIED (the register does not confirm the three elements), 503
   * IDENTITY_PROVIDER_UNAVAILABLE (nothing written).
   */
  async bind(consumerId: number, realName: string, idNumber: string, clientIp: string | undefined): Promise<ConsumerProfile> {
    // A malformed number tells nothing and costs no provider call: refused before it counts against the limits.
    const check = checkResidentId(idNumber, shanghaiDate(this.clock.now()));
    if (!check.ok) throw DomainError.unprocessable(check.code, check.message);
    await this.limits.consume(['identityPerConsumerHour', String(consumerId)], ['identityPerIpHour', clientAddressKey(clientIp)]);
    const idNumberHash = this.pii.lookupHash('identity', check.normalized);

    const current = await this.read(consumerId);
    if (current.identityVerifiedAt !== null) {
      if (current.idNumberHash === idNumberHash && current.realName !== null && canonicalName(current.realName) === canonicalName(realName))
        return this.consumers.profile(consumerId);
      throw DomainError.conflict(
        'IDENTITY_ALREADY_VERIFIED',
        'This account already has a verified identity; changing it needs a manual review by the tax bureau',
      );
    }

    const phone = await this.consumers.contactPhone(consumerId);
    const verdict = await this.verifier.verify({ realName, idNumber: check.normalized, phone });
    if (verdict !== 'match')
      throw DomainError.unprocessable(
        'IDENTITY_NOT_VERIFIED',
        'The name, ID number and this account\'s phone number could not be confirmed together by the national register',
      );

    for (let attempt = 1; ; attempt++) {
      try {
        await this.takeIdentity(consumerId, realName, idNumberHash, check.masked);
        return this.consumers.profile(consumerId);
      } catch (error) {
        // Two accounts taking the same free number at once: one wins the unique key, the other (or a
        // deadlock victim on the gap lock) tries again and takes it from the winner only if it too passed.
        const retryable = violatedUniqueIndex(error) === 'UQ_consumers_identity' || (error as { errno?: number }).errno === 1213;
        if (!retryable || attempt >= 3) throw error;
      }
    }
  }

  /** One transaction: earlier holders lose the number (and are notified), this account gains it verified. */
  private async takeIdentity(consumerId: number, realName: string, idNumberHash: string, idNumberMasked: string): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (em) => {
      const holders: Array<{ id: number | string }> = await em.query(
        'SELECT id FROM consumers WHERE id_number_hash = ? AND id <> ? FOR UPDATE',
        [idNumberHash, consumerId],
      );
      for (const holder of holders) {
        const holderId = Number(holder.id);
        await em.query(
          `UPDATE consumers SET real_name = NULL, id_number_hash = NULL, id_number_masked = NULL, identity_verified_at = NULL,
                  identity_method = NULL, auto_entry = 0 WHERE id = ?`,
          [holderId],
        );
        await this.notifications.create(
          {
            consumerId: holderId,
            kind: IDENTITY_RELEASED_NOTICE,
            title: '实名信息已解除',
            body: '您账户绑定的身份证号已由其本人通过三要素核验绑定，您账户的实名信息已解除。如有疑问，请联系税务机关。',
            dedupeKey: `identity-released:${holderId}:${now.getTime()}`,
          },
          em,
        );
        this.logger.log(`Identity of consumer ${holderId} released to verified consumer ${consumerId}`);
      }
      const result = await em
        .createQueryBuilder()
        .update(Consumer)
        .set({ realName, idNumberHash, idNumberMasked, identityVerifiedAt: now, identityMethod: this.verifier.method, autoEntry: false })
        .where('id = :id AND identity_verified_at IS NULL', { id: consumerId })
        .execute();
      if (!result.affected) {
        // A concurrent bind of this account won: fine if it bound the same identity.
        const [row]: Array<{ id_number_hash: string | null }> = await em.query('SELECT id_number_hash FROM consumers WHERE id = ?', [consumerId]);
        if (row?.id_number_hash !== idNumberHash)
          throw DomainError.conflict('IDENTITY_ALREADY_VERIFIED', 'This account already has a verified identity');
      }
    });
  }

  private async read(consumerId: number): Promise<Pick<Consumer, 'identityVerifiedAt' | 'idNumberHash' | 'realName'>> {
    const consumer = await this.dataSource
      .getRepository(Consumer)
      .createQueryBuilder('c')
      .addSelect('c.idNumberHash')
      .where('c.id = :id', { id: consumerId })
      .getOne();
    if (!consumer) throw DomainError.unauthorized('TOKEN_INVALID', 'The consumer account no longer exists');
    return consumer;
  }
}
