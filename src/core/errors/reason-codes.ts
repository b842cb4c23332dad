/**
 * Every reason code the API answers with, and its HTTP status: the vocabulary of the one error shape
 * (`{statusCode, code, message}`), used by @ApiErrors to document each operation's refusals and checked by
 * test/unit/openapi-completeness.spec.ts. A new code is added here and in README.
 */
export const REASON_CODES = {
  // 400
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  QR_MALFORMED: 400,
  SEARCH_QUERY_INVALID: 400,
  IDEMPOTENCY_KEY_INVALID: 400,
  /** A request the HTTP parser could not read (the connection is closed). */
  BAD_REQUEST: 400,
  /** The URL itself is malformed (bad percent-encoding), answered before routing (src/app/http-hardening.ts). */
  BAD_URL: 400,
  // 401
  AUTH_REQUIRED: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  SESSION_REQUIRED: 401,
  SESSION_EXPIRED: 401,
  REGISTRY_KEY_INVALID: 401,
  INVALID_CREDENTIALS: 401,
  /** 401 on a request of a deactivated account's token or session; 403 at sign-in with the right password. */
  STAFF_ACCOUNT_DISABLED: [401, 403],
  OTP_INVALID: 401,
  OTP_EXPIRED: 401,
  OTP_LOCKED: 401,
  // 403
  CONSUMER_ONLY: 403,
  STAFF_ONLY: 403,
  ROLE_REQUIRED: 403,
  CSRF_ORIGIN_MISMATCH: 403,
  CSRF_TOKEN_INVALID: 403,
  SELF_APPROVAL_FORBIDDEN: 403,
  // 404
  NOT_FOUND: 404,
  CAMPAIGN_NOT_FOUND: 404,
  INSTANT_DAY_NOT_FOUND: 404,
  PERIOD_NOT_FOUND: 404,
  DRAW_NOT_FOUND: 404,
  DRAW_REQUEST_NOT_FOUND: 404,
  INVOICE_NOT_FOUND: 404,
  PRIZE_NOT_FOUND: 404,
  NOTIFICATION_NOT_FOUND: 404,
  STAFF_NOT_FOUND: 404,
  CONSUMER_NOT_FOUND: 404,
  IMPORT_NOT_FOUND: 404,
  // 409
  INVOICE_ALREADY_REGISTERED: 409,
  IDENTITY_ALREADY_VERIFIED: 409,
  DRAW_NOT_FROZEN: 409,
  DRAW_NOT_PUBLISHED: 409,
  DRAW_NOT_FAILED: 409,
  DRAW_IN_PROGRESS: 409,
  DRAW_ALREADY_APPROVED: 409,
  DRAW_REQUEST_ALREADY_DECIDED: 409,
  PRIZE_ALREADY_CLAIMED: 409,
  PRIZE_CLAIM_CLOSED: 409,
  PRIZE_CLAIM_CONFLICT: 409,
  PRIZE_FORFEITED: 409,
  PRIZE_REVOKED: 409,
  PRIZE_NOT_YET_PAYABLE: 409,
  INSTANT_DAY_NOT_PUBLISHED: 409,
  STAFF_USERNAME_TAKEN: 409,
  STAFF_SELF_DEMOTION: 409,
  STAFF_SELF_DEACTIVATION: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  // 408, 413, 414, 415, 416, 431 (transport-level refusals are answered before routing: src/app/http-hardening.ts)
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  FILE_TOO_LARGE: 413,
  FILE_UNPACKED_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  FILE_TYPE_UNSUPPORTED: 415,
  RANGE_NOT_SATISFIABLE: 416,
  HEADERS_TOO_LARGE: 431,
  // 422
  INELIGIBLE_TYPE: 422,
  CHECK_CODE_REQUIRED: 422,
  OUTSIDE_REGION: 422,
  ISSUE_DATE_IN_FUTURE: 422,
  OUTSIDE_CAMPAIGN: 422,
  REGISTRATION_TOO_LATE: 422,
  AMOUNT_TOO_SMALL: 422,
  IDENTITY_REQUIRED: 422,
  PERIOD_CLOSED: 422,
  DAILY_LIMIT_REACHED: 422,
  MONTHLY_LIMIT_REACHED: 422,
  CAMPAIGN_LIMIT_REACHED: 422,
  INVOICE_MISMATCH: 422,
  INVOICE_EXCLUDED: 422,
  ID_NUMBER_INVALID: 422,
  ID_NUMBER_UNDERAGE: 422,
  IDENTITY_NOT_VERIFIED: 422,
  CLAIMANT_NAME_MISMATCH: 422,
  CLAIMANT_IDENTITY_MISMATCH: 422,
  // e-invoice files (src/invoices/files/file-limits.ts)
  FILE_TOO_MANY_PAGES: 422,
  FILE_UNREADABLE: 422,
  FILE_NOT_AN_INVOICE: 422,
  FILE_QR_TEXT_MISMATCH: 422,
  FILE_READ_TIMEOUT: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  // 429
  RATE_LIMITED: 429,
  // 503
  SERVICE_UNAVAILABLE: 503,
  IDENTITY_PROVIDER_UNAVAILABLE: 503,
} as const satisfies Record<string, number | readonly number[]>;

export type ReasonCode = keyof typeof REASON_CODES;
/** The HTTP statuses a code is answered with (most have one). */
export const statusesOf = (code: ReasonCode): readonly number[] => {
  const status: number | readonly number[] = REASON_CODES[code];
  return typeof status === 'number' ? [status] : status;
};
export const isReasonCode = (code: string): code is ReasonCode => Object.hasOwn(REASON_CODES, code);
