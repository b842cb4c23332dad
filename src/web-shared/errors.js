// The reason codes of the API (README "API") as Chinese text; unknown codes show the server's message.
export const ERROR_TEXTS = {
  AUTH_REQUIRED: '请先登录',
  SESSION_REQUIRED: '请先登录',
  SESSION_EXPIRED: '登录已过期（长时间未操作或已退出），请重新登录',
  TOKEN_EXPIRED: '登录已过期，请重新登录',
  TOKEN_INVALID: '登录信息无效，请重新登录',
  INVALID_CREDENTIALS: '用户名或密码错误',
  RATE_LIMITED: '尝试次数过多，请稍后再试',
  ROLE_REQUIRED: '您的角色无权执行此操作',
  STAFF_ONLY: '仅限税务工作人员',
  CSRF_ORIGIN_MISMATCH: '请求来源不符，已拒绝',
  CSRF_TOKEN_INVALID: '页面已过期，请刷新后重试',
  SELF_APPROVAL_FORBIDDEN: '不能审批自己提交的开奖申请（须由另一名审核员审批）',
  DRAW_NOT_FROZEN: '该期尚未截止，不能申请开奖',
  DRAW_ALREADY_APPROVED: '该期开奖已获批准',
  DRAW_IN_PROGRESS: '该期正在开奖',
  DRAW_REQUEST_ALREADY_DECIDED: '该申请已处理',
  DRAW_NOT_FAILED: '该期没有失败，无需重试',
  DRAW_NOT_PUBLISHED: '该期尚未公布',
  DRAW_NOT_FOUND: '没有这一期',
  STAFF_USERNAME_TAKEN: '用户名已存在',
  STAFF_NOT_FOUND: '没有该工作人员账号',
  VALIDATION_FAILED: '填写的内容不符合要求',
  UNSUPPORTED_MEDIA_TYPE: '文件格式不对（需要 NDJSON）',
  PAYLOAD_TOO_LARGE: '文件过大',
  SERVICE_UNAVAILABLE: '服务暂时不可用，请稍后再试',
  NETWORK: '网络连接失败，请检查网络后重试',
  MALFORMED_JSON: '格式错误：不是有效的 JSON',
  MISSING_FIELD: '缺少必填字段',
  INVALID_FIELD: '字段取值无效',
  LINE_TOO_LONG: '行过长',
  INELIGIBLE_TYPE: '发票类型不参加活动',
  CHECK_CODE_REQUIRED: '缺少校验码',
  OUTSIDE_REGION: '非河南省开具',
  ISSUE_DATE_IN_FUTURE: '开票日期在未来',
  OUTSIDE_CAMPAIGN: '不在活动期内',
  REGISTRATION_TOO_LATE: '超过登记期限',
  AMOUNT_TOO_SMALL: '金额不足 20 元',
  IDENTITY_REQUIRED: '未完成实名认证',
  PERIOD_CLOSED: '该期已截止',
  DAILY_LIMIT_REACHED: '超过每日登记上限',
  MONTHLY_LIMIT_REACHED: '超过每月登记上限',
  CAMPAIGN_LIMIT_REACHED: '超过本活动登记上限',
  INVOICE_MISMATCH: '与税务记录不符',
  INVOICE_EXCLUDED: '发票不符合参与条件',
  INVOICE_ALREADY_REGISTERED: '发票已被登记',
  IMPORT_NOT_FOUND: '没有该导入任务',
  // Consumers (the web app at /app); ERROR_ADVICE explains these in full and says what to do next.
  CONSUMER_ONLY: '仅限消费者账号',
  OTP_INVALID: '验证码不正确',
  OTP_EXPIRED: '验证码已失效',
  OTP_LOCKED: '验证码输错次数过多，已失效',
  ID_NUMBER_INVALID: '身份证号码有误',
  ID_NUMBER_UNDERAGE: '未满18周岁不能参加本活动',
  IDENTITY_NOT_VERIFIED: '实名核验未通过',
  IDENTITY_ALREADY_VERIFIED: '您已完成实名认证',
  IDENTITY_PROVIDER_UNAVAILABLE: '实名核验服务暂时不可用',
  QR_MALFORMED: '不是发票二维码',
  INVOICE_NOT_FOUND: '没有这张发票的登记',
  IDEMPOTENCY_KEY_REUSED: '重复提交的内容与第一次不同',
  IDEMPOTENCY_KEY_INVALID: '请求标识无效，请刷新页面后重试',
  IDEMPOTENCY_KEY_IN_USE: '上一次提交仍在处理中，请稍后再试',
  FILE_TOO_LARGE: '文件太大',
  FILE_UNPACKED_TOO_LARGE: '文件内容太大',
  FILE_TOO_MANY_PAGES: '文件页数太多',
  FILE_TYPE_UNSUPPORTED: '不支持这种文件格式',
  FILE_UNREADABLE: '文件无法读取',
  FILE_NOT_AN_INVOICE: '文件中没有找到发票',
  FILE_QR_TEXT_MISMATCH: '发票二维码与票面内容不一致',
  FILE_READ_TIMEOUT: '文件读取超时，请改为扫描发票二维码',
  AWAITING_REGISTRY_RECORD: '等待税务局开票记录',
  NOT_VERIFIED_BEFORE_FREEZE: '未赶上本期抽奖',
  INVOICE_VOIDED: '发票已作废',
  INVOICE_RED_FLUSHED: '发票已红冲',
  PRIZE_NOT_FOUND: '没有这个奖项',
  PRIZE_CLAIM_CLOSED: '领奖期限已过',
  PRIZE_ALREADY_CLAIMED: '这个奖已经领取过',
  PRIZE_CLAIM_CONFLICT: '这个奖已用另一个银行账户申领过',
  PRIZE_FORFEITED: '逾期未领，已转给候补中奖人',
  PRIZE_REVOKED: '奖项已取消',
  PRIZE_NOT_YET_PAYABLE: '即开即奖奖金须待发票复核通过后领取',
  INVOICE_NOT_VERIFIED: '发票未通过税务核验',
  CLAIMANT_NAME_MISMATCH: '实名信息与发票购买方不一致',
  CLAIMANT_IDENTITY_MISMATCH: '实名身份与发票购买方不一致',
  CLAIM_WINDOW_EXPIRED: '超过60天领奖期限',
  NOTIFICATION_NOT_FOUND: '没有这条消息',
};

/**
 * For consumers: what a reason code means, in plain words, and what they can do about it (the web app
 * shows it under the ERROR_TEXTS line, so a refusal is never a bare code).
 */
export const ERROR_ADVICE = {
  RATE_LIMITED: '为保护账户安全，请等上面的时间过后再试。',
  OTP_INVALID: '请核对短信中的6位验证码后重新输入。',
  OTP_EXPIRED: '验证码5分钟内有效、只能用一次，重新获取后旧的就失效了。请点“重新获取”。',
  OTP_LOCKED: '请点“重新获取”收取新的验证码。',
  ID_NUMBER_INVALID: '身份证号共18位，最后一位可能是X，请对照身份证重新输入。',
  IDENTITY_NOT_VERIFIED: '姓名、身份证号和本手机号的登记机主须是同一人。请核对姓名，并确认本手机号是用您本人身份证办理的。',
  IDENTITY_PROVIDER_UNAVAILABLE: '您填写的信息没有保存，请过几分钟再试。',
  IDENTITY_REQUIRED: '登记发票和领奖前，需要完成实名认证（姓名、身份证号、手机号三要素核验）。请到“我的”页面完成。',
  QR_MALFORMED: '请对准发票左上角的二维码重新扫描，或改用手动输入。',
  INELIGIBLE_TYPE: '专用发票是开给企业的。本活动只接受增值税普通发票（纸质、电子、卷式）和数电普通发票。',
  CHECK_CODE_REQUIRED: '校验码在发票右上角，共20位，填全部或后6位都可以。',
  OUTSIDE_REGION: '只有河南省内开具的发票可以参加（发票代码第2至5位表示地区，河南为41开头；数电发票号码第3、4位是省份，河南为41）。',
  ISSUE_DATE_IN_FUTURE: '请对照发票核对开票日期。',
  OUTSIDE_CAMPAIGN: '本活动只接受2022年7月15日至12月31日开具的发票。',
  REGISTRATION_TOO_LATE: '发票须在开票后90天内登记。以后拿到发票请尽早登记。',
  AMOUNT_TOO_SMALL: '金额满20元的发票才能参加。',
  PERIOD_CLOSED: '每月的发票须在该月结束后5天内登记，这张已经赶不上该期抽奖了。',
  DAILY_LIMIT_REACHED: '每人每天最多登记5张发票，明天再来吧。',
  MONTHLY_LIMIT_REACHED: '每人每月最多登记45张发票，下个月再来吧。',
  CAMPAIGN_LIMIT_REACHED: '每人在本活动期间可登记的发票数量已达上限，感谢参与。',
  INVOICE_MISMATCH: '金额、开票日期或校验码与税务局的记录不一致。请对照发票逐项核对后重新提交；多次不一致会被暂时限制登记。',
  INVOICE_EXCLUDED: '已作废或红冲的发票，代开、收购、定额发票，以及购买方是单位或其他人的发票不能参加。如有疑问，请向开票商家或12366咨询。',
  INVOICE_ALREADY_REGISTERED: '如果您从未登记过这张发票，请保留好发票原件，拨打12366纳税服务热线咨询。',
  AWAITING_REGISTRY_RECORD: '税务局的开票记录通常一天内到达，核验通过后自动参加抽奖，无需再次提交。',
  NOT_VERIFIED_BEFORE_FREEZE: '该期截止前仍未收到税务局的开票记录。请向开票商家核实发票是否已上传税务系统。',
  INVOICE_VOIDED: '作废的发票不参加抽奖。',
  INVOICE_RED_FLUSHED: '被红字冲销的发票不参加抽奖。',
  PRIZE_CLAIM_CLOSED: '奖金须在开奖后60天内申领。如有疑问，请拨打12366咨询。',
  PRIZE_FORFEITED: '奖金须在开奖后60天内申领。',
  CLAIMANT_NAME_MISMATCH: '奖金只发给发票购买方本人，请用购买方本人的账号领取。',
  CLAIMANT_IDENTITY_MISMATCH: '奖金只发给发票购买方本人，请用购买方本人的账号领取。',
  NETWORK: '请检查网络连接后重试。',
  SERVICE_UNAVAILABLE: '请稍后再试。',
  SESSION_EXPIRED: '请重新登录。',
  VALIDATION_FAILED: '请按提示检查填写的内容。',
};

export function errorText(error) {
  return ERROR_TEXTS[error && error.code] || (error && error.message) || '操作失败';
}

/** A wait in seconds as 2小时5分 / 3分20秒 / 45秒 (the RATE_LIMITED wait). */
export function waitText(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}小时${m}分`;
  if (m > 0) return `${m}分${s % 60}秒`;
  return `${s}秒`;
}

/**
 * A refusal (an ApiError or a reason code) explained for consumers: { code, text, advice }. Never the
 * raw code alone: an unknown code shows the server's message. RATE_LIMITED says how long to wait.
 */
export function explain(errorOrCode) {
  const error = typeof errorOrCode === 'string' ? { code: errorOrCode } : errorOrCode || {};
  const code = error.code;
  let text = ERROR_TEXTS[code] || error.message || '操作失败';
  const retry = error.details && error.details.retryAfterSeconds;
  if (code === 'RATE_LIMITED' && typeof retry === 'number') text = `操作太频繁，请在${waitText(retry)}后再试`;
  return { code, text, advice: ERROR_ADVICE[code] || '' };
}
