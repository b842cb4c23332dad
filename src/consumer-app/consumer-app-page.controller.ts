import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StaticAssets } from '../app/static-assets.js';

/**
 * The consumers' web app (zh-CN, phone first) at /app: static files built from src/consumer-app/web by
 * scripts/build-web.mjs. The page holds no data; everything it shows comes from the documented consumer
 * API routes, called with the consumer session cookie (POST /api/v1/auth/session).
 */
@ApiExcludeController()
@Controller('app')
export class ConsumerAppPageController {
  private readonly assets = StaticAssets.locate('app', [fileURLToPath(new URL('../../web/app/', import.meta.url)), resolve('dist/web/app')]);

  @Get()
  index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.assets.send('index.html', request, reply);
  }

  @Get(':file')
  file(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.assets.send(file === 'index.html' ? '' : file, request, reply);
  }
}
