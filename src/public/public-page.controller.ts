import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { StaticAssets } from '../app/static-assets.js';
import { chooseEncoding } from '../core/artifacts/serve-artifact.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import type { CampaignDto, DrawDetailDto, DrawSummaryDto, WinnersPageDto } from './dto/public.dto.js';
import { PublicService } from './public.service.js';
import { renderDrawPage, renderHomePage, type PageData } from './ssr/public-pages.js';

interface Asset {
  type: string;
  etag: string;
  bodies: { identity: Buffer; gzip: Buffer; br: Buffer };
}

/**
 * Where the page's style sheet is: next to this module (src/public/web under ts/jest, dist/src/public/web
 * after `npm run build`, which copies it), else src/public/web under the working directory.
 */
export function webAssetsDir(): string {
  const candidates = [fileURLToPath(new URL('./web/', import.meta.url)), resolve('src/public/web')];
  const found = candidates.find((dir) => existsSync(join(dir, 'app.css')));
  if (!found) throw new Error(`Public page assets not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Where scripts/build-web.mjs put the bundles (dist/web/<name>/app.js), from dist/src/public or src/public. */
export function webBundlesDir(): string {
  const candidates = [fileURLToPath(new URL('../../web/', import.meta.url)), fileURLToPath(new URL('../../dist/web/', import.meta.url))];
  const found = candidates.find((dir) => existsSync(join(dir, 'verify/app.js')));
  if (!found) throw new Error(`Public page bundles not found (run npm run build; looked in ${candidates.join(', ')})`);
  return found;
}

const JS = 'text/javascript; charset=utf-8';
/** [served name, type, file] */
const FILES: Array<[name: string, type: string, file: () => string]> = [
  ['app.js', JS, () => join(webBundlesDir(), 'public/app.js')],
  ['app.css', 'text/css; charset=utf-8', () => join(webAssetsDir(), 'app.css')],
  ['verify.js', JS, () => join(webBundlesDir(), 'verify/app.js')],
  ['verify-worker.js', JS, () => join(webBundlesDir(), 'verify-worker/app.js')],
];

const WINNERS_PAGE_SIZE = 20;
const WORKER_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; object-src 'none'; base-uri 'self'";

/**
 * One served file and its compressed forms: the .br and .gz that scripts/build-web.mjs wrote next to a
 * bundle when they are there (brotli at quality 11 of a 500 KB bundle takes a second: not at every start),
 * else compressed here once.
 */
function asset(file: string, type: string): Asset {
  const body = readFileSync(file);
  const prebuilt = (suffix: string) => (existsSync(`${file}${suffix}`) ? readFileSync(`${file}${suffix}`) : null);
  return {
    type,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    bodies: {
      identity: body,
      gzip: prebuilt('.gz') ?? gzipSync(body, { level: 9 }),
      br: prebuilt('.br') ?? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
    },
  };
}

/**
 * The public web pages (zh-CN), server-rendered from the public API's cached answers: `/` and one page
 * per draw at `/draws/<id>`, readable without JavaScript; their script (bundled from src/public/web-src/public-page.js,
 * an ES module whose chart code is a chunk under /chunks/ loaded when needed) and style sheet are separate files
 * (the Content-Security-Policy allows no inline script), compressed once at start-up and revalidated by ETag.
 */
@ApiExcludeController()
@Controller()
export class PublicPageController {
  private readonly assets: Record<string, Asset>;
  /** dist/web/public/: app.js's lazily loaded, content-hashed chunks (the fairness chart and ECharts). */
  private readonly bundle = new StaticAssets(join(webBundlesDir(), 'public'));
  /** The chunks app.js imports itself (esbuild's shared helpers), named in the pages for modulepreload. */
  private readonly preload = JSON.parse(readFileSync(join(webBundlesDir(), 'public/preload.json'), 'utf8')) as string[];
  private readonly basePath: string;

  constructor(
    private readonly service: PublicService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.assets = Object.fromEntries(FILES.map(([name, type, file]) => [name, asset(file(), type)]));
    this.basePath = new URL(config.PUBLIC_BASE_URL).pathname.replace(/\/+$/, '');
  }

  @Get()
  async index(@Query('campaign') wanted: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const campaigns = this.campaigns();
    const campaign = campaigns.find((c) => c.id === wanted) ?? campaigns[0] ?? null;
    const draws = campaign ? this.parse<{ items: DrawSummaryDto[] }>(await this.service.campaignDraws(campaign.id)).items : [];
    const data: PageData = { basePath: this.basePath, preload: this.preload, campaign, campaigns, draws, winners: await this.firstWinnerPages(draws) };
    await this.sendPage(renderHomePage(data), request, reply);
  }

  @Get('draws/:id')
  async drawPage(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const detail = this.parse<DrawDetailDto>(await this.service.draw(id));
    const campaigns = this.campaigns();
    const campaign = campaigns.find((c) => c.id === detail.campaignId) ?? null;
    const data = { basePath: this.basePath, preload: this.preload, campaign, campaigns, draws: [detail], winners: await this.firstWinnerPages([detail]), detail };
    await this.sendPage(renderDrawPage(data), request, reply);
  }

  @Get('app.js')
  script(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('app.js', request, reply);
  }

  /** A chunk app.js imports when it needs it (chunks/<name>-<HASH>.js): immutable, its name changes with its content. */
  @Get('chunks/:file')
  chunk(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.bundle.send(`chunks/${file}`, request, reply);
  }

  @Get('app.css')
  style(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('app.css', request, reply);
  }

  @Get('verify.js')
  verifyScript(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('verify.js', request, reply);
  }

  @Get('verify-worker.js')
  verifyWorker(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('verify-worker.js', request, reply);
  }

  private campaigns(): CampaignDto[] {
    return this.parse<{ items: CampaignDto[] }>(this.service.campaigns()).items;
  }

  private async firstWinnerPages(draws: DrawSummaryDto[]): Promise<Map<string, WinnersPageDto>> {
    const pages = new Map<string, WinnersPageDto>();
    for (const d of draws) {
      if (d.status === 'published') pages.set(d.id, this.parse<WinnersPageDto>(await this.service.winners(d.id, undefined, 1, WINNERS_PAGE_SIZE)));
    }
    return pages;
  }

  private parse<T>(cached: { body: string }): T {
    return JSON.parse(cached.body) as T;
  }

  /** A rendered page: as fresh as the public API (5 s in shared caches), revalidated by ETag. */
  private async sendPage(page: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const etag = `"${createHash('sha256').update(page).digest('base64url').slice(0, 22)}"`;
    void reply.header('ETag', etag).header('Cache-Control', 'public, max-age=5');
    if (request.headers['if-none-match'] === etag) {
      await reply.status(304).send();
      return;
    }
    await reply.header('Content-Type', 'text/html; charset=utf-8').send(page);
  }

  private async serve(name: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const a = this.assets[name];
    void reply.header('ETag', a.etag).header('Cache-Control', 'public, no-cache').header('Vary', 'Accept-Encoding');
    if (request.headers['if-none-match'] === a.etag) {
      await reply.status(304).send();
      return;
    }
    const sizes = { identity: a.bodies.identity.length, gzip: a.bodies.gzip.length, br: a.bodies.br.length };
    const encoding = chooseEncoding(request.headers['accept-encoding'], { key: name, contentType: a.type, sha256: '', sizes, meta: {} });
    if (encoding !== 'identity') void reply.header('Content-Encoding', encoding);
    // A worker runs under its own script's CSP: the verifier's may compile its WebAssembly SHA-256, nothing else.
    if (name === 'verify-worker.js') void reply.header('Content-Security-Policy', WORKER_CSP);
    await reply.header('Content-Type', a.type).send(a.bodies[encoding]);
  }
}
