import { Logger } from '@nestjs/common';
import { IdentityVerifier, type IdentityClaim, type IdentityVerdict } from './identity-verifier.js';

/**
 * Development and demo only (production refuses IDENTITY_VERIFIER=local at start-up): answers `match` for
 * every claim that reached it (the caller has already checked the ID number's checksum and age), because no
 * register is reachable here. It therefore proves nothing about a person, which is why it must never run
 * where real prizes are paid.
 */
export class LocalIdentityVerifier extends IdentityVerifier {
  readonly method = 'local';
  private readonly logger = new Logger('LocalIdentityVerifier');
  private warned = false;

  async verify(_claim: IdentityClaim): Promise<IdentityVerdict> {
    if (!this.warned) {
      this.warned = true;
      this.logger.warn('IDENTITY_VERIFIER=local: identities are accepted without a register check (development only)');
    }
    return 'match';
  }
}
