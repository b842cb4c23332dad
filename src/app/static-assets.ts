import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DomainError } from '../core/errors/domain-error.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.map', '.txt', '.svg', '.webmanifest']);

interface Asset {
  type: string;
  etag: string;
  identity: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

/** A lazily loaded chunk written by scripts/build-web.mjs: chunks/<name>-<content hash>.js. */
const HASHED_CHUNK = /^chunks\/[\w-]+-[A-Z0-9]{8}\.js$/;
const CHUNKS = 'chunks';

/**
 * `/console/` and `/app/` (what a typed or pasted address often ends with) answer 301 to the page's one
 * URL, `/console` or `/app`, keeping the query: one URL per page, so caches, links and bookmarks agree.
 * Plain Fastify routes (Nest drops a trailing slash from its paths, and the router does not hand an empty
 * segment to a page's `:file` route); listed in the access matrix like the pages.
 */
export function registerPageSlashRedirects(fastify: FastifyInstance, pages: readonly string[]): void {
  for (const page of pages)
    fastify.get(`${page}/`, async (request, reply) => {
      const query = request.url.indexOf('?');
      return reply.header('Cache-Control', 'no-cache').redirect(page + (query >= 0 ? request.url.slice(query) : ''), 301);
    });
}

/**
 * The files of one built front end (dist/web/<name>/ and its chunks/, see scripts/build-web.mjs), read once at
 * start-up with their brotli and gzip forms, so each request is a lookup: ETag revalidation (304), the encoding
 * the browser accepts, `Vary: Accept-Encoding`, and `no-cache` so a new deployment shows at once, except for
 * the content-hashed chunks (`chunks/<name>-<HASH>.js`): a new content is a new name, so those are `immutable`.
 */
export class StaticAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(readonly dir: string) {
    const chunks = existsSync(join(dir, CHUNKS)) ? readdirSync(join(dir, CHUNKS)).map((f) => `${CHUNKS}/${f}`) : [];
    for (const name of [...readdirSync(dir), ...chunks]) {
      const ext = extname(name);
      const type = TYPES[ext];
      if (!type) continue;
      const identity = readFileSync(join(dir, name));
      const etag = `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`;
      const asset: Asset = { type, etag, identity };
      if (COMPRESSIBLE.has(ext) && identity.length > 512) {
        // Compressed by the build (scripts/build-web.mjs writes .br and .gz next to each file); else gzip now.
        const built = (suffix: string) => (existsSync(join(dir, name + suffix)) ? readFileSync(join(dir, name + suffix)) : undefined);
        asset.br = built('.br');
        asset.gzip = built('.gz') ?? gzipSync(identity, { level: 6 });
      }
      this.assets.set(name, asset);
    }
  }

  /** The first of `candidates` holding `index.html` (dist/web/<name> next to the compiled code or under the working directory). */
  static locate(name: string, candidates: string[]): StaticAssets {
    const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
    if (!found) throw new Error(`Front end "${name}" is not built (looked in ${candidates.join(', ')}): run npm run build`);
    return new StaticAssets(found);
  }

  has(name: string): boolean {
    return this.assets.has(name);
  }

  /** Sends one file (`chunks/<file>` for a chunk); 404 NOT_FOUND for a name the build did not produce. */
  async send(name: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const asset = this.assets.get(name);
    if (!asset) throw DomainError.notFound('NOT_FOUND', 'No such file');
    const caching = HASHED_CHUNK.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache';
    void reply.header('ETag', asset.etag).header('Cache-Control', caching).header('Vary', 'Accept-Encoding');
    if (request.headers['if-none-match'] === asset.etag) {
      await reply.status(304).send();
      return;
    }
    const accepts = String(request.headers['accept-encoding'] ?? '');
    const [encoding, body] =
      asset.br && /\bbr\b/.test(accepts) ? ['br', asset.br] : asset.gzip && /\bgzip\b/.test(accepts) ? ['gzip', asset.gzip] : [null, asset.identity];
    if (encoding) void reply.header('Content-Encoding', encoding);
    await reply.header('Content-Type', asset.type).send(body);
  }
}
