import { Controller, Get, Header, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConsumerOnly, CurrentConsumerId } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
import { ListNotificationsQueryDto, MarkAllReadResultDto, NotificationPageDto, NotificationViewDto } from './dto/notification.dto.js';
import { NotificationsService } from './notifications.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

const idPipe = new ParseIntPipe({ exceptionFactory: () => DomainError.badRequest('VALIDATION_FAILED', 'id must be an integer') });

/** The signed-in consumer's in-app notifications. */
@ApiTags('notifications')
@Controller('api/v1/me/notifications')
@ConsumerOnly()
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Own notifications, newest first, with the unread count' })
  @ApiResponse({ status: 200, type: NotificationPageDto })
  list(@CurrentConsumerId() consumerId: number, @Query() query: ListNotificationsQueryDto): Promise<NotificationPageDto> {
    return this.notifications.listForConsumer(consumerId, query.page ?? 1, query.pageSize ?? 20);
  }

  @Post('read-all')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Mark every own notification read (idempotent)' })
  @ApiResponse({ status: 200, type: MarkAllReadResultDto })
  readAll(@CurrentConsumerId() consumerId: number): Promise<MarkAllReadResultDto> {
    return this.notifications.markAllRead(consumerId);
  }

  @Post(':id/read')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Mark one notification read (idempotent). 404 NOTIFICATION_NOT_FOUND for someone else's" })
  @ApiResponse({ status: 200, type: NotificationViewDto })
  @ApiErrors('NOTIFICATION_NOT_FOUND')
  read(@CurrentConsumerId() consumerId: number, @Param('id', idPipe) id: number): Promise<NotificationViewDto> {
    return this.notifications.markRead(consumerId, id);
  }
}
