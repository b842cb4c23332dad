/**
 * The two front-end pages have one URL each, /console and /app: with a trailing slash (as typed or pasted)
 * they answer 301 to it, keeping the query, over the real socket; the page's file name is no second URL.
 */
import { destroyTestEnvironment, startTestApi, type TestApi } from '../support/test-env.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

const fetchManual = (path: string) => fetch(api.baseUrl + path, { redirect: 'manual' });

describe.each(['/console', '/app'])('%s', (page) => {
  test('the page itself answers 200 with its HTML', async () => {
    const res = await fetchManual(page);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<html lang="zh-CN">');
  });

  test(`${page}/ answers 301 to ${page}, with the query kept and the security headers set`, async () => {
    const res = await fetchManual(`${page}/`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(page);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const withQuery = await fetchManual(`${page}/?from=sms&x=%E4%B8%AD`);
    expect(withQuery.status).toBe(301);
    expect(withQuery.headers.get('location')).toBe(`${page}?from=sms&x=%E4%B8%AD`);
    // A browser (fetch following redirects) lands on the same page as the canonical URL serves.
    const followed = await fetch(`${api.baseUrl}${page}/`);
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${api.baseUrl}${page}`);
    expect(await followed.text()).toBe(await (await fetchManual(page)).text());
  });

  test('a HEAD of the slashed URL redirects too; a file name that was not built is still 404 NOT_FOUND', async () => {
    const head = await fetch(`${api.baseUrl}${page}/`, { method: 'HEAD', redirect: 'manual' });
    expect([head.status, head.headers.get('location')]).toEqual([301, page]);
    const missing = await fetchManual(`${page}/no-such-file.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    // Two slashes are no page either.
    expect((await fetchManual(`${page}//`)).status).toBe(404);
  });
});

test('/app/index.html is not a second URL of the app page (404)', async () => {
  const res = await fetchManual('/app/index.html');
  expect(res.status).toBe(404);
});
