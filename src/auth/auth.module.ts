import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { ConsumerGuard, RegistryKeyGuard, StaffGuard } from './guards.js';
import { TokenService } from './token.service.js';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: config.JWT_SECRET, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  providers: [TokenService, StaffGuard, ConsumerGuard, RegistryKeyGuard],
  exports: [TokenService, StaffGuard, ConsumerGuard, RegistryKeyGuard],
})
export class AuthModule {}
