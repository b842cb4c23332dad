import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { HttpIdentityVerifier } from './http-identity-verifier.js';
import { IdentityVerifier } from './identity-verifier.js';
import { LocalIdentityVerifier } from './local-identity-verifier.js';

/** The identity verification port, bound to the implementation IDENTITY_VERIFIER names. */
@Global()
@Module({
  providers: [
    {
      provide: IdentityVerifier,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): IdentityVerifier =>
        config.IDENTITY_VERIFIER === 'http'
          ? new HttpIdentityVerifier({
              baseUrl: config.IDENTITY_PROVIDER_URL!,
              apiKey: config.IDENTITY_PROVIDER_KEY!,
              timeoutMs: config.IDENTITY_PROVIDER_TIMEOUT_MS,
              retries: config.IDENTITY_PROVIDER_RETRIES,
              breakerFailures: config.IDENTITY_PROVIDER_BREAKER_FAILURES,
              breakerCooldownMs: config.IDENTITY_PROVIDER_BREAKER_COOLDOWN_MS,
            })
          : new LocalIdentityVerifier(),
    },
  ],
  exports: [IdentityVerifier],
})
export class IdentityModule {}
