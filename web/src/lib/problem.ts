/** application/problem+json errors from the API, and helpers to show them in forms. */

export interface ProblemFieldError {
  loc: string;
  msg: string;
  type?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: ProblemFieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: ProblemFieldError[];

  constructor(status: number, problem: Problem) {
    const detail = problem.detail ?? problem.title ?? `Request failed (${status})`;
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.title = problem.title ?? "Error";
    this.detail = detail;
    this.errors = problem.errors ?? [];
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

function toFieldErrors(errors: unknown): ProblemFieldError[] | undefined {
  if (!Array.isArray(errors)) return undefined;
  return errors
    .filter((e): e is Record<string, unknown> => !!e && typeof e === "object")
    .map((e) => ({ loc: text(e.loc) ?? "", msg: text(e.msg) ?? "", type: text(e.type) }));
}

/** Turn a parsed response body into a Problem, whatever the server sent. */
export function toProblem(body: unknown, status: number): Problem {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    return {
      type: text(b.type),
      title: text(b.title),
      status: typeof b.status === "number" ? b.status : status,
      detail: text(b.detail),
      errors: toFieldErrors(b.errors),
    };
  }
  return { status, title: "Error", detail: typeof body === "string" && body ? body : `Request failed (${status})` };
}

/** Strip the request part (`body.`, `query.`) from a dotted loc: `body.events.0.type` → `events.0.type`. */
export function fieldName(loc: string): string {
  const parts = loc.split(".");
  if (parts.length > 1 && ["body", "query", "path", "header"].includes(parts[0])) parts.shift();
  return parts.join(".");
}

/** Map field errors to `{field: message}`; the first message per field wins. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  for (const e of error.errors) {
    const name = fieldName(e.loc);
    if (name && !(name in out)) out[name] = e.msg;
  }
  return out;
}

/** A one-line message for a toast or banner. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.errors.length > 0 && error.status === 422) {
      const first = error.errors[0];
      return `${fieldName(first.loc) || "input"}: ${first.msg}`;
    }
    return error.detail;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong";
}
