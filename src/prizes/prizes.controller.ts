import { Body, Controller, Get, Header, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConsumerOnly, CurrentConsumerId } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
import { Idempotent } from '../core/idempotency/idempotency.interceptor.js';
import { ClaimPrizeDto, PrizeListDto, PrizeViewDto } from './dto/prize.dto.js';
import { PrizesService } from './prizes.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

const idPipe = new ParseIntPipe({ exceptionFactory: () => DomainError.badRequest('VALIDATION_FAILED', 'id must be an integer') });

/** The signed-in consumer's prizes. */
@ApiTags('prizes')
@Controller('api/v1/me/prizes')
@ConsumerOnly()
export class PrizesController {
  constructor(private readonly prizes: PrizesService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Own prizes: gross, tax and net in cents, status, claim deadline; bank account and invoice number masked' })
  @ApiResponse({ status: 200, type: PrizeListDto })
  async list(@CurrentConsumerId() consumerId: number): Promise<PrizeListDto> {
    return { items: await this.prizes.listForConsumer(consumerId) };
  }

  @Post(':id/claim')
  @Idempotent()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Claim a prize into a bank account (idempotent for the same details). 404 PRIZE_NOT_FOUND; 409 PRIZE_ALREADY_CLAIMED / ' +
      'PRIZE_FORFEITED / PRIZE_REVOKED / PRIZE_CLAIM_CLOSED / PRIZE_NOT_YET_PAYABLE; 422 IDENTITY_REQUIRED / CLAIMANT_NAME_MISMATCH; 400 VALIDATION_FAILED',
  })
  @ApiResponse({ status: 200, type: PrizeViewDto })
  @ApiErrors('PRIZE_NOT_FOUND', 'PRIZE_ALREADY_CLAIMED', 'PRIZE_CLAIM_CONFLICT', 'PRIZE_FORFEITED', 'PRIZE_REVOKED', 'PRIZE_CLAIM_CLOSED', 'PRIZE_NOT_YET_PAYABLE', 'IDENTITY_REQUIRED', 'CLAIMANT_NAME_MISMATCH', 'CLAIMANT_IDENTITY_MISMATCH', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_INVALID', 'IDEMPOTENCY_KEY_IN_USE')
  claim(@CurrentConsumerId() consumerId: number, @Param('id', idPipe) id: number, @Body() body: ClaimPrizeDto): Promise<PrizeViewDto> {
    return this.prizes.claim(consumerId, id, body.bankName, body.bankAccount);
  }
}
