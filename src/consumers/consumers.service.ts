import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '../core/clock/clock.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { DomainError } from '../core/errors/domain-error.js';
import { violatedUniqueIndex } from '../core/errors/unique-violation.js';
import { maskName, maskPhone } from '../core/masking.js';
import { Consumer } from './consumer.entity.js';

/** What a consumer sees of themselves: phone, name and ID number masked. */
export interface ConsumerProfile {
  id: number;
  phone: string;
  realName: string | null;
  /** `verified` only after the three-element check of the identity port. */
  identityStatus: 'verified' | 'none';
  autoEntry: boolean;
  identity: { status: 'verified' | 'none'; idNumber: string | null; verifiedAt: string | null };
}

/** For other features (invoice registration, prizes): whether the account has a real-name identity. */
export interface ConsumerIdentity {
  verified: boolean;
  realName: string | null;
  /** Keyed hash of the verified ID number (PiiProtector.lookupHash('identity', …)); null unless verified. */
  idNumberHash: string | null;
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
      identityMethod: null,
      autoEntry: false,
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
   * Opts in or out of automatic entry. Idempotent. Opting in needs a verified identity (422 IDENTITY_REQUIRED);
   * opting out is always allowed.
   */
  async setAutoEntry(consumerId: number, autoEntry: boolean): Promise<ConsumerProfile> {
    const result = await this.consumers
      .createQueryBuilder()
      .update(Consumer)
      .set({ autoEntry })
      .where(autoEntry ? 'id = :id AND identity_verified_at IS NOT NULL' : 'id = :id', { id: consumerId })
      .execute();
    const after = await this.load(consumerId, 'token');
    if (!result.affected && autoEntry && after.identityVerifiedAt === null)
      throw DomainError.unprocessable('IDENTITY_REQUIRED', 'Verify your real-name identity before opting in to automatic entry');
    return toProfile(after);
  }

  /** Read-only. 404 CONSUMER_NOT_FOUND for an unknown id. */
  async getIdentity(consumerId: number): Promise<ConsumerIdentity> {
    const consumer = await this.load(consumerId, 'lookup', true);
    const verified = consumer.identityVerifiedAt !== null;
    return { verified, realName: verified ? consumer.realName : null, idNumberHash: verified ? consumer.idNumberHash : null };
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

  private async load(consumerId: number, caller: 'token' | 'lookup', withIdHash = false): Promise<Consumer> {
    const query = this.consumers.createQueryBuilder('c').where('c.id = :id', { id: consumerId });
    if (withIdHash) query.addSelect('c.idNumberHash');
    const consumer = await query.getOne();
    if (consumer) return consumer;
    if (caller === 'token') throw DomainError.unauthorized('TOKEN_INVALID', 'The consumer account no longer exists');
    throw DomainError.notFound('CONSUMER_NOT_FOUND', `No consumer ${consumerId}`);
  }
}

export function toProfile(c: Consumer): ConsumerProfile {
  const verified = c.identityVerifiedAt !== null;
  return {
    id: c.id,
    phone: c.phoneMasked,
    realName: c.realName === null || !verified ? null : maskName(c.realName),
    identityStatus: verified ? 'verified' : 'none',
    autoEntry: verified && c.autoEntry,
    identity: {
      status: verified ? 'verified' : 'none',
      idNumber: verified ? c.idNumberMasked : null,
      verifiedAt: verified ? c.identityVerifiedAt!.toISOString() : null,
    },
  };
}
