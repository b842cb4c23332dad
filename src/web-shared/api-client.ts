/**
 * The one API client of the browser front ends: same-origin fetch with the session cookie (never a token
 * in page storage), the session's CSRF token on every state-changing request, and one error type carrying
 * the service's reason code (src/web-shared/errors.js turns it into text). The console's JavaScript imports
 * it as './api-client.js' (scripts/build-web.mjs resolves that to this file).
 */

/** The service's one error shape (README "API"), as far as the page reads it. */
export interface ApiErrorBody {
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  /** The reason code; NETWORK when the request never got an answer, HTTP_<status> when the answer had none. */
  readonly code: string;
  readonly details: ApiErrorBody | null;

  constructor(status: number, body: ApiErrorBody | null) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || (status === 0 ? 'NETWORK' : `HTTP_${status}`);
    this.details = body || null;
  }
}

let csrfToken: string | null = null;
let onUnauthorized: ((error: ApiError) => void) | null = null;

/** The session's CSRF token (from sign-in or GET …/session). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
/** Called when the API answers 401 (the session ended). */
export function setUnauthorizedHandler(handler: ((error: ApiError) => void) | null): void {
  onUnauthorized = handler;
}

async function parse(res: Response): Promise<unknown> {
  const type = res.headers.get('content-type') || '';
  if (res.status === 204) return null;
  if (type.includes('json')) return res.json();
  return res.text();
}

export interface ApiOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Resolve with the Response itself when it is 2xx (downloads). */
  raw?: boolean;
  /** The fetch cache mode: no-store (the default: staff and consumer answers are personal) or, for public answers, default. */
  cache?: RequestCache;
}

/** fetch(path) relative to the site root; JSON in, JSON (or text) out; throws ApiError for non-2xx. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function api<T = any>(path: string, { method = 'GET', body, headers = {}, raw = false, cache = 'no-store' }: ApiOptions = {}): Promise<T> {
  const h: Record<string, string> = { accept: 'application/json', ...headers };
  let payload = body as BodyInit | undefined;
  if (body !== undefined && !(body instanceof Blob) && typeof body !== 'string') {
    h['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) h['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin', cache });
  } catch {
    throw new ApiError(0, null);
  }
  if (raw && res.ok) return res as T;
  const data = await parse(res);
  if (!res.ok) {
    const error = new ApiError(res.status, typeof data === 'object' ? (data as ApiErrorBody | null) : null);
    if (res.status === 401 && onUnauthorized) onUnauthorized(error);
    throw error;
  }
  return data as T;
}

export interface UploadOptions {
  contentType?: string;
  headers?: Record<string, string>;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
}

/**
 * Uploads a file as the request body with XMLHttpRequest (fetch has no upload progress), calling
 * onProgress(sentBytes, totalBytes). Resolves with the parsed JSON answer; rejects with ApiError.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function upload<T = any>(path: string, file: Blob, { contentType, headers = {}, onProgress }: UploadOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', contentType || file.type || 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress && onProgress(e.loaded, e.total);
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.onload = () => {
      let data: ApiErrorBody | null = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as T);
      else {
        const error = new ApiError(xhr.status, data);
        if (xhr.status === 401 && onUnauthorized) onUnauthorized(error);
        reject(error);
      }
    };
    xhr.send(file);
  });
}
