import { DomainError } from '../core/errors/domain-error.js';

/** What a consumer asks to have checked: the three elements of 运营商三要素 (name, ID number, the phone's registered owner). */
export interface IdentityClaim {
  realName: string;
  /** Normalized 18-character resident ID number (checksum already valid). */
  idNumber: string;
  /** The account's own 11-digit mainland mobile number (from its sign-in), never one the client sends. */
  phone: string;
}

/**
 * The register's answer: the three elements belong together (`match`), the ID number exists but the name or
 * the phone's owner differs (`mismatch`), or the register does not know the ID number (`not_found`).
 * A provider that cannot answer is not a verdict: verify() throws identityProviderUnavailable() instead.
 */
export type IdentityVerdict = 'match' | 'mismatch' | 'not_found';

/** How one call to a provider ended, as reported to IdentityVerifier.report (logs now, metrics later). */
export type ProviderCallOutcome = IdentityVerdict | 'error' | 'timeout' | 'circuit_open';

/**
 * The port of real-name verification (三要素核验). Chosen by configuration (IDENTITY_VERIFIER): the HTTP
 * adapter for a verification provider, or the local verifier for development and the demo. Implementations
 * keep no personal data and never log it.
 */
export abstract class IdentityVerifier {
  /** Which implementation this is, stored with each verified identity ('http', 'local'). */
  abstract readonly method: string;

  /** Asks the register. Read-only at the provider; safe to repeat (providers charge per call, so callers limit it). */
  abstract verify(claim: IdentityClaim): Promise<IdentityVerdict>;
}

/** 503 IDENTITY_PROVIDER_UNAVAILABLE: the provider timed out, failed, answered garbage, or its circuit is open. */
export function identityProviderUnavailable(): DomainError {
  return DomainError.unavailable(
    'IDENTITY_PROVIDER_UNAVAILABLE',
    'The identity verification service is unavailable; nothing was changed, try again in a few minutes',
  );
}
