export type StaffRole = 'admin' | 'operator' | 'auditor';
export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'operator', 'auditor'];

/** Who a request acts for, set on the request by the guards. */
export type AuthSubject =
  /** `roles` are the account's current roles once StaffGuard has re-checked it; `issuedAt`: the token's iat (seconds). */
  | { kind: 'staff'; id: number; username: string; roles: StaffRole[]; issuedAt?: number }
  | { kind: 'consumer'; id: number }
  | { kind: 'registry' };
