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
};

export function errorText(error) {
  return ERROR_TEXTS[error && error.code] || (error && error.message) || '操作失败';
}
