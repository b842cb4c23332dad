// The one API client of the browser front ends: same-origin fetch with the session cookie (never a token
// in page storage), the session's CSRF token on every state-changing request, and one error type.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || (status === 0 ? 'NETWORK' : `HTTP_${status}`);
    this.details = body || null;
  }
}

let csrfToken = null;
let onUnauthorized = null;

/** The session's CSRF token (from sign-in or GET …/session). */
export function setCsrfToken(token) {
  csrfToken = token;
}
/** Called when the API answers 401 (the session ended). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

async function parse(res) {
  const type = res.headers.get('content-type') || '';
  if (res.status === 204) return null;
  if (type.includes('json')) return res.json();
  return res.text();
}

/** fetch(path) relative to the site root; JSON in, JSON (or text) out; throws ApiError for non-2xx. */
export async function api(path, { method = 'GET', body, headers = {}, raw = false } = {}) {
  const h = { accept: 'application/json', ...headers };
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && typeof body !== 'string') {
    h['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) h['x-csrf-token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, null);
  }
  if (raw && res.ok) return res;
  const data = await parse(res);
  if (!res.ok) {
    const error = new ApiError(res.status, typeof data === 'object' ? data : null);
    if (res.status === 401 && onUnauthorized) onUnauthorized(error);
    throw error;
  }
  return data;
}

/**
 * Uploads a file as the request body with XMLHttpRequest (fetch has no upload progress), calling
 * onProgress(sentBytes, totalBytes). Resolves with the parsed JSON answer; rejects with ApiError.
 */
export function upload(path, file, { contentType, headers = {}, onProgress } = {}) {
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
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else {
        const error = new ApiError(xhr.status, data);
        if (xhr.status === 401 && onUnauthorized) onUnauthorized(error);
        reject(error);
      }
    };
    xhr.send(file);
  });
}
