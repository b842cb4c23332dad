import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StaticAssets } from '../app/static-assets.js';

/**
 * The tax bureau's console (zh-CN) at /console: static files built from src/console/web by
 * scripts/build-web.mjs. The page itself is public (it holds no data); everything it shows comes from the
 * documented, access-checked API routes, called with the staff session cookie.
 */
@ApiExcludeController()
@Controller('console')
export class ConsolePageController {
  private readonly assets = StaticAssets.locate('console', [fileURLToPath(new URL('../../web/console/', import.meta.url)), resolve('dist/web/console')]);

  @Get()
  index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.assets.send('index.html', request, reply);
  }

  /** The lazily loaded chunks of the console's script (ECharts for the dashboard), content-hashed: immutable. */
  @Get('chunks/:file')
  chunk(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.assets.send(`chunks/${file}`, request, reply);
  }

  @Get(':file')
  file(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.assets.send(file, request, reply);
  }
}
