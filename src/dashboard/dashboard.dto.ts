import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { ImportLogEntryDto } from '../registry/registry-admin.controller.js';

export class DashboardQueryDto {
  @ApiPropertyOptional({ example: 'henan-2022', description: 'default: the first campaign (in file order) still taking registrations on the service clock, else the first' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'campaignId must be a campaign id' })
  campaignId?: string;

  @ApiPropertyOptional({ example: '2022-08', description: "default: the current period (the first not yet frozen); 'YYYY-MM', 'YYYY-MMa'/'YYYY-MMb' or the campaign's own key" })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,16}$/, { message: 'period must be a period key (YYYY-MM, YYYY-MMa/b or the campaign\'s own)' })
  period?: string;
}

class StatusCountsDto {
  @ApiProperty() verified: number;
  @ApiProperty() pending: number;
  @ApiProperty() rejected: number;
  @ApiProperty() revoked: number;
}
class DayCountsDto extends StatusCountsDto {
  @ApiProperty({ example: '2022-08-10' }) day: string;
}
class CityCountsDto extends StatusCountsDto {
  @ApiProperty({ example: '郑州市' }) city: string;
}
class RegistrationsDto {
  @ApiProperty({ type: [DayCountsDto], description: 'by registration day (Asia/Shanghai)' }) byDay: DayCountsDto[];
  @ApiProperty({ type: [CityCountsDto], description: 'by the issuing city of the invoice code' }) byCity: CityCountsDto[];
  @ApiProperty({ type: StatusCountsDto }) totals: StatusCountsDto;
}
class PeriodDto {
  @ApiProperty() key: string;
  @ApiProperty() startDate: string;
  @ApiProperty() endDate: string;
  @ApiProperty() freezeAt: string;
  @ApiProperty() drawAt: string;
  @ApiProperty({ description: 'this is the current period' }) current: boolean;
  @ApiProperty({ description: 'on the service clock; 0 once frozen' }) secondsUntilFreeze: number;
}
class PendingDto {
  @ApiProperty() count: number;
  @ApiPropertyOptional({ type: String, nullable: true }) oldestRegisteredAt: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) oldestAgeSeconds: number | null;
}
class FeedDto {
  @ApiPropertyOptional({ type: ImportLogEntryDto, nullable: true }) lastImport: ImportLogEntryDto | null;
}
class RefusalCountDto {
  @ApiProperty({ example: 'DAILY_LIMIT_REACHED' }) code: string;
  @ApiProperty() count: number;
}

export class DashboardDto {
  @ApiProperty() campaign: { id: string; name: string };
  @ApiProperty({ description: 'every campaign the service runs, to choose from' }) campaigns: Array<{ id: string; name: string }>;
  @ApiProperty({ description: 'the service clock' }) now: string;
  @ApiProperty({ type: [String] }) periods: string[];
  @ApiProperty({ type: PeriodDto }) period: PeriodDto;
  @ApiProperty({ type: RegistrationsDto }) registrations: RegistrationsDto;
  @ApiProperty({ type: PendingDto, description: 'all pending registrations of every period' }) pending: PendingDto;
  @ApiProperty({ type: FeedDto }) feed: FeedDto;
  @ApiProperty({ type: [RefusalCountDto], description: 'refused registration attempts of the last 24 hours by reason code, top 10' }) refusals24h: RefusalCountDto[];
}
