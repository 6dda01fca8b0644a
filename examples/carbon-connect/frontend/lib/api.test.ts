import {
  ApiError,
  DEFAULT_API_URL,
  apiBaseUrl,
  matchGrants,
  matchUrl,
} from "@/lib/api";

function answer(status: number, body: unknown): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status });
}

describe("apiBaseUrl", () => {
  it("uses the configured URL without trailing slashes", () => {
    expect(apiBaseUrl("http://api.test:9000//")).toBe("http://api.test:9000");
  });

  it("falls back to the local backend when nothing is configured", () => {
    expect(apiBaseUrl("")).toBe(DEFAULT_API_URL);
    expect(apiBaseUrl(undefined)).toBe(DEFAULT_API_URL);
  });
});

describe("matchUrl", () => {
  it("encodes the query and the limit", () => {
    expect(matchUrl("http://api.test", "solar & wind", 3)).toBe(
      "http://api.test/api/v1/grants/match?q=solar+%26+wind&limit=3",
    );
  });
});

describe("matchGrants", () => {
  it("asks the match endpoint and returns the matches in order", async () => {
    const seen: string[] = [];
    const fetcher: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(
        JSON.stringify([
          { id: 2, title: "Solar roofs", distance: 0.1 },
          { id: 7, title: "Heat pumps", distance: "0.4" },
        ]),
      );
    };
    const matches = await matchGrants("solar", {
      base: "http://api.test",
      limit: 2,
      fetcher,
    });
    expect(seen).toEqual([
      "http://api.test/api/v1/grants/match?q=solar&limit=2",
    ]);
    expect(matches).toEqual([
      { id: 2, title: "Solar roofs", distance: 0.1 },
      { id: 7, title: "Heat pumps", distance: 0.4 },
    ]);
  });

  it("fails with the status when the backend does not answer 200", async () => {
    const failure = matchGrants("solar", {
      base: "http://api.test",
      fetcher: answer(503, {}),
    });
    await expect(failure).rejects.toThrow(
      new ApiError("the backend answered 503", 503),
    );
  });

  it("refuses an answer that is not a list of matches", async () => {
    const notList = matchGrants("x", {
      base: "http://api.test",
      fetcher: answer(200, { id: 1 }),
    });
    await expect(notList).rejects.toThrow("not a list of matches");
    const noTitle = matchGrants("x", {
      base: "http://api.test",
      fetcher: answer(200, [{ id: 1 }]),
    });
    await expect(noTitle).rejects.toThrow("no numeric id or no title");
  });
});
