import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';

/** The domain-separation label of a day secret's HMAC input. */
const LABEL = 'ILI-1 day secret\n';

/** A day's secret from the worker's key: HMAC-SHA256(key, label + dayId), 64 lowercase hex chars. Pure. */
export function deriveInstantDaySecret(keyHex: string, dayId: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(LABEL + dayId, 'utf8').digest('hex');
}

/** The worker was started for a campaign with instant pools but without INSTANT_SECRET_KEY. */
export class InstantSecretKeyMissing extends Error {
  constructor() {
    super('INSTANT_SECRET_KEY is not set: the worker needs it for the instant-draw days of the loaded campaigns (64 hex characters, worker only)');
    this.name = 'InstantSecretKeyMissing';
  }
}

/**
 * Worker only (provided by InstantWorkerModule, never by the API): the instant-draw day secrets. A secret is
 * derived on demand from INSTANT_SECRET_KEY and the day id and is never stored, logged or sent anywhere
 * before the day is published (the publication writes it into the day bundle and the day's row). Deriving
 * rather than drawing and storing it means no table, backup or staff screen holds an unrevealed secret, and
 * every worker of the fleet computes the same one without sharing state.
 */
@Injectable()
export class InstantSecrets {
  private readonly key: string | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = config.INSTANT_SECRET_KEY;
  }

  get available(): boolean {
    return this.key !== undefined;
  }

  secretOf(dayId: string): string {
    if (!this.key) throw new InstantSecretKeyMissing();
    return deriveInstantDaySecret(this.key, dayId);
  }
}
