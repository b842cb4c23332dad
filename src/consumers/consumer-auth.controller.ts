import { Body, Controller, Header, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConsumerAuthService } from './consumer-auth.service.js';
import { ConsumerLoginDto, ConsumerTokenDto, OtpIssuedDto, RequestOtpDto } from './dto/consumer.dto.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

/** Consumer sign-in by phone and SMS code. The client address is request.ip (X-Forwarded-For only via TRUST_PROXY). */
@ApiTags('consumers')
@Controller('api/v1/auth')
export class ConsumerAuthController {
  constructor(private readonly auth: ConsumerAuthService) {}

  @Post('otp')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a 6-digit login code by SMS (replaces any earlier code); 429 RATE_LIMITED with Retry-After' })
  @ApiResponse({ status: 202, type: OtpIssuedDto })
  @ApiErrors('RATE_LIMITED')
  async requestCode(@Body() body: RequestOtpDto, @Ip() ip: string): Promise<OtpIssuedDto> {
    return this.auth.requestCode(body.phone, ip);
  }

  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Log in with the code; creates the account on first login. 401 OTP_INVALID / OTP_EXPIRED / OTP_LOCKED' })
  @ApiResponse({ status: 200, type: ConsumerTokenDto })
  @ApiErrors('OTP_INVALID', 'OTP_EXPIRED', 'OTP_LOCKED', 'RATE_LIMITED')
  async login(@Body() body: ConsumerLoginDto, @Ip() ip: string): Promise<ConsumerTokenDto> {
    return { accessToken: await this.auth.login(body.phone, body.code, ip) };
  }
}
