import { Body, Controller, Get, Header, Ip, Patch, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConsumerOnly, CurrentConsumerId } from '../auth/guards.js';
import { ConsumersService } from './consumers.service.js';
import { BindIdentityDto, ConsumerProfileDto, UpdateMeDto } from './dto/consumer.dto.js';
import { IdentityBindingService } from './identity-binding.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

/** The signed-in consumer's own account. */
@ApiTags('consumers')
@Controller('api/v1/me')
@ConsumerOnly()
export class MeController {
  constructor(
    private readonly consumers: ConsumersService,
    private readonly identities: IdentityBindingService,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The account, with phone, name and ID number masked; identityStatus and the automatic-entry choice' })
  @ApiResponse({ status: 200, type: ConsumerProfileDto })
  async me(@CurrentConsumerId() consumerId: number): Promise<ConsumerProfileDto> {
    return this.consumers.profile(consumerId);
  }

  @Patch()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Opt in or out of automatic entry (idempotent). Opting in needs a verified identity: 422 IDENTITY_REQUIRED' })
  @ApiResponse({ status: 200, type: ConsumerProfileDto })
  @ApiErrors('IDENTITY_REQUIRED')
  async update(@CurrentConsumerId() consumerId: number, @Body() body: UpdateMeDto): Promise<ConsumerProfileDto> {
    return this.consumers.setAutoEntry(consumerId, body.autoEntry);
  }

  @Put('identity')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Verify and bind a real-name identity (three elements: name, ID number, this account\'s phone; idempotent). 422 ID_NUMBER_INVALID / ' +
      'ID_NUMBER_UNDERAGE / IDENTITY_NOT_VERIFIED, 409 IDENTITY_ALREADY_VERIFIED, 429 RATE_LIMITED, 503 IDENTITY_PROVIDER_UNAVAILABLE',
  })
  @ApiResponse({ status: 200, type: ConsumerProfileDto })
  @ApiErrors('ID_NUMBER_INVALID', 'ID_NUMBER_UNDERAGE', 'IDENTITY_NOT_VERIFIED', 'IDENTITY_ALREADY_VERIFIED', 'RATE_LIMITED', 'IDENTITY_PROVIDER_UNAVAILABLE')
  async bindIdentity(@CurrentConsumerId() consumerId: number, @Body() body: BindIdentityDto, @Ip() ip: string): Promise<ConsumerProfileDto> {
    return this.identities.bind(consumerId, body.realName, body.idNumber, ip);
  }
}
