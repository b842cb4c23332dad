// The consumer API as the app calls it, typed from the OpenAPI document: `npm run build` writes
// src/web-shared/api-types.d.ts with openapi-typescript, then type-checks this file against it
// (tsconfig.web.json), so a route, a request field or a response type that changes in the API fails the
// build instead of drifting from the page. main.js calls only these functions.
import { api } from '../../web-shared/api-client.js';
import type { components, paths } from '../../web-shared/api-types.js';

type Schemas = components['schemas'];
type JsonBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } }
    ? B
    : never;
/** The 2xx JSON answer of an operation, as documented. */
type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? { [S in keyof R]: S extends 200 | 201 ? (R[S] extends { content: { 'application/json': infer T } } ? T : never) : never }[keyof R]
  : never;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A documented path with its {params} filled in. */
function route<P extends keyof paths>(path: P, params: Record<string, string | number> = {}): string {
  return (path as string).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
}
function call<P extends keyof paths, M extends Method & keyof paths[P]>(
  path: P,
  method: M,
  options: { params?: Record<string, string | number>; query?: Record<string, string | number>; body?: JsonBody<P, M>; idempotencyKey?: string } = {},
): Promise<Answer<P, M>> {
  const query = options.query ? `?${new URLSearchParams(Object.entries(options.query).map(([k, v]) => [k, String(v)]))}` : '';
  const headers: Record<string, string> = options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {};
  return api(route(path, options.params) + query, { method: method.toUpperCase(), body: options.body, headers });
}

export type ConsumerSession = Schemas['ConsumerSessionDto'];
export type Profile = Schemas['ConsumerProfileDto'];
export type InvoiceView = Schemas['InvoiceViewDto'];
export type Prize = Schemas['PrizeViewDto'];
export type Notice = Schemas['NotificationViewDto'];

export const consumerApi = {
  session: () => call('/api/v1/auth/session', 'get'),
  signIn: (body: JsonBody<'/api/v1/auth/session', 'post'>) => call('/api/v1/auth/session', 'post', { body }),
  signOut: () => call('/api/v1/auth/session', 'delete'),
  requestCode: (body: JsonBody<'/api/v1/auth/otp', 'post'>) => call('/api/v1/auth/otp', 'post', { body }),
  me: () => call('/api/v1/me', 'get'),
  setAutoEntry: (autoEntry: boolean) => call('/api/v1/me', 'patch', { body: { autoEntry } }),
  bindIdentity: (body: JsonBody<'/api/v1/me/identity', 'put'>) => call('/api/v1/me/identity', 'put', { body }),
  register: (body: JsonBody<'/api/v1/invoices', 'post'>, idempotencyKey: string) => call('/api/v1/invoices', 'post', { body, idempotencyKey }),
  invoices: (page: number, pageSize: number) => call('/api/v1/invoices', 'get', { query: { page, pageSize } }),
  prizes: () => call('/api/v1/me/prizes', 'get'),
  claim: (id: number, body: JsonBody<'/api/v1/me/prizes/{id}/claim', 'post'>, idempotencyKey: string) =>
    call('/api/v1/me/prizes/{id}/claim', 'post', { params: { id }, body, idempotencyKey }),
  notices: (page: number, pageSize: number) => call('/api/v1/me/notifications', 'get', { query: { page, pageSize } }),
  markRead: (id: number) => call('/api/v1/me/notifications/{id}/read', 'post', { params: { id } }),
  markAllRead: () => call('/api/v1/me/notifications/read-all', 'post'),
};
