import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * Where the page files are: next to this module (src/public/web under ts/jest, dist/src/public/web after
 * `npm run build`, which copies them), else src/public/web under the working directory.
 */
export function webAssetsDir(): string {
  const candidates = [fileURLToPath(new URL('./web/', import.meta.url)), resolve('src/public/web')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`Public page assets not found (looked in ${candidates.join(', ')})`);
  return found;
}

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * The public web page (zh-CN) at `/`, with its script and style sheet as separate files because the
 * Content-Security-Policy allows no inline script. Read once at start-up; revalidated by ETag.
 */
@ApiExcludeController()
@Controller()
export class PublicPageController {
  private readonly assets: Record<string, Asset>;

  constructor() {
    const dir = webAssetsDir();
    this.assets = Object.fromEntries(
      Object.entries(TYPES).map(([name, type]) => {
        const body = readFileSync(join(dir, name));
        return [name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }];
      }),
    );
  }

  @Get()
  index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('index.html', request, reply);
  }

  @Get('app.js')
  script(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('app.js', request, reply);
  }

  @Get('app.css')
  style(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('app.css', request, reply);
  }

  private async serve(name: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const asset = this.assets[name];
    void reply.header('ETag', asset.etag).header('Cache-Control', 'public, no-cache');
    if (request.headers['if-none-match'] === asset.etag) {
      await reply.status(304).send();
      return;
    }
    await reply.header('Content-Type', asset.type).send(asset.body);
  }
}
