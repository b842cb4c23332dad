import { Injectable, Logger } from '@nestjs/common';
import { maskPhone } from '../masking.js';
import { smsSends } from '../metrics/metrics.js';

/**
 * Sends one text message to a mainland mobile number (11 digits). The one seam between the service and
 * an SMS gateway: login codes use it now, winner notices later. Implementations must never log the
 * phone number or the message's codes in clear. A rejected promise means the message was not accepted.
 */
export abstract class SmsSender {
  abstract send(phone: string, message: string): Promise<void>;
}

/** Runs of 4 or more digits: one-time codes, phone and ID numbers. */
const DIGIT_RUNS = /\d{4,}/g;

/**
 * The development sender: writes one line to the Nest logger instead of sending, e.g.
 * "SMS to 138****5678: 【…】您的登录验证码是******，5分钟内有效…". The phone is masked and every run of 4+
 * digits in the message (codes, numbers) is replaced by stars, so the log never holds a usable code.
 */
@Injectable()
export class LogSmsSender extends SmsSender {
  private readonly logger = new Logger('SmsSender');

  async send(phone: string, message: string): Promise<void> {
    this.logger.log(`SMS to ${maskPhone(phone)}: ${redactDigits(message)}`);
  }
}

/** The message with every run of 4+ digits replaced by as many stars. */
export function redactDigits(message: string): string {
  return message.replace(DIGIT_RUNS, (run) => '*'.repeat(run.length));
}

/**
 * Puts the deployment's carrier-registered signature (SMS_SIGNATURE) before every message, so the texts
 * themselves name no province or campaign.
 */
export class SignedSmsSender extends SmsSender {
  constructor(
    private readonly signature: string,
    private readonly next: SmsSender,
  ) {
    super();
  }

  send(phone: string, message: string): Promise<void> {
    return this.next.send(phone, `【${this.signature}】${message}`);
  }
}

/** Counts every message in il_sms_sends_total by result (sent, failed), around the gateway adapter. */
export class MeteredSmsSender extends SmsSender {
  constructor(private readonly gateway: SmsSender) {
    super();
  }

  async send(phone: string, message: string): Promise<void> {
    try {
      await this.gateway.send(phone, message);
      smsSends.inc({ result: 'sent' });
    } catch (error) {
      smsSends.inc({ result: 'failed' });
      throw error;
    }
  }
}
