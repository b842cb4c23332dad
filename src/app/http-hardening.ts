import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import helmet from 'helmet';
import type { ApiErrorBody } from '../core/errors/api-exception.filter.js';

/**
 * The security headers of every response (helmet, built once: @fastify/helmet builds a new helmet
 * middleware, and re-parses the CSP directives, on every request, ~3% of the API's CPU under load).
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // The in-browser verifier runs in a Web Worker loaded from our own origin.
      workerSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      // Plain-HTTP deployments behind a TLS proxy, and local runs, must not have requests rewritten to https.
      upgradeInsecureRequests: null,
    },
  },
});

/** The headers `securityHeaders` sets, as name/value pairs, for responses written straight to a socket. */
export const securityHeaderList: ReadonlyArray<readonly [string, string]> = (() => {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string | string[]) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  };
  securityHeaders({ headers: {} } as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return [...headers.entries()];
})();

/** Router-level failures, before any route or hook runs: our reason code and a message that never echoes the URL. */
const ROUTER_ERRORS: Record<string, { statusCode: number; code: string; message: string }> = {
  FST_ERR_BAD_URL: { statusCode: 400, code: 'BAD_URL', message: 'The request URL is not valid (bad percent-encoding)' },
  FST_ERR_MAX_PARAM_LENGTH: { statusCode: 414, code: 'URI_TOO_LONG', message: 'A path segment of the request URL is too long' },
};

/**
 * Fastify's `frameworkErrors`: a malformed percent-encoding (400) or an over-long path parameter (414) is
 * answered by the router before any hook runs, so the security headers and the one error shape are
 * applied here.
 */
export function frameworkErrors(error: { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const known = ROUTER_ERRORS[error.code ?? ''];
  const body: ApiErrorBody = known ?? { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal error' };
  for (const [name, value] of securityHeaderList) void reply.header(name, value);
  void reply.status(body.statusCode).header('Cache-Control', 'no-store').header('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

/** Node's HTTP parser errors that reach `clientErrorHandler`, with our status and reason code. */
const CLIENT_ERRORS: Record<string, { statusCode: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { statusCode: 408, code: 'REQUEST_TIMEOUT', message: 'The request was not received in time' },
};

/**
 * Fastify's `clientErrorHandler`: the request could not even be parsed (headers too large, a malformed
 * request line, a timeout), so the answer is written to the socket directly, with the security headers and
 * the one error shape, and the connection is closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''];
  const body: ApiErrorBody = known ?? { statusCode: 400, code: 'BAD_REQUEST', message: 'The request could not be parsed' };
  const json = JSON.stringify(body);
  if (socket.writable) {
    const head = [
      `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(json)}`,
      'Cache-Control: no-store',
      'Connection: close',
      ...securityHeaderList.map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${head.join('\r\n')}\r\n\r\n${json}`);
  }
  socket.destroy(error);
}
