import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '../core/clock/clock.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { DomainError } from '../core/errors/domain-error.js';
import { violatedUniqueIndex, withUniqueViolationsMapped } from '../core/errors/unique-violation.js';
import { maskName, maskPhone } from '../core/masking.js';
import { shanghaiDate } from '../core/time/shanghai.js';
import { Consumer } from './consumer.entity.js';
import { checkResidentId } from './domain/resident-id.js';

/** What a consumer sees of themselves: phone, name and ID number masked. */
export interface ConsumerProfile {
  id: number;
  phone: string;
  realName: string | null;
  identity: { status: 'verified' | 'none'; idNumber: string | null; verifiedAt: string | null };
}

/** For other features (invoice registration, prizes): whether the account has a real-name identity. */
export interface ConsumerIdentity {
  verified: boolean;
  realName: string | null;
}

/**
 * Consumer accounts: found or created by phone at login, real-name identity, and the read API other
 * features use. Phones and ID numbers reach the database only as lookup hashes, masks and (phone)
 * ciphertext; they are never logged.
 */
@Injectable()
export class ConsumersService {
  private readonly logger = new Logger('ConsumersService');

  constructor(
    @InjectRepository(Consumer) private readonly consumers: Repository<Consumer>,
    private readonly pii: PiiProtector,
    private readonly clock: Clock,
  ) {}

  /** Idempotent, also under concurrency: the account of a normalized 11-digit phone, created on first call (UQ_consumers_phone decides races). */
  async findOrCreateByPhone(phone: string): Promise<Consumer> {
    const phoneHash = this.pii.lookupHash('phone', phone);
    const existing = await this.consumers.findOneBy({ phoneHash });
    if (existing) return existing;
    const consumer = this.consumers.create({
      phoneHash,
      phoneMasked: maskPhone(phone),
      phoneEncrypted: this.pii.encrypt(phone),
      realName: null,
      idNumberHash: null,
      idNumberMasked: null,
      identityVerifiedAt: null,
      createdAt: this.clock.now(),
    });
    try {
      await this.consumers.insert(consumer);
      this.logger.log(`Created consumer ${consumer.id}`);
      return consumer;
    } catch (error) {
      if (violatedUniqueIndex(error) !== 'UQ_consumers_phone') throw error;
      // A concurrent first login of the same phone won; its row is committed (InnoDB made us wait for it).
      const winner = await this.consumers.findOneBy({ phoneHash });
      if (!winner) throw error;
      return winner;
    }
  }

  /** Read-only: the consumer's own view, masked. 401 TOKEN_INVALID if the account no longer exists. */
  async profile(consumerId: number): Promise<ConsumerProfile> {
    return toProfile(await this.load(consumerId, 'token'));
  }

  /**
   * Binds a real-name identity to the account. Idempotent: the same name and number again is 200 with no
   * change. 422 ID_NUMBER_INVALID / ID_NUMBER_UNDERAGE (age on the Shanghai date of the service clock),
   * 409 IDENTITY_ALREADY_BOUND when another account holds the number (UQ_consumers_identity, race-safe),
   * 409 IDENTITY_ALREADY_VERIFIED when this account already has a different identity.
   */
  async bindIdentity(consumerId: number, realName: string, idNumber: string): Promise<ConsumerProfile> {
    const now = this.clock.now();
    const check = checkResidentId(idNumber, shanghaiDate(now));
    if (!check.ok) throw DomainError.unprocessable(check.code, check.message);
    const idNumberHash = this.pii.lookupHash('identity', check.normalized);

    const current = await this.load(consumerId, 'token', true);
    if (current.idNumberHash !== null) return toProfile(this.sameIdentityOrConflict(current, realName, idNumberHash));

    const result = await withUniqueViolationsMapped(
      {
        UQ_consumers_identity: () =>
          DomainError.conflict('IDENTITY_ALREADY_BOUND', 'This ID number is already bound to another account'),
      },
      () =>
        this.consumers
          .createQueryBuilder()
          .update(Consumer)
          .set({ realName, idNumberHash, idNumberMasked: check.masked, identityVerifiedAt: now })
          .where('id = :id AND id_number_hash IS NULL', { id: consumerId })
          .execute(),
    );
    const after = await this.load(consumerId, 'token', true);
    // Nothing updated: a concurrent submission for this account got there first; judge against what it stored.
    if (!result.affected) return toProfile(this.sameIdentityOrConflict(after, realName, idNumberHash));
    return toProfile(after);
  }

  /** Read-only. 404 CONSUMER_NOT_FOUND for an unknown id. */
  async getIdentity(consumerId: number): Promise<ConsumerIdentity> {
    const consumer = await this.load(consumerId, 'lookup');
    return { verified: consumer.identityVerifiedAt !== null, realName: consumer.realName };
  }

  /** Read-only: the consumer's phone in clear (decrypted), for SMS only; never log or return it. 404 CONSUMER_NOT_FOUND for an unknown id. */
  async contactPhone(consumerId: number): Promise<string> {
    const consumer = await this.consumers
      .createQueryBuilder('c')
      .addSelect('c.phoneEncrypted')
      .where('c.id = :id', { id: consumerId })
      .getOne();
    if (!consumer) throw DomainError.notFound('CONSUMER_NOT_FOUND', `No consumer ${consumerId}`);
    return this.pii.decrypt(consumer.phoneEncrypted);
  }

  private sameIdentityOrConflict(consumer: Consumer, realName: string, idNumberHash: string): Consumer {
    if (consumer.idNumberHash === idNumberHash && consumer.realName === realName) return consumer;
    throw DomainError.conflict(
      'IDENTITY_ALREADY_VERIFIED',
      'This account already has a verified identity; changing it needs a manual review by the tax bureau',
    );
  }

  private async load(consumerId: number, caller: 'token' | 'lookup', withIdHash = false): Promise<Consumer> {
    const query = this.consumers.createQueryBuilder('c').where('c.id = :id', { id: consumerId });
    if (withIdHash) query.addSelect('c.idNumberHash');
    const consumer = await query.getOne();
    if (consumer) return consumer;
    if (caller === 'token') throw DomainError.unauthorized('TOKEN_INVALID', 'The consumer account no longer exists');
    throw DomainError.notFound('CONSUMER_NOT_FOUND', `No consumer ${consumerId}`);
  }
}

function toProfile(c: Consumer): ConsumerProfile {
  const verified = c.identityVerifiedAt !== null;
  return {
    id: c.id,
    phone: c.phoneMasked,
    realName: c.realName === null ? null : maskName(c.realName),
    identity: {
      status: verified ? 'verified' : 'none',
      idNumber: verified ? c.idNumberMasked : null,
      verifiedAt: verified ? c.identityVerifiedAt!.toISOString() : null,
    },
  };
}
