/**
 * The access matrix: every route the API process serves (Nest controllers, the OpenAPI UI, the public page
 * and Bull Board) against every kind of caller, each cell with the exact status (and reason code) it must
 * get. The list of routes is checked for completeness twice: against the OpenAPI document at
 * /api/docs-json and against Fastify's own route table, so a new route without a row here fails the test.
 *
 * Callers: anonymous, consumers A and B, the bootstrap admin, an operator, an auditor, a staff account with
 * both the operator and the auditor role, and the registry API key. Every cell hits a real target:
 * consumer A owns a verified invoice, a prize of the published July draw and its notice; B owns its own
 * invoice, prize and notice and none of A's. Draws: July published (A's and B's prizes), August and
 * September frozen (one approval each), October frozen (draw requests, rejections, self-approval),
 * November failed (retries).
 *
 * A cell's expectation is "<status>" or "<status> <CODE>". "Allowed" is a 2xx; where a row's allowed answer
 * is a redirect or a domain 4xx, the row says why that proves the guard let the caller through.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import { readdirSync } from 'node:fs';
import { JwtService } from '@nestjs/jwt';
import type { DataSource } from 'typeorm';
import type { StaffRole } from '../../src/auth/auth-subject.js';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { makeResidentId } from '../../src/consumers/domain/resident-id.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { invoiceRef } from '../../src/draws/algorithm/index.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { Invoice } from '../../src/invoices/invoice.entity.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, TEST_ADMIN, TEST_OTP, TEST_REGISTRY_KEY, type TestApi } from '../support/test-env.js';
import { registryRecord, uniqueBase } from './support.js';

const T0 = '2022-12-10T12:00:00+08:00';
const CAMPAIGN = 'henan-2022';
const JULY = `${CAMPAIGN}-2022-07`;
const AUGUST = `${CAMPAIGN}-2022-08`;
const SEPTEMBER = `${CAMPAIGN}-2022-09`;
const OCTOBER = `${CAMPAIGN}-2022-10`;
const NOVEMBER = `${CAMPAIGN}-2022-11`;
/** A queue, job, scheduler that do not exist: Bull Board's mutating routes must never touch a real queue here. */
const NO_QUEUE = 'no-such-queue';
const NO_JOB = 'no-such-job';

const CALLERS = ['anonymous', 'consumerA', 'consumerB', 'admin', 'operator', 'auditor', 'operatorAuditor', 'registry'] as const;
type Caller = (typeof CALLERS)[number];
type StaffCaller = 'admin' | 'operator' | 'auditor' | 'operatorAuditor';
const STAFF_ROLES: Record<StaffCaller, StaffRole[]> = {
  admin: ['admin'],
  operator: ['operator'],
  auditor: ['auditor'],
  operatorAuditor: ['operator', 'auditor'],
};
const isStaff = (c: Caller): c is StaffCaller => c in STAFF_ROLES;

// ---------------------------------------------------------------------------------------------------------
// HTTP: every response is recorded for the security-header check.

interface Res {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}
interface Sent {
  method: string;
  path: string;
  status: number;
  headers: Headers;
}
const sent: Sent[] = [];

interface Req {
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

const clock = new ManualClock(T0);
let api: TestApi;

async function send(method: string, req: Req, authorization?: string): Promise<Res> {
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (authorization) headers.authorization = authorization;
  let body: string | undefined;
  if (req.raw !== undefined) body = req.raw;
  else if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(api.baseUrl + req.path, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  sent.push({ method, path: req.path, status: response.status, headers: response.headers });
  return { status: response.status, text, body: parsed, headers: response.headers };
}

const tokens = {} as Record<Exclude<Caller, 'anonymous'>, string>;
const authOf = (caller: Caller): string | undefined => (caller === 'anonymous' ? undefined : `Bearer ${tokens[caller]}`);
const as = (caller: Caller, method: string, req: Req) => send(method, req, authOf(caller));

/** "<status>" or "<status> <CODE>" (the code of an error body), plus a flag when the security headers are missing. */
function outcome(res: Res): string {
  const code = res.status >= 400 && res.body && typeof res.body === 'object' && typeof res.body.code === 'string' ? ` ${res.body.code}` : '';
  return `${res.status}${code}${securityHeadersOk(res.headers) ? '' : ' [no security headers]'}`;
}
/** The name `npm run build` gave a lazily loaded chunk of a front end (dist/web/<front end>/chunks/<name>-<HASH>.js). */
function builtChunk(frontEnd: string, name: string): string {
  const file = readdirSync(`dist/web/${frontEnd}/chunks`).find((f) => new RegExp(`^${name}-[A-Z0-9]{8}\\.js$`).test(f));
  if (!file) throw new Error(`no ${name} chunk in dist/web/${frontEnd}/chunks: run npm run build`);
  return file;
}

function securityHeadersOk(headers: Headers): boolean {
  return headers.get('x-content-type-options') === 'nosniff' && /default-src 'self'/.test(headers.get('content-security-policy') ?? '');
}

// ---------------------------------------------------------------------------------------------------------
// The data every row points at (filled in beforeAll).

const ctx = {
  staff: {} as Record<StaffCaller, { id: number; username: string; password: string }>,
  consumers: {} as Record<'consumerA' | 'consumerB', { id: number; realName: string; idNumber: string }>,
  invoiceA: 0,
  invoiceB: 0,
  invoiceACode: { invoiceCode: '', invoiceNumber: '' },
  prizeA: 0,
  prizeB: 0,
  noticeA: 0,
  noticeB: 0,
  /** A staff account the admin rows act on (roles set to what they are, password reset, unlocked). */
  staffTarget: 0,
};
let seq = uniqueBase();
const fresh = () => ++seq;

/** A fresh pending draw request by the operator on a frozen draw: what approve and reject act on. */
async function operatorRequest(drawId: string): Promise<number> {
  const res = await as('operator', 'POST', { path: `/api/v1/admin/draws/${drawId}/draw-requests`, body: {} });
  if (res.status !== 201) throw new Error(`draw request on ${drawId} failed: ${res.status} ${res.text}`);
  return res.body.id;
}

// ---------------------------------------------------------------------------------------------------------
// Expectations

type Expectations = Record<Caller, string>;
type Access = 'public' | 'consumer' | 'registry' | 'staff' | 'board';

const everyone = (e: string): Expectations => Object.fromEntries(CALLERS.map((c) => [c, e])) as Expectations;

/** Consumer routes: staff tokens are 403 CONSUMER_ONLY, the registry key is no token at all (401). */
function consumerOnly(a: string, b = a): Expectations {
  return {
    anonymous: '401 AUTH_REQUIRED',
    consumerA: a,
    consumerB: b,
    admin: '403 CONSUMER_ONLY',
    operator: '403 CONSUMER_ONLY',
    auditor: '403 CONSUMER_ONLY',
    operatorAuditor: '403 CONSUMER_ONLY',
    registry: '401 TOKEN_INVALID',
  };
}

/** Staff routes (StaffOnly(...roles)): a staff token with none of the roles is 403 ROLE_REQUIRED. */
function staffOnly(roles: StaffRole[], allowed: string | Partial<Record<StaffCaller, string>>): Expectations {
  const staff = (c: StaffCaller) => {
    if (!STAFF_ROLES[c].some((r) => roles.includes(r))) return '403 ROLE_REQUIRED';
    return typeof allowed === 'string' ? allowed : (allowed[c] ?? '???');
  };
  return {
    anonymous: '401 AUTH_REQUIRED',
    consumerA: '403 STAFF_ONLY',
    consumerB: '403 STAFF_ONLY',
    admin: staff('admin'),
    operator: staff('operator'),
    auditor: staff('auditor'),
    operatorAuditor: staff('operatorAuditor'),
    registry: '401 TOKEN_INVALID',
  };
}

/** The registry feed: only the registry key; any other bearer token is an invalid key (401). */
function registryOnly(allowed: string): Expectations {
  return { ...everyone('401 REGISTRY_KEY_INVALID'), anonymous: '401 AUTH_REQUIRED', registry: allowed };
}

/** Bull Board: staff with the operator or admin role (it can retry, clean and remove jobs). */
function board(allowed: string): Expectations {
  return {
    anonymous: '401 AUTH_REQUIRED',
    consumerA: '403 STAFF_ONLY',
    consumerB: '403 STAFF_ONLY',
    admin: allowed,
    operator: allowed,
    auditor: '403 ROLE_REQUIRED',
    operatorAuditor: allowed,
    registry: '401 TOKEN_INVALID',
  };
}

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as Fastify has it (`:param`, `*`). */
  route: string;
  access: Access;
  expect: Expectations;
  /** Why an allowed cell that is not a plain 2xx (a redirect, a domain 4xx) proves the guard let the caller through. */
  note?: string;
  /** The request of one cell; may set up its own target first. */
  request: (caller: Caller) => Req | Promise<Req>;
  /** Further checks of an answered cell (ownership: what one consumer's list must and must not hold). */
  check?: (caller: Caller, res: Res) => void;
}

const ids = (res: Res): number[] => (res.body?.items ?? []).map((i: { id: number }) => i.id);
/** Consumer A sees its own item and never B's; B sees its own and never A's. */
const ownOnly = (key: 'invoice' | 'prize' | 'notice') => (caller: Caller, res: Res) => {
  if (caller !== 'consumerA' && caller !== 'consumerB') return;
  const mine = ctx[`${key}${caller === 'consumerA' ? 'A' : 'B'}`];
  const theirs = ctx[`${key}${caller === 'consumerA' ? 'B' : 'A'}`];
  expect({ caller, sees: ids(res).includes(mine), seesOthers: ids(res).includes(theirs) }).toEqual({ caller, sees: true, seesOthers: false });
};
const identityOf = (caller: Caller) => {
  const c = ctx.consumers[caller === 'consumerB' ? 'consumerB' : 'consumerA'];
  return { realName: c.realName, idNumber: c.idNumber };
};
const boardLogin = (username: string, password: string): Req => ({
  path: '/admin/queues/login',
  raw: new URLSearchParams({ username, password }).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
/** Every call of the board that could change a job or queue, for every role. */
const READ_ONLY = '403 QUEUE_BOARD_READ_ONLY';
const q = `/admin/queues/api/queues/${NO_QUEUE}`;
const job = `${q}/${NO_JOB}`;

const ROWS: Row[] = [
  // ---- health, documentation, public page ------------------------------------------------------------
  { method: 'GET', route: '/health/live', access: 'public', expect: everyone('200'), request: () => ({ path: '/health/live' }) },
  { method: 'GET', route: '/health/ready', access: 'public', expect: everyone('200'), request: () => ({ path: '/health/ready' }) },
  { method: 'GET', route: '/api/docs', access: 'public', expect: everyone('200'), request: () => ({ path: '/api/docs' }) },
  { method: 'GET', route: '/api/docs/', access: 'public', expect: everyone('200'), request: () => ({ path: '/api/docs/' }) },
  { method: 'GET', route: '/api/docs/index.html', access: 'public', expect: everyone('200'), request: () => ({ path: '/api/docs/index.html' }) },
  { method: 'GET', route: '/api/docs/swagger-ui-init.js', access: 'public', expect: everyone('200'), request: () => ({ path: '/api/docs/swagger-ui-init.js' }) },
  {
    method: 'GET',
    route: '/api/docs/docs/swagger-ui-init.js',
    access: 'public',
    expect: everyone('200'),
    request: () => ({ path: '/api/docs/docs/swagger-ui-init.js' }),
  },
  {
    method: 'GET',
    route: '/api/docs/LICENSE',
    access: 'public',
    expect: everyone('404'),
    note: '@nestjs/swagger registers this route only to refuse it (NotFoundException) for everyone',
    request: () => ({ path: '/api/docs/LICENSE' }),
  },
  { method: 'GET', route: '/api/docs/*', access: 'public', expect: everyone('200'), request: () => ({ path: '/api/docs/swagger-ui.css' }) },
  { method: 'GET', route: '/api/docs-json', access: 'public', expect: everyone('200'), request: () => ({ path: '/api/docs-json' }) },
  { method: 'GET', route: '/api/docs-yaml', access: 'public', expect: everyone('200'), request: () => ({ path: '/api/docs-yaml' }) },
  { method: 'GET', route: '/', access: 'public', expect: everyone('200'), request: () => ({ path: '/' }) },
  { method: 'GET', route: '/app.js', access: 'public', expect: everyone('200'), request: () => ({ path: '/app.js' }) },
  { method: 'GET', route: '/app.css', access: 'public', expect: everyone('200'), request: () => ({ path: '/app.css' }) },
  { method: 'GET', route: '/chunks/:file', access: 'public', expect: everyone('200'), request: () => ({ path: `/chunks/${builtChunk('public', 'fairness-chart')}` }) },
  { method: 'GET', route: '/draws/:id', access: 'public', expect: everyone('200'), request: () => ({ path: `/draws/${JULY}` }) },
  { method: 'GET', route: '/verify.js', access: 'public', expect: everyone('200'), request: () => ({ path: '/verify.js' }) },
  { method: 'GET', route: '/verify-worker.js', access: 'public', expect: everyone('200'), request: () => ({ path: '/verify-worker.js' }) },
  {
    method: 'GET',
    route: '/console',
    access: 'public',
    expect: everyone('200'),
    note: 'the console page holds no data; everything it shows comes from the staff routes below',
    request: () => ({ path: '/console' }),
  },
  { method: 'GET', route: '/console/:file', access: 'public', expect: everyone('200'), request: () => ({ path: '/console/app.js' }) },
  { method: 'GET', route: '/console/', access: 'public', expect: everyone('301'), note: 'to /console, the one URL of the page', request: () => ({ path: '/console/' }) },
  {
    method: 'GET',
    route: '/console/chunks/:file',
    access: 'public',
    expect: everyone('200'),
    request: () => ({ path: `/console/chunks/${builtChunk('console', 'charts')}` }),
  },

  // ---- consumer sign-in ------------------------------------------------------------------------------
  {
    method: 'POST',
    route: '/api/v1/auth/otp',
    access: 'public',
    expect: everyone('202'),
    request: () => ({ path: '/api/v1/auth/otp', body: { phone: `137${String(fresh()).padStart(8, '0')}` } }),
  },
  {
    method: 'POST',
    route: '/api/v1/auth/login',
    access: 'public',
    expect: everyone('200'),
    request: async () => {
      const phone = `136${String(fresh()).padStart(8, '0')}`;
      const otp = await send('POST', { path: '/api/v1/auth/otp', body: { phone } });
      if (otp.status !== 202) throw new Error(`otp: ${otp.status} ${otp.text}`);
      return { path: '/api/v1/auth/login', body: { phone, code: TEST_OTP } };
    },
  },

  {
    method: 'POST',
    route: '/api/v1/auth/session',
    access: 'public',
    expect: everyone('200'),
    note: "the consumer web app's sign-in: sets the HttpOnly session cookie (cookie sessions: 'consumer cookie session' below)",
    request: async () => {
      const phone = `135${String(fresh()).padStart(8, '0')}`;
      const otp = await send('POST', { path: '/api/v1/auth/otp', body: { phone } });
      if (otp.status !== 202) throw new Error(`otp: ${otp.status} ${otp.text}`);
      return { path: '/api/v1/auth/session', body: { phone, code: TEST_OTP } };
    },
  },
  {
    method: 'GET',
    route: '/api/v1/auth/session',
    access: 'public',
    expect: everyone('401 SESSION_REQUIRED'),
    note: 'a bearer token is no session: only the consumer session cookie opens it (below)',
    request: () => ({ path: '/api/v1/auth/session' }),
  },
  { method: 'DELETE', route: '/api/v1/auth/session', access: 'public', expect: everyone('204'), note: 'sign-out is idempotent', request: () => ({ path: '/api/v1/auth/session' }) },

  // ---- the consumer web app's page (its data comes from the consumer routes) -------------------------
  { method: 'GET', route: '/app', access: 'public', expect: everyone('200'), request: () => ({ path: '/app' }) },
  { method: 'GET', route: '/app/:file', access: 'public', expect: everyone('200'), request: () => ({ path: '/app/app.js' }) },
  { method: 'GET', route: '/app/', access: 'public', expect: everyone('301'), note: 'to /app, the one URL of the page', request: () => ({ path: '/app/' }) },

  // ---- the consumer's own account --------------------------------------------------------------------
  { method: 'GET', route: '/api/v1/me', access: 'consumer', expect: consumerOnly('200'), request: () => ({ path: '/api/v1/me' }) },
  {
    method: 'PATCH',
    route: '/api/v1/me',
    access: 'consumer',
    expect: consumerOnly('200'),
    note: 'each consumer opts out of automatic entry on its own account',
    request: () => ({ path: '/api/v1/me', body: { autoEntry: false } }),
  },
  {
    method: 'PUT',
    route: '/api/v1/me/identity',
    access: 'consumer',
    expect: consumerOnly('200'),
    note: 'each consumer re-binds its own identity: idempotent 200',
    request: (caller) => ({ path: '/api/v1/me/identity', body: identityOf(caller) }),
  },
  {
    method: 'POST',
    route: '/api/v1/invoices',
    access: 'consumer',
    expect: consumerOnly('201'),
    note: 'a fresh December invoice without a registry record yet: 201 pending',
    request: () => ({
      path: '/api/v1/invoices',
      body: { invoiceType: '10', ...henanInvoice(), issueDate: '2022-12-08', amount: '113.00', checkCode: '567890' },
    }),
    check: (caller, res) => {
      if (res.status === 201) expect(res.body.status).toBe('pending');
    },
  },
  {
    method: 'GET',
    route: '/api/v1/invoices',
    access: 'consumer',
    expect: consumerOnly('200'),
    request: () => ({ path: '/api/v1/invoices?pageSize=100' }),
    check: ownOnly('invoice'),
  },
  {
    method: 'GET',
    route: '/api/v1/invoices/:id',
    access: 'consumer',
    expect: consumerOnly('200', '404 INVOICE_NOT_FOUND'),
    note: "A's invoice: B gets 404, as for one that does not exist",
    request: () => ({ path: `/api/v1/invoices/${ctx.invoiceA}` }),
    check: (caller, res) => {
      if (caller === 'consumerA') expect(res.body.id).toBe(ctx.invoiceA);
    },
  },
  {
    method: 'GET',
    route: '/api/v1/me/notifications',
    access: 'consumer',
    expect: consumerOnly('200'),
    request: () => ({ path: '/api/v1/me/notifications?pageSize=100' }),
    check: ownOnly('notice'),
  },
  {
    method: 'POST',
    route: '/api/v1/me/notifications/:id/read',
    access: 'consumer',
    expect: consumerOnly('200', '404 NOTIFICATION_NOT_FOUND'),
    note: "A's prize-won notice",
    request: () => ({ path: `/api/v1/me/notifications/${ctx.noticeA}/read` }),
    check: (caller, res) => {
      if (caller === 'consumerA') expect(res.body).toMatchObject({ id: ctx.noticeA, readAt: expect.any(String) });
    },
  },
  {
    method: 'POST',
    route: '/api/v1/me/notifications/read-all',
    access: 'consumer',
    expect: consumerOnly('200'),
    request: () => ({ path: '/api/v1/me/notifications/read-all' }),
  },
  {
    method: 'GET',
    route: '/api/v1/me/prizes',
    access: 'consumer',
    expect: consumerOnly('200'),
    request: () => ({ path: '/api/v1/me/prizes' }),
    check: ownOnly('prize'),
  },
  {
    method: 'POST',
    route: '/api/v1/me/prizes/:id/claim',
    access: 'consumer',
    expect: consumerOnly('200', '404 PRIZE_NOT_FOUND'),
    note: "A's prize of the published July draw: A claims it, B gets 404 as for a missing prize",
    request: () => ({ path: `/api/v1/me/prizes/${ctx.prizeA}/claim`, body: { bankName: '中国工商银行', bankAccount: '6222021234567890123' } }),
    check: (caller, res) => {
      if (caller === 'consumerA') expect(res.body).toMatchObject({ id: ctx.prizeA, status: 'claimed' });
    },
  },

  // ---- the tax bureau's feed -------------------------------------------------------------------------
  {
    method: 'POST',
    route: '/api/v1/registry/invoices',
    access: 'registry',
    expect: registryOnly('200'),
    request: () => ({
      path: '/api/v1/registry/invoices',
      raw: `${JSON.stringify(registryRecord(fresh()))}\n`,
      headers: { 'content-type': 'application/x-ndjson' },
    }),
    check: (caller, res) => {
      if (caller === 'registry') expect(res.body).toMatchObject({ accepted: 1, rejectedCount: 0 });
    },
  },
  {
    method: 'POST',
    route: '/api/v1/registry/invoices/void',
    access: 'registry',
    expect: registryOnly('200'),
    note: 'an invoice with no record: 200 with it in notFound (nothing of A or B is voided)',
    request: () => ({ path: '/api/v1/registry/invoices/void', body: { invoices: [{ invoiceCode: '041012200999', invoiceNumber: '99999999', kind: 'voided' }] } }),
    check: (caller, res) => {
      if (caller === 'registry') expect(res.body).toMatchObject({ updated: 0, notFound: [{ invoiceCode: '041012200999', invoiceNumber: '99999999' }] });
    },
  },

  // ---- staff accounts --------------------------------------------------------------------------------
  {
    method: 'POST',
    route: '/api/v1/admin/auth/login',
    access: 'public',
    expect: everyone('200'),
    note: "the operator's password, sent with each caller's own Authorization header (ignored)",
    request: () => ({ path: '/api/v1/admin/auth/login', body: { username: ctx.staff.operator.username, password: ctx.staff.operator.password } }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/staff',
    access: 'staff',
    expect: staffOnly(['admin'], '201'),
    note: 'a new operator account with a fresh name per cell',
    request: () => ({ path: '/api/v1/admin/staff', body: { username: `matrix.new${fresh()}`, password: 'new-staff-password-1', roles: ['operator'] } }),
  },
  { method: 'GET', route: '/api/v1/admin/staff', access: 'staff', expect: staffOnly(['admin'], '200'), request: () => ({ path: '/api/v1/admin/staff' }) },
  {
    method: 'PATCH',
    route: '/api/v1/admin/staff/:id',
    access: 'staff',
    expect: staffOnly(['admin'], '200'),
    note: "the target account's roles set to what they are (unchanged)",
    request: () => ({ path: `/api/v1/admin/staff/${ctx.staffTarget}`, body: { roles: ['operator'], active: true } }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/staff/:id/password',
    access: 'staff',
    expect: staffOnly(['admin'], '204'),
    request: () => ({ path: `/api/v1/admin/staff/${ctx.staffTarget}/password`, body: { password: 'reset-staff-password-1' } }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/staff/:id/unlock',
    access: 'staff',
    expect: staffOnly(['admin'], '204'),
    request: () => ({ path: `/api/v1/admin/staff/${ctx.staffTarget}/unlock` }),
  },
  {
    method: 'GET',
    route: '/api/v1/admin/staff-audit-log',
    access: 'staff',
    expect: staffOnly(['admin'], '200'),
    request: () => ({ path: '/api/v1/admin/staff-audit-log' }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/auth/session',
    access: 'public',
    expect: everyone('200'),
    note: "the console's sign-in with the operator's password (each caller's Authorization header is ignored); sets the session cookie",
    request: () => ({ path: '/api/v1/admin/auth/session', body: { username: ctx.staff.operator.username, password: ctx.staff.operator.password } }),
  },
  {
    method: 'GET',
    route: '/api/v1/admin/auth/session',
    access: 'public',
    expect: everyone('401 SESSION_REQUIRED'),
    note: 'cookie sessions only: no bearer token opens it (the cookie cells are in "staff cookie sessions" below)',
    request: () => ({ path: '/api/v1/admin/auth/session' }),
  },
  {
    method: 'DELETE',
    route: '/api/v1/admin/auth/session',
    access: 'public',
    expect: everyone('204'),
    note: 'sign-out; without a session cookie there is nothing to end (idempotent)',
    request: () => ({ path: '/api/v1/admin/auth/session' }),
  },
  {
    method: 'GET',
    route: '/api/v1/admin/dashboard',
    access: 'staff',
    expect: staffOnly(['operator', 'auditor', 'admin'], '200'),
    request: () => ({ path: '/api/v1/admin/dashboard' }),
  },

  // ---- the feed, uploaded by staff (console) ---------------------------------------------------------
  {
    method: 'POST',
    route: '/api/v1/admin/registry/imports',
    access: 'staff',
    expect: staffOnly(['operator'], '200'),
    request: () => ({
      path: `/api/v1/admin/registry/imports?progressId=matrix-${fresh()}`,
      raw: `${JSON.stringify(registryRecord(fresh()))}\n`,
      headers: { 'content-type': 'application/x-ndjson' },
    }),
    check: (_caller, res) => {
      if (res.status === 200) expect(res.body).toMatchObject({ accepted: 1, rejectedCount: 0 });
    },
  },
  {
    method: 'GET',
    route: '/api/v1/admin/registry/imports/:progressId/progress',
    access: 'staff',
    expect: staffOnly(['operator'], '200'),
    note: "each operator's own upload, made with its token before the cell (someone else's is 404 IMPORT_NOT_FOUND, see below)",
    request: async (caller) => {
      const progressId = `matrix-progress-${fresh()}`;
      if (caller === 'operator' || caller === 'operatorAuditor') {
        const up = await as(caller, 'POST', {
          path: `/api/v1/admin/registry/imports?progressId=${progressId}`,
          raw: `${JSON.stringify(registryRecord(fresh()))}\n`,
          headers: { 'content-type': 'application/x-ndjson' },
        });
        if (up.status !== 200) throw new Error(`upload: ${up.status} ${up.text}`);
      }
      return { path: `/api/v1/admin/registry/imports/${progressId}/progress` };
    },
    check: (_caller, res) => {
      if (res.status === 200) expect(res.body).toMatchObject({ state: 'done', accepted: 1 });
    },
  },
  {
    method: 'GET',
    route: '/api/v1/admin/registry/imports',
    access: 'staff',
    expect: staffOnly(['operator', 'auditor'], '200'),
    request: () => ({ path: '/api/v1/admin/registry/imports' }),
  },

  // ---- draws (staff) ---------------------------------------------------------------------------------
  {
    method: 'GET',
    route: '/api/v1/admin/draws',
    access: 'staff',
    expect: staffOnly(['operator', 'auditor'], '200'),
    request: () => ({ path: '/api/v1/admin/draws' }),
  },
  {
    method: 'GET',
    route: '/api/v1/admin/draws/:id',
    access: 'staff',
    expect: staffOnly(['operator', 'auditor'], '200'),
    request: () => ({ path: `/api/v1/admin/draws/${JULY}` }),
  },
  {
    method: 'GET',
    route: '/api/v1/admin/draws/:id/audit-log',
    access: 'staff',
    expect: staffOnly(['operator', 'auditor'], '200'),
    request: () => ({ path: `/api/v1/admin/draws/${JULY}/audit-log` }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/draws/:id/retry',
    access: 'staff',
    expect: staffOnly(['operator'], '202'),
    note: 'November is marked failed (freeze) before each cell; a retry puts it back to scheduled',
    request: async () => {
      await api.app.get(DrawLifecycleService).markFailed(NOVEMBER, 'freeze', 'access matrix');
      return { path: `/api/v1/admin/draws/${NOVEMBER}/retry` };
    },
    check: (caller, res) => {
      if (res.status === 202) expect(res.body.status).toBe('scheduled');
    },
  },
  {
    method: 'GET',
    route: '/api/v1/admin/draws/:id/draw-requests',
    access: 'staff',
    expect: staffOnly(['operator', 'auditor'], '200'),
    request: () => ({ path: `/api/v1/admin/draws/${OCTOBER}/draw-requests` }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/draws/:id/draw-requests',
    access: 'staff',
    expect: staffOnly(['operator'], '201'),
    note: 'on the frozen October draw (a newer request supersedes the pending one)',
    request: () => ({ path: `/api/v1/admin/draws/${OCTOBER}/draw-requests`, body: {} }),
  },
  {
    method: 'POST',
    route: '/api/v1/admin/draws/:id/draw-requests/:rid/approve',
    access: 'staff',
    expect: staffOnly(['auditor'], '200'),
    note: "a fresh request by the operator before each cell: the auditor approves August's, the operator+auditor September's (neither is the requester)",
    request: async (caller) => {
      const drawId = caller === 'auditor' ? AUGUST : caller === 'operatorAuditor' ? SEPTEMBER : OCTOBER;
      const rid = await operatorRequest(drawId);
      return { path: `/api/v1/admin/draws/${drawId}/draw-requests/${rid}/approve` };
    },
    check: (caller, res) => {
      if (res.status === 200) expect(res.body).toMatchObject({ status: 'approved', decidedBy: { id: ctx.staff[caller as StaffCaller].id } });
    },
  },
  {
    method: 'POST',
    route: '/api/v1/admin/draws/:id/draw-requests/:rid/reject',
    access: 'staff',
    expect: staffOnly(['auditor', 'operator'], '200'),
    note: "a fresh request by the operator before each cell: auditors reject it, the operator withdraws its own (with a reason)",
    request: async () => {
      const rid = await operatorRequest(OCTOBER);
      return { path: `/api/v1/admin/draws/${OCTOBER}/draw-requests/${rid}/reject`, body: { reason: 'access matrix' } };
    },
    check: (caller, res) => {
      if (res.status === 200) expect(res.body).toMatchObject({ status: 'rejected', rejectionReason: 'access matrix' });
    },
  },
  {
    method: 'GET',
    route: '/api/v1/admin/draws/:id/payouts.csv',
    access: 'staff',
    expect: staffOnly(['operator'], '200'),
    request: () => ({ path: `/api/v1/admin/draws/${JULY}/payouts.csv` }),
  },

  // ---- the public API ----------------------------------------------------------------------------------
  { method: 'GET', route: '/api/v1/public/campaigns', access: 'public', expect: everyone('200'), request: () => ({ path: '/api/v1/public/campaigns' }) },
  {
    method: 'GET',
    route: '/api/v1/public/campaigns/:id/draws',
    access: 'public',
    expect: everyone('200'),
    request: () => ({ path: `/api/v1/public/campaigns/${CAMPAIGN}/draws` }),
  },
  { method: 'GET', route: '/api/v1/public/draws/:id', access: 'public', expect: everyone('200'), request: () => ({ path: `/api/v1/public/draws/${JULY}` }) },
  {
    method: 'GET',
    route: '/api/v1/public/draws/:id/winners',
    access: 'public',
    expect: everyone('200'),
    request: () => ({ path: `/api/v1/public/draws/${JULY}/winners` }),
  },
  { method: 'GET', route: '/api/v1/public/draws/:id/bands', access: 'public', expect: everyone('200'), request: () => ({ path: `/api/v1/public/draws/${JULY}/bands` }) },
  { method: 'GET', route: '/api/v1/public/draws/:id/audit', access: 'public', expect: everyone('200'), request: () => ({ path: `/api/v1/public/draws/${JULY}/audit` }) },
  {
    method: 'GET',
    route: '/api/v1/public/draws/:id/entries',
    access: 'public',
    expect: everyone('200'),
    request: () => ({ path: `/api/v1/public/draws/${JULY}/entries` }),
  },
  {
    method: 'GET',
    route: '/api/v1/public/check',
    access: 'public',
    expect: everyone('200'),
    request: () => ({ path: `/api/v1/public/check?${new URLSearchParams(ctx.invoiceACode)}` }),
  },
  { method: 'GET', route: '/api/v1/public/feed.atom', access: 'public', expect: everyone('200'), request: () => ({ path: '/api/v1/public/feed.atom' }) },

  // ---- Bull Board ----------------------------------------------------------------------------------------
  { method: 'GET', route: '/admin/queues', access: 'board', expect: board('200'), request: () => ({ path: '/admin/queues' }) },
  { method: 'GET', route: '/admin/queues/', access: 'board', expect: board('200'), request: () => ({ path: '/admin/queues/' }) },
  { method: 'GET', route: '/admin/queues/login', access: 'public', expect: everyone('200'), request: () => ({ path: '/admin/queues/login' }) },
  {
    method: 'POST',
    route: '/admin/queues/login',
    access: 'public',
    expect: everyone('303'),
    note: "the operator's password: 303 to the board with the session cookie",
    request: () => boardLogin(ctx.staff.operator.username, ctx.staff.operator.password),
  },
  {
    method: 'POST',
    route: '/admin/queues/logout',
    access: 'board',
    expect: board('303'),
    note: '303 to the login page, clearing the cookie',
    request: () => ({ path: '/admin/queues/logout' }),
  },
  { method: 'GET', route: '/admin/queues/*', access: 'board', expect: board('200'), request: () => ({ path: '/admin/queues/static/favicon.ico' }) },
  { method: 'GET', route: '/admin/queues/metrics-history', access: 'board', expect: board('200'), request: () => ({ path: '/admin/queues/metrics-history' }) },
  { method: 'GET', route: '/admin/queues/job-schedulers', access: 'board', expect: board('200'), request: () => ({ path: '/admin/queues/job-schedulers' }) },
  {
    method: 'GET',
    route: '/admin/queues/queue/:queueName',
    access: 'board',
    expect: board('200'),
    note: 'the UI page (the queue is looked up by the page script)',
    request: () => ({ path: `/admin/queues/queue/${NO_QUEUE}` }),
  },
  {
    method: 'GET',
    route: '/admin/queues/queue/:queueName/:jobId',
    access: 'board',
    expect: board('200'),
    request: () => ({ path: `/admin/queues/queue/${NO_QUEUE}/${NO_JOB}` }),
  },
  { method: 'GET', route: '/admin/queues/api/redis/stats', access: 'board', expect: board('200'), request: () => ({ path: '/admin/queues/api/redis/stats' }) },
  { method: 'GET', route: '/admin/queues/api/queues', access: 'board', expect: board('200'), request: () => ({ path: '/admin/queues/api/queues' }) },
  { method: 'GET', route: '/admin/queues/api/job-schedulers', access: 'board', expect: board('200'), request: () => ({ path: '/admin/queues/api/job-schedulers' }) },
  {
    method: 'PUT',
    route: '/admin/queues/api/queues/pause',
    access: 'board',
    expect: board(READ_ONLY),
    note: 'the board is read-only for everyone',
    request: () => ({ path: '/admin/queues/api/queues/pause' }),
  },
  { method: 'PUT', route: '/admin/queues/api/queues/resume', access: 'board', expect: board(READ_ONLY), request: () => ({ path: '/admin/queues/api/queues/resume' }) },
  ...(
    [
      ['GET', '/:queueName/metrics', `${q}/metrics`],
      ['GET', '/:queueName/default-job-options', `${q}/default-job-options`],
      ['GET', '/:queueName/workers', `${q}/workers`],
      ['GET', '/:queueName/rate-limit', `${q}/rate-limit`],
      ['PUT', '/:queueName/rate-limit', `${q}/rate-limit`],
      ['PUT', '/:queueName/rate-limit/release', `${q}/rate-limit/release`],
      ['PUT', '/:queueName/retry/:queueStatus', `${q}/retry/failed`],
      ['PUT', '/:queueName/resume', `${q}/resume`],
      ['GET', '/:queueName/job-data-schema', `${q}/job-data-schema`],
      ['PATCH', '/:queueName/job-schedulers/:schedulerId', `${q}/job-schedulers/no-such-scheduler`, '400 INVALID_REQUEST'],
      ['PUT', '/:queueName/job-schedulers/:schedulerId/remove', `${q}/job-schedulers/no-such-scheduler/remove`],
      ['PUT', '/:queueName/job-schedulers/:schedulerId/run', `${q}/job-schedulers/no-such-scheduler/run`],
      ['POST', '/:queueName/add', `${q}/add`],
      ['PUT', '/:queueName/promote', `${q}/promote`],
      ['PUT', '/:queueName/pause', `${q}/pause`],
      ['PUT', '/:queueName/clean/:queueStatus', `${q}/clean/failed`],
      ['PUT', '/:queueName/concurrency', `${q}/concurrency`, '400 INVALID_REQUEST'],
      ['PUT', '/:queueName/empty', `${q}/empty`],
      ['PUT', '/:queueName/obliterate', `${q}/obliterate`],
      ['GET', '/:queueName/:jobId', job],
      ['GET', '/:queueName/:jobId/logs', `${job}/logs`],
      ['GET', '/:queueName/:jobId/flow', `${job}/flow`],
      ['PUT', '/:queueName/:jobId/retry', `${job}/retry`],
      ['PUT', '/:queueName/:jobId/remove-unprocessed-children', `${job}/remove-unprocessed-children`],
      ['PUT', '/:queueName/:jobId/clean', `${job}/clean`],
      ['PUT', '/:queueName/:jobId/promote', `${job}/promote`],
      ['PATCH', '/:queueName/:jobId/priority', `${job}/priority`, '400 INVALID_REQUEST'],
      ['PATCH', '/:queueName/:jobId/update-data', `${job}/update-data`, '400 INVALID_REQUEST'],
      ['PATCH', '/:queueName/:jobId/delay', `${job}/delay`, '400 INVALID_REQUEST'],
    ] as const
  ).map(
    ([method, route, path, allowed]: readonly [Row['method'], string, string, string?]): Row => ({
      method,
      route: `/admin/queues/api/queues${route}`,
      access: 'board',
      expect: board(method !== 'GET' ? READ_ONLY : (allowed ?? '404')),
      note:
        method !== 'GET'
          ? 'the board is read-only for everyone: refused before Bull Board sees it'
          : `queue ${NO_QUEUE} does not exist: Bull Board's own 404 "Queue not found" comes after the staff check`,
      request: () => ({ path, ...(method === 'GET' ? {} : { body: {} }) }),
      check: (_caller, res) => {
        if (res.status === 404) expect(res.text).toContain('QUEUE_NOT_FOUND');
      },
    }),
  ),
];

const key = (method: string, route: string) => `${method} ${route}`;

// ---------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  api = await startTestApi({ clock });
  const db = api.app.get<DataSource>(getDataSourceToken());
  const lifecycle = api.app.get(DrawLifecycleService);
  await lifecycle.ensureCampaign(api.app.get(CampaignCatalog).get(CAMPAIGN)!);

  // Staff: the bootstrap admin creates the operator, the auditor and the operator+auditor.
  tokens.admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
  ctx.staff.admin = { id: 0, username: TEST_ADMIN.username, password: TEST_ADMIN.password };
  for (const caller of ['operator', 'auditor', 'operatorAuditor'] as const) {
    const account = { username: `matrix.${caller.toLowerCase()}`, password: `${caller}-password-123` };
    const created = await api.http.post('/api/v1/admin/staff', { ...account, roles: STAFF_ROLES[caller] }, tokens.admin);
    expect(created.status).toBe(201);
    ctx.staff[caller] = { id: created.body.id, ...account };
    tokens[caller] = await api.http.staffToken(account.username, account.password);
  }
  tokens.registry = TEST_REGISTRY_KEY;
  const target = await api.http.post('/api/v1/admin/staff', { username: 'matrix.target', password: 'target-password-123', roles: ['operator'] }, tokens.admin);
  expect(target.status).toBe(201);
  ctx.staffTarget = target.body.id;

  // Consumers A and B bind their identities through the API, then each gets a verified July invoice.
  for (const [caller, realName, seq3] of [
    ['consumerA', '李雷', '011'],
    ['consumerB', '韩梅梅', '023'],
  ] as const) {
    const consumer = await createConsumer(api.app, { verified: false });
    tokens[caller] = consumer.token;
    ctx.consumers[caller] = { id: consumer.id, realName, idNumber: makeResidentId('410105', '19900307', seq3) };
    const bound = await api.http.put('/api/v1/me/identity', identityOf(caller), consumer.token);
    expect(bound.status).toBe(200);

    const invoice = henanInvoice();
    await insertRegistryRecord(api.app, { ...invoice, issueDate: '2022-07-20', amountCents: 10_000, taxCents: 0, buyerName: null });
    const row = db.getRepository(Invoice).create({
      consumerId: consumer.id,
      campaignId: CAMPAIGN,
      periodKey: '2022-07',
      invoiceType: '10',
      ...invoice,
      ref: invoiceRef(invoice.invoiceCode, invoice.invoiceNumber),
      issueDate: '2022-07-20',
      amountCents: 10_000,
      checkCode: null,
      source: 'typed',
      status: 'verified',
      statusReason: null,
      paidCents: 10_000,
      matchedAmount: 'total',
      registeredAt: new Date('2022-07-20T12:00:00+08:00'),
      registeredOn: '2022-07-20',
      registeredMonth: '2022-07',
      verifiedAt: new Date('2022-07-20T12:00:00+08:00'),
      revokedAt: null,
    });
    await db.getRepository(Invoice).insert(row);
    if (caller === 'consumerA') {
      ctx.invoiceA = row.id;
      ctx.invoiceACode = invoice;
    } else ctx.invoiceB = row.id;
  }

  // July: frozen, drawn, published; two holders, five first prizes, one prize each.
  await lifecycle.freezeDraw(JULY);
  await lifecycle.runDraw(JULY);
  expect((await lifecycle.publishDraw(JULY)).status).toBe('published');
  const prizes: Array<{ id: string; consumer_id: string }> = await db.query(`SELECT id, consumer_id FROM prizes WHERE draw_id = ?`, [JULY]);
  const notices: Array<{ id: string; consumer_id: string }> = await db.query(`SELECT id, consumer_id FROM notifications WHERE kind = 'prize-won'`);
  const of = (rows: Array<{ id: string; consumer_id: string }>, caller: 'consumerA' | 'consumerB') => {
    const mine = rows.filter((r) => Number(r.consumer_id) === ctx.consumers[caller].id);
    expect(mine).toHaveLength(1);
    return Number(mine[0].id);
  };
  ctx.prizeA = of(prizes, 'consumerA');
  ctx.prizeB = of(prizes, 'consumerB');
  ctx.noticeA = of(notices, 'consumerA');
  ctx.noticeB = of(notices, 'consumerB');

  // August, September, October frozen (empty) for the two-person draw requests.
  for (const drawId of [AUGUST, SEPTEMBER, OCTOBER]) expect((await lifecycle.freezeDraw(drawId)).status).toBe('frozen');
});

afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

// ---------------------------------------------------------------------------------------------------------

describe('the matrix covers every route', () => {
  test('no route listed twice', () => {
    const keys = ROWS.map((r) => key(r.method, r.route));
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  test('every path and method of the OpenAPI document has a row; the rows outside it are the documented exceptions', async () => {
    const doc = await send('GET', { path: '/api/docs-json' });
    expect(doc.status).toBe(200);
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'].includes(m))
        .map((m) => key(m.toUpperCase(), path)),
    );
    const rows = new Set(ROWS.map((r) => key(r.method, r.route.replace(/:(\w+)/g, '{$1}'))));
    expect(documented.filter((k) => !rows.has(k))).toEqual([]);
    // Not in the document: the OpenAPI UI itself, the public web pages and their scripts, Bull Board.
    const undocumented = [...rows].filter((k) => !documented.includes(k)).map((k) => k.split(' ')[1]);
    expect(undocumented.filter((p) => !/^\/(api\/docs|admin\/queues|app\.(js|css)$|chunks\/\{file\}$|console(\/\{file\}|\/chunks\/\{file\}|\/)?$|app(\/\{file\}|\/)?$|verify(-worker)?\.js$|draws\/\{id\}$|$)/.test(p))).toEqual([]);
  });

  test("every route in Fastify's route table has a row, and every row is a route", () => {
    const tree = api.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
    const served = new Set<string>();
    const stack: string[] = [];
    for (const line of tree.split('\n')) {
      const m = /^(.*?)[└├]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
      if (!m) continue;
      const depth = m[1].length / 4;
      stack.length = depth;
      stack[depth] = m[2];
      // HEAD is Fastify's automatic twin of each GET (checked below).
      for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) served.add(key(method, stack.join('')));
    }
    expect(served.size).toBeGreaterThan(80);
    const rows = new Set(ROWS.map((r) => key(r.method, r.route)));
    expect([...served].filter((k) => !rows.has(k))).toEqual([]);
    expect([...rows].filter((k) => !served.has(k))).toEqual([]);
  });

  test('the expectations keep the rules: the registry key opens nothing but the feed, tokens only their own side', () => {
    for (const row of ROWS) {
      const e = row.expect;
      const label = key(row.method, row.route);
      const is2xx = (s: string) => /^2/.test(s);
      if (row.access === 'public') continue;
      expect({ label, anonymous: e.anonymous }).toEqual({ label, anonymous: '401 AUTH_REQUIRED' });
      if (row.access === 'registry') {
        expect({ label, others: CALLERS.filter((c) => c !== 'registry' && c !== 'anonymous').map((c) => e[c]) }).toEqual({
          label,
          others: Array(6).fill('401 REGISTRY_KEY_INVALID'),
        });
        continue;
      }
      expect({ label, registry: /^40[13] /.test(e.registry) }).toEqual({ label, registry: true });
      if (row.access === 'consumer') for (const c of CALLERS.filter(isStaff)) expect({ label, c, e: e[c] }).toEqual({ label, c, e: '403 CONSUMER_ONLY' });
      else for (const c of ['consumerA', 'consumerB'] as const) expect({ label, c, e: e[c] }).toEqual({ label, c, e: '403 STAFF_ONLY' });
      if (row.access === 'board') expect({ label, auditor: is2xx(e.auditor) }).toEqual({ label, auditor: false });
      if (/\/(payouts\.csv|retry)$|draw-requests$/.test(row.route) && row.method !== 'GET')
        expect({ label, auditor: e.auditor }).toEqual({ label, auditor: '403 ROLE_REQUIRED' });
    }
    expect(ROWS.find((r) => r.route.endsWith('payouts.csv'))!.expect).toMatchObject({ auditor: '403 ROLE_REQUIRED', admin: '403 ROLE_REQUIRED' });
  });
});

/** What each cell got, printed as a table with ACCESS_MATRIX_PRINT=1. */
const results = new Map<string, Expectations>();
afterAll(() => {
  if (!process.env.ACCESS_MATRIX_PRINT) return;
  const short = (s: string) => s.replace(/ (AUTH_REQUIRED|TOKEN_INVALID|REGISTRY_KEY_INVALID|CONSUMER_ONLY|STAFF_ONLY|ROLE_REQUIRED)$/, (_, c: string) => ` ${c.split('_').map((w) => w[0]).join('')}`);
  const lines = [['route', ...CALLERS].join(' | '), ...[...results].map(([label, r]) => [label, ...CALLERS.map((c) => short(r[c]))].join(' | '))];
  process.stdout.write(`${lines.join('\n')}\n`);
});

describe('route × caller', () => {
  test.each(ROWS.map((r) => [key(r.method, r.route), r] as const))('%s', async (_label, row) => {
    const actual = {} as Expectations;
    for (const caller of CALLERS) {
      const req = await row.request(caller);
      const res = await as(caller, row.method, req);
      actual[caller] = outcome(res);
      if (actual[caller] === row.expect[caller]) row.check?.(caller, res);
    }
    results.set(key(row.method, row.route), actual);
    expect(actual).toEqual(row.expect);
  });
});

describe('specific rules', () => {
  test('an operator cannot approve its own draw request, even holding the auditor role: 403 SELF_APPROVAL_FORBIDDEN', async () => {
    const own = await as('operatorAuditor', 'POST', { path: `/api/v1/admin/draws/${OCTOBER}/draw-requests`, body: {} });
    expect(own.status).toBe(201);
    const approve = `/api/v1/admin/draws/${OCTOBER}/draw-requests/${own.body.id}/approve`;
    const self = await as('operatorAuditor', 'POST', { path: approve });
    expect(outcome(self)).toBe('403 SELF_APPROVAL_FORBIDDEN');
    // The plain operator lacks the role altogether; the request stays pending.
    expect(outcome(await as('operator', 'POST', { path: approve }))).toBe('403 ROLE_REQUIRED');
    const list = await as('auditor', 'GET', { path: `/api/v1/admin/draws/${OCTOBER}/draw-requests` });
    expect(list.body.find((r: { id: number }) => r.id === own.body.id)).toMatchObject({ status: 'pending', decidedBy: null });
    expect((await as('auditor', 'GET', { path: `/api/v1/admin/draws/${OCTOBER}` })).body.status).toBe('frozen');
  });

  test("an operator cannot reject someone else's draw request (only an auditor or the requester can)", async () => {
    const theirs = await as('operatorAuditor', 'POST', { path: `/api/v1/admin/draws/${OCTOBER}/draw-requests`, body: {} });
    expect(theirs.status).toBe(201);
    const res = await as('operator', 'POST', { path: `/api/v1/admin/draws/${OCTOBER}/draw-requests/${theirs.body.id}/reject`, body: { reason: 'not mine' } });
    expect(outcome(res)).toBe('403 ROLE_REQUIRED');
  });

  test('an auditor cannot request a draw; only operators download payouts.csv', async () => {
    expect(outcome(await as('auditor', 'POST', { path: `/api/v1/admin/draws/${OCTOBER}/draw-requests`, body: {} }))).toBe('403 ROLE_REQUIRED');
    for (const caller of ['auditor', 'admin'] as const) {
      const res = await as(caller, 'GET', { path: `/api/v1/admin/draws/${JULY}/payouts.csv` });
      expect(outcome(res)).toBe('403 ROLE_REQUIRED');
      expect(res.text).not.toContain('6222021234567890123');
    }
    const csv = await as('operator', 'GET', { path: `/api/v1/admin/draws/${JULY}/payouts.csv` });
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('6222021234567890123'); // A's claim, made in the matrix
  });

  test("a consumer never sees or touches another's invoice, prize or notice", async () => {
    for (const [owner, other] of [
      ['consumerA', 'consumerB'],
      ['consumerB', 'consumerA'],
    ] as const) {
      const theirs = owner === 'consumerA' ? { invoice: ctx.invoiceA, prize: ctx.prizeA, notice: ctx.noticeA } : { invoice: ctx.invoiceB, prize: ctx.prizeB, notice: ctx.noticeB };
      expect(outcome(await as(other, 'GET', { path: `/api/v1/invoices/${theirs.invoice}` }))).toBe('404 INVOICE_NOT_FOUND');
      expect(outcome(await as(other, 'POST', { path: `/api/v1/me/notifications/${theirs.notice}/read` }))).toBe('404 NOTIFICATION_NOT_FOUND');
      expect(
        outcome(await as(other, 'POST', { path: `/api/v1/me/prizes/${theirs.prize}/claim`, body: { bankName: '中国银行', bankAccount: '6216610000000000001' } })),
      ).toBe('404 PRIZE_NOT_FOUND');
      const lists = await Promise.all(['/api/v1/invoices?pageSize=100', '/api/v1/me/prizes', '/api/v1/me/notifications?pageSize=100'].map((path) => as(other, 'GET', { path })));
      expect(lists.map(ids).map((l, i) => l.includes([theirs.invoice, theirs.prize, theirs.notice][i]))).toEqual([false, false, false]);
    }
    // B's prize is untouched by B's attempts on A's: still awaiting its claim.
    expect((await as('consumerB', 'GET', { path: '/api/v1/me/prizes' })).body.items[0]).toMatchObject({ id: ctx.prizeB, status: 'awaiting_claim' });
  });

  test('consumer cookie session: HttpOnly cookie, CSRF token and Origin on every state-changing call, consumer routes only, sign-out ends it', async () => {
    const phone = `135${String(fresh()).padStart(8, '0')}`;
    expect((await send('POST', { path: '/api/v1/auth/otp', body: { phone } })).status).toBe(202);
    const origin = api.baseUrl;
    const signIn = await send('POST', { path: '/api/v1/auth/session', body: { phone, code: TEST_OTP }, headers: { origin: 'https://evil.example' } });
    expect(outcome(signIn)).toBe('403 CSRF_ORIGIN_MISMATCH');
    const ok = await send('POST', { path: '/api/v1/auth/session', body: { phone, code: TEST_OTP }, headers: { origin } });
    expect(ok.status).toBe(200);
    const setCookie = ok.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^il_consumer_session=[^;]+; Path=\/api\/v1; HttpOnly; SameSite=Strict/);
    expect(JSON.stringify(ok.body)).not.toContain(setCookie.split(';')[0].split('=')[1]);
    const cookie = setCookie.split(';')[0];
    const csrf = ok.body.csrfToken as string;
    const withCookie = (extra: Record<string, string> = {}) => ({ cookie, ...extra });

    expect(outcome(await send('GET', { path: '/api/v1/me', headers: withCookie() }))).toBe('200');
    expect((await send('GET', { path: '/api/v1/auth/session', headers: withCookie() })).body).toMatchObject({ consumerId: ok.body.consumerId, csrfToken: csrf });
    const patch = (headers: Record<string, string>) => send('PATCH', { path: '/api/v1/me', body: { autoEntry: false }, headers: withCookie(headers) });
    expect(outcome(await patch({ origin }))).toBe('403 CSRF_TOKEN_INVALID');
    expect(outcome(await patch({ origin, 'x-csrf-token': 'forged' }))).toBe('403 CSRF_TOKEN_INVALID');
    expect(outcome(await patch({ 'x-csrf-token': csrf }))).toBe('403 CSRF_ORIGIN_MISMATCH');
    expect(outcome(await patch({ origin: 'https://evil.example', 'x-csrf-token': csrf }))).toBe('403 CSRF_ORIGIN_MISMATCH');
    expect(outcome(await patch({ origin, 'x-csrf-token': csrf }))).toBe('200');
    // The consumer session opens no staff route.
    expect(outcome(await send('GET', { path: '/api/v1/admin/draws', headers: withCookie() }))).toBe('401 AUTH_REQUIRED');

    expect((await send('DELETE', { path: '/api/v1/auth/session', headers: withCookie({ origin, 'x-csrf-token': csrf }) })).status).toBe(204);
    expect(outcome(await send('GET', { path: '/api/v1/me', headers: withCookie() }))).toBe('401 SESSION_EXPIRED');
  });

  test('the board login refuses an auditor (403) and a wrong password (401), setting no cookie', async () => {
    const auditor = await send('POST', boardLogin(ctx.staff.auditor.username, ctx.staff.auditor.password));
    expect(auditor.status).toBe(403);
    expect(auditor.headers.get('set-cookie')).toBeNull();
    const wrong = await send('POST', boardLogin(ctx.staff.operator.username, 'not-the-password-1'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    // The operator's cookie opens the board; a consumer token in the cookie does not.
    const ok = await send('POST', boardLogin(ctx.staff.operator.username, ctx.staff.operator.password));
    const cookie = ok.headers.get('set-cookie')!.split(';')[0];
    expect(cookie).toMatch(/^il_board_token=/);
    expect((await send('GET', { path: '/admin/queues/api/queues', headers: { cookie } })).status).toBe(200);
    expect(outcome(await send('GET', { path: '/admin/queues/api/queues', headers: { cookie: `il_board_token=${tokens.consumerA}` } }))).toBe('403 STAFF_ONLY');
  });

  test('forged and malformed credentials are 401 on every protected route, whatever they claim', async () => {
    const forged = new JwtService({ secret: 'not-the-service-secret-0123456789abcdef' }).sign(
      { sub: String(ctx.staff.operatorAuditor.id), kind: 'staff', username: 'admin', roles: ['admin', 'operator', 'auditor'] },
      { expiresIn: 3600 },
    );
    const [header, payload] = tokens.operatorAuditor.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const resigned = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['admin'] })).toString('base64url')}.${tokens.operatorAuditor.split('.')[2]}`;
    const credentials = [`Bearer ${forged}`, `Bearer ${unsigned}`, `Bearer ${resigned}`, 'Bearer garbage', `Basic ${Buffer.from('admin:x').toString('base64')}`];
    const failures: string[] = [];
    for (const row of ROWS.filter((r) => r.access !== 'public')) {
      for (const authorization of credentials) {
        const res = await send(row.method, await row.request('anonymous'), authorization);
        if (res.status !== 401) failures.push(`${key(row.method, row.route)} with ${authorization.slice(0, 20)}…: ${outcome(res)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test('HEAD, the automatic twin of every GET, is guarded like the GET', async () => {
    const failures: string[] = [];
    for (const row of ROWS.filter((r) => r.method === 'GET')) {
      for (const caller of ['anonymous', 'consumerB', 'auditor', 'registry'] as const) {
        const res = await as(caller, 'HEAD', await row.request(caller));
        const expected = Number(row.expect[caller].slice(0, 3));
        if (res.status !== expected) failures.push(`HEAD ${row.route} as ${caller}: ${res.status}, GET is ${row.expect[caller]}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test('unknown routes are 404 for everyone, with the security headers', async () => {
    for (const caller of CALLERS) {
      expect(outcome(await as(caller, 'GET', { path: '/api/v1/admin/nothing' }))).toBe('404 NOT_FOUND');
      expect(outcome(await as(caller, 'DELETE', { path: `/api/v1/invoices/${ctx.invoiceA}` }))).toBe('404 NOT_FOUND');
    }
  });
});

describe('every response', () => {
  test('carries X-Content-Type-Options: nosniff and the Content-Security-Policy', () => {
    expect(sent.length).toBeGreaterThan(ROWS.length * CALLERS.length);
    const missing = sent.filter((s) => !securityHeadersOk(s.headers)).map((s) => `${s.method} ${s.path} ${s.status}`);
    expect(missing).toEqual([]);
  });
});

// The console's credential: the same staff rows, each staff caller signed in with a cookie session instead
// of a bearer token (same Origin, the session's CSRF token), must get exactly what the token gets.
describe('staff cookie sessions', () => {
  const sessions = {} as Record<StaffCaller, { cookie: string; csrfToken: string }>;
  const withCookie = (session: { cookie: string; csrfToken: string }, method: string, req: Req) =>
    send(method, { ...req, headers: { ...(req.headers ?? {}), cookie: session.cookie, origin: api.baseUrl, 'x-csrf-token': session.csrfToken } });

  beforeAll(async () => {
    // The approve row approved August and September above; undo that in the data (no worker runs here, the
    // queued draws never ran) so the cookie cells can approve them again.
    await api.app.get<DataSource>(getDataSourceToken()).query(`UPDATE draw_requests SET status = 'superseded' WHERE status = 'approved' AND draw_id IN (?, ?)`, [AUGUST, SEPTEMBER]);
    for (const caller of ['admin', 'operator', 'auditor', 'operatorAuditor'] as const) {
      const { username, password } = ctx.staff[caller];
      const res = await send('POST', { path: '/api/v1/admin/auth/session', body: { username, password }, headers: { origin: api.baseUrl } });
      expect(res.status).toBe(200);
      sessions[caller] = { cookie: res.headers.get('set-cookie')!.split(';')[0], csrfToken: res.body.csrfToken };
    }
  });

  test.each(ROWS.filter((r) => r.access === 'staff').map((r) => [key(r.method, r.route), r] as const))('%s', async (_label, row) => {
    const actual = {} as Partial<Expectations>;
    const expected = {} as Partial<Expectations>;
    for (const caller of ['admin', 'operator', 'auditor', 'operatorAuditor'] as const) {
      const res = await withCookie(sessions[caller], row.method, await row.request(caller));
      actual[caller] = outcome(res);
      expected[caller] = row.expect[caller];
      if (actual[caller] === row.expect[caller]) row.check?.(caller, res);
    }
    expect(actual).toEqual(expected);
  });

  test('GET …/auth/session answers the signed-in member; a signed-out cookie is 401 SESSION_EXPIRED everywhere', async () => {
    const me = await send('GET', { path: '/api/v1/admin/auth/session', headers: { cookie: sessions.auditor.cookie } });
    expect(me.body).toMatchObject({ username: ctx.staff.auditor.username, roles: ['auditor'], csrfToken: sessions.auditor.csrfToken });
    expect((await withCookie(sessions.auditor, 'DELETE', { path: '/api/v1/admin/auth/session' })).status).toBe(204);
    const failures: string[] = [];
    for (const row of ROWS.filter((r) => r.access === 'staff')) {
      const res = await withCookie(sessions.auditor, row.method, await row.request('anonymous'));
      if (outcome(res) !== '401 SESSION_EXPIRED') failures.push(`${key(row.method, row.route)}: ${outcome(res)}`);
    }
    expect(failures).toEqual([]);
  });

  test('a state-changing request with a session cookie from another site is refused on every route', async () => {
    const failures: string[] = [];
    // The cookie's Path is /api/v1/admin: a browser sends it nowhere else.
    const unsafe = ROWS.filter((r) => r.method !== 'GET' && r.route.startsWith('/api/v1/admin/'));
    expect(unsafe.length).toBeGreaterThan(8);
    for (const row of unsafe) {
      const req = await row.request('operator');
      const res = await send(row.method, {
        ...req,
        headers: { ...(req.headers ?? {}), cookie: sessions.operator.cookie, origin: 'https://evil.example', 'x-csrf-token': sessions.operator.csrfToken },
      });
      if (outcome(res) !== '403 CSRF_ORIGIN_MISMATCH') failures.push(`${key(row.method, row.route)}: ${outcome(res)}`);
    }
    expect(failures).toEqual([]);
  });
});

// Last: moves the clock past every token's lifetime.
describe('tokens expire on the service clock', () => {
  test(`staff tokens after STAFF_TOKEN_TTL_SECONDS, consumer tokens after CONSUMER_TOKEN_TTL_SECONDS: 401 TOKEN_EXPIRED`, async () => {
    const { STAFF_TOKEN_TTL_SECONDS: staffTtl, CONSUMER_TOKEN_TTL_SECONDS: consumerTtl } = api.config;
    expect(staffTtl).toBeLessThan(consumerTtl);
    const staffRoutes = [
      ['operator', '/api/v1/admin/draws'],
      ['admin', '/api/v1/admin/staff'],
      ['auditor', `/api/v1/admin/draws/${JULY}/audit-log`],
      ['operatorAuditor', '/admin/queues/api/queues'],
    ] as const;
    const consumerRoutes = [
      ['consumerA', '/api/v1/me'],
      ['consumerB', '/api/v1/me/prizes'],
    ] as const;
    const check = async (routes: ReadonlyArray<readonly [Caller, string]>) =>
      Promise.all(routes.map(async ([caller, path]) => `${caller} ${path}: ${outcome(await as(caller, 'GET', { path }))}`));
    const expectAll = (routes: ReadonlyArray<readonly [Caller, string]>, status: string) => routes.map(([caller, path]) => `${caller} ${path}: ${status}`);

    const issuedAt = new Date(T0).getTime();
    clock.set(new Date(issuedAt + (staffTtl - 1) * 1000));
    expect(await check(staffRoutes)).toEqual(expectAll(staffRoutes, '200'));
    clock.set(new Date(issuedAt + (staffTtl + 1) * 1000));
    expect(await check(staffRoutes)).toEqual(expectAll(staffRoutes, '401 TOKEN_EXPIRED'));
    expect(await check(consumerRoutes)).toEqual(expectAll(consumerRoutes, '200'));
    // Signing in again gives a working token.
    const again = await api.http.staffToken(ctx.staff.operator.username, ctx.staff.operator.password);
    expect(outcome(await send('GET', { path: '/api/v1/admin/draws' }, `Bearer ${again}`))).toBe('200');

    clock.set(new Date(issuedAt + (consumerTtl - 1) * 1000));
    expect(await check(consumerRoutes)).toEqual(expectAll(consumerRoutes, '200'));
    clock.set(new Date(issuedAt + (consumerTtl + 1) * 1000));
    expect(await check(consumerRoutes)).toEqual(expectAll(consumerRoutes, '401 TOKEN_EXPIRED'));
    expect(outcome(await as('consumerA', 'POST', { path: `/api/v1/me/prizes/${ctx.prizeA}/claim`, body: { bankName: '中国工商银行', bankAccount: '6222021234567890123' } }))).toBe(
      '401 TOKEN_EXPIRED',
    );
  });
});
