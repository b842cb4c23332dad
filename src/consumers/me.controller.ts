import { Body, Controller, Get, Header, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConsumerOnly, CurrentConsumerId } from '../auth/guards.js';
import { ConsumersService } from './consumers.service.js';
import { BindIdentityDto, ConsumerProfileDto } from './dto/consumer.dto.js';

/** The signed-in consumer's own account. */
@ApiTags('consumers')
@Controller('api/v1/me')
@ConsumerOnly()
export class MeController {
  constructor(private readonly consumers: ConsumersService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The account, with phone, name and ID number masked' })
  async me(@CurrentConsumerId() consumerId: number): Promise<ConsumerProfileDto> {
    return this.consumers.profile(consumerId);
  }

  @Put('identity')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Bind a real-name identity (idempotent). 422 ID_NUMBER_INVALID / ID_NUMBER_UNDERAGE, 409 IDENTITY_ALREADY_BOUND / IDENTITY_ALREADY_VERIFIED',
  })
  async bindIdentity(@CurrentConsumerId() consumerId: number, @Body() body: BindIdentityDto): Promise<ConsumerProfileDto> {
    return this.consumers.bindIdentity(consumerId, body.realName, body.idNumber);
  }
}
