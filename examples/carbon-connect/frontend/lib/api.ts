/** The backend's grant matching: GET /api/v1/grants/match?q=<text>&limit=<k>. */

export interface GrantMatch {
  id: number;
  title: string;
  distance: number;
}

export const DEFAULT_API_URL = "http://127.0.0.1:8000";

/** The backend's base URL: NEXT_PUBLIC_API_URL (inlined at build time), without a trailing slash. */
export function apiBaseUrl(
  configured: string | undefined = process.env.NEXT_PUBLIC_API_URL,
): string {
  const base = configured?.trim() || DEFAULT_API_URL;
  return base.replace(/\/+$/, "");
}

export function matchUrl(base: string, query: string, limit: number): string {
  const params = new URLSearchParams({ q: query, limit: String(limit) });
  return `${base}/api/v1/grants/match?${params.toString()}`;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The grants nearest to `query`, best first; an ApiError when the backend does not answer 200. */
export async function matchGrants(
  query: string,
  options: { base?: string; limit?: number; fetcher?: typeof fetch } = {},
): Promise<GrantMatch[]> {
  const { base = apiBaseUrl(), limit = 5, fetcher = fetch } = options;
  const response = await fetcher(matchUrl(base, query, limit), {
    headers: { Accept: "application/json" },
  });
  if (!response.ok) {
    throw new ApiError(
      `the backend answered ${response.status}`,
      response.status,
    );
  }
  const body: unknown = await response.json();
  if (!Array.isArray(body)) {
    throw new ApiError("the backend's answer is not a list of matches");
  }
  return body.map(toMatch);
}

function toMatch(item: unknown): GrantMatch {
  const record = (item ?? {}) as Record<string, unknown>;
  if (typeof record.id !== "number" || typeof record.title !== "string") {
    throw new ApiError("a match has no numeric id or no title");
  }
  return {
    id: record.id,
    title: record.title,
    distance: Number(record.distance),
  };
}
