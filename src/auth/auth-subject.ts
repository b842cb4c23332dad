export type StaffRole = 'admin' | 'operator' | 'auditor';
export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'operator', 'auditor'];

/** Who a request acts for, set on the request by the guards. */
export type AuthSubject =
  | { kind: 'staff'; id: number; username: string; roles: StaffRole[] }
  | { kind: 'consumer'; id: number }
  | { kind: 'registry' };
