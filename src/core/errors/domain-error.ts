/**
 * The one error type services throw for anything a client did or asked for that cannot be done.
 * ApiExceptionFilter turns it into `{ statusCode, code, message }`; `code` is a stable UPPER_SNAKE reason.
 */
export class DomainError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static badRequest(code: string, message: string, details?: Record<string, unknown>) {
    return new DomainError(400, code, message, details);
  }
  static unauthorized(code = 'UNAUTHORIZED', message = 'Authentication required') {
    return new DomainError(401, code, message);
  }
  static forbidden(code = 'FORBIDDEN', message = 'Not allowed') {
    return new DomainError(403, code, message);
  }
  static notFound(code: string, message: string) {
    return new DomainError(404, code, message);
  }
  static conflict(code: string, message: string, details?: Record<string, unknown>) {
    return new DomainError(409, code, message, details);
  }
  static unprocessable(code: string, message: string, details?: Record<string, unknown>) {
    return new DomainError(422, code, message, details);
  }
  static tooManyRequests(code: string, message: string, retryAfterSeconds?: number) {
    return new DomainError(429, code, message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
  }
  static unavailable(code = 'SERVICE_UNAVAILABLE', message = 'A backing service is unavailable; try again shortly') {
    return new DomainError(503, code, message);
  }
}
