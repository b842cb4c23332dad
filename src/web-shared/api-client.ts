/**
 * The browser side of the API, shared by the front ends: JSON GETs with the service's one error shape
 * turned into an {@link ApiError}, and the visitor-facing text of an error.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** GET `url` as JSON; an error answer becomes an ApiError with its reason code, a network failure status 0. */
export async function getJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) } });
  } catch {
    throw new ApiError(0, undefined, '网络连接失败，请稍后再试。');
  }
  const body = (await res.json().catch(() => null)) as { code?: string; message?: string; retryAfterSeconds?: number } | null;
  if (!res.ok) throw new ApiError(res.status, body?.code, body?.message ?? `HTTP ${res.status}`, body?.retryAfterSeconds);
  return body as T;
}

/** A short Chinese explanation of an error for the page. */
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return `出错了：${(e as Error)?.message ?? String(e)}`;
  if (e.status === 429) return `请求过于频繁，请${e.retryAfterSeconds ? ` ${e.retryAfterSeconds} 秒后` : '稍后'}再试。`;
  if (e.status === 0) return e.message;
  if (e.status >= 500) return '服务暂时不可用，请稍后再试。';
  return `无法加载（${e.code ?? e.status}）。`;
}
