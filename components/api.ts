"use client";

/** An error answered by Paved's API: { error: { code, message, details, requestId } }. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { in?: string; issues?: { path: (string | number)[]; message: string }[] } & Record<string, unknown>,
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** Field errors keyed by dotted path, for inline form messages. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const issue of this.details?.issues ?? []) {
      const key = issue.path.join(".");
      out[key] ??= issue.message;
    }
    return out;
  }
}

/** Calls Paved's API from the browser with the session cookie; throws ApiError on 4xx/5xx. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; yaml?: string } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      headers: init.yaml !== undefined ? { "content-type": "application/yaml" } : init.body === undefined ? {} : { "content-type": "application/json" },
      body: init.yaml ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "network", "Paved could not be reached. Check your connection and try again.");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: ApiError["details"]; requestId?: string } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? "http_error", err?.message ?? `Request failed (${res.status}).`, err?.details, err?.requestId);
  }
  return json as T;
}
