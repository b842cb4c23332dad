import { createServer, request as httpRequest, type Server } from 'node:http';

/**
 * An HTTP proxy in front of the API on 127.0.0.1 that answers `path` with `body` (a tampered copy of a
 * published file) and passes every other request on unchanged: the page under test cannot tell it from
 * the service, so its verifier must catch the difference itself.
 */
export function startTamperingProxy(target: string, path: string, contentType: string, body: string): Promise<Server> {
  const { port } = new URL(target);
  const server = createServer((req, res) => {
    if (req.url === path) {
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
