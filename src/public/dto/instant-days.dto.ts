import { ApiProperty } from '@nestjs/swagger';

export class InstantDayDto {
  @ApiProperty({ example: 'zhuzhou-2026-instant-2026-11-03', description: 'the ILI-1 day id' }) dayId: string;
  @ApiProperty() campaignId: string;
  @ApiProperty({ example: '2026-11-03', description: 'the Asia/Shanghai calendar day' }) date: string;
  @ApiProperty({ enum: ['committed', 'open', 'closed', 'published'] }) status: string;
  @ApiProperty() opensAt: string;
  @ApiProperty() closesAt: string;
  @ApiProperty({ description: 'SHA-256 of the day secret, published before the day opens' }) secretHash: string;
  @ApiProperty() committedAt: string;
  @ApiProperty({ description: 'entries in the day log so far' }) entryCount: number;
  @ApiProperty({ nullable: true, type: String }) publishedAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'SHA-256 of the published log' }) logDigest: string | null;
  @ApiProperty({ example: '/api/v1/public/instant-days/zhuzhou-2026-instant-2026-11-03/commitment' }) commitmentUrl: string;
  @ApiProperty({ nullable: true, type: String, description: 'from publication on' }) logUrl: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'from publication on (reveals the secret)' }) bundleUrl: string | null;
}

export class InstantDayListDto {
  @ApiProperty({ type: [InstantDayDto] }) items: InstantDayDto[];
}
