/**
 * The one error type of the domain. A service throws `DomainError(code, kind, message)`;
 * the error handler turns the kind into an HTTP status and the message into the answer.
 * Messages are for people: Simplified Chinese, saying what happened and what to do.
 */
export type ErrorKind =
  | 'invalid' // 422: the request is well-formed but breaks a rule
  | 'bad_request' // 400: the request cannot be read
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409: the record's state does not allow it
  | 'too_large' // 413
  | 'unsupported' // 415
  | 'rate_limited' // 429
  | 'unavailable' // 503

export const statusOfKind: Record<ErrorKind, number> = {
  invalid: 422,
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  rate_limited: 429,
  unavailable: 503,
}

/** One problem with one field of the input, e.g. `{ field: 'mobile', message: '手机号码格式不正确' }`. */
export interface FieldProblem {
  field: string
  message: string
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message)
    this.name = 'DomainError'
  }

  get status(): number {
    return statusOfKind[this.kind]
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', 'not_found', `找不到${what}`)

export const invalidInput = (details: FieldProblem[], message = '提交的内容有误，请按提示修改') =>
  new DomainError('VALIDATION_FAILED', 'invalid', message, details)
