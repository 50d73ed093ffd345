// Domain errors. Domain code throws these; exactly one table (HTTP_STATUS) turns them into
// HTTP answers of the shape { error: { code, message, details?, requestId } }.
// `message` is always safe to show to the caller; anything internal goes to the log only.

export const HTTP_STATUS = {
  invalid_input: 400,
  invalid_json: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rule_violation: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof HTTP_STATUS;

/** One problem with one field of the input; `path` is the field path, e.g. ["members", 0, "role"]. */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export class ValidationError extends AppError {
  constructor(message: string, issues: FieldIssue[] = []) {
    super("invalid_input", message, { issues });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = "Sign in or send a valid API token (Authorization: Bearer <token>).") {
    super("unauthenticated", message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, details?: unknown) {
    super("forbidden", message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super("not_found", id === undefined ? `${what} not found.` : `${what} "${id}" not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super("conflict", message, details);
  }
}

/** The request is well-formed but a rule refuses it (a policy, a lifecycle, a guardrail). */
export class RuleViolationError extends AppError {
  constructor(message: string, details?: unknown) {
    super("rule_violation", message, details);
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
