import {
  act,
  cleanup,
  fireEvent,
  render,
  screen,
} from "@testing-library/react";

import { GrantSearch } from "@/components/GrantSearch";
import type { GrantMatch } from "@/lib/api";

afterEach(cleanup);

function searchFor(text: string) {
  fireEvent.change(
    screen.getByLabelText(/what does your organisation want to do/i),
    {
      target: { value: text },
    },
  );
  fireEvent.click(screen.getByRole("button", { name: "Find grants" }));
}

describe("GrantSearch", () => {
  it("lists the matches the search returns, nearest first, with their similarity", async () => {
    const queries: string[] = [];
    const search = async (query: string): Promise<GrantMatch[]> => {
      queries.push(query);
      return [
        { id: 1, title: "Solar roofs for SMEs", distance: 0.12 },
        { id: 4, title: "Heat pump retrofit", distance: 0.55 },
      ];
    };
    render(<GrantSearch search={search} />);
    searchFor("  solar panels  ");

    const list = await screen.findByRole("list", { name: "Matching grants" });
    const items = Array.from(
      list.querySelectorAll("li"),
      (item) => item.textContent,
    );
    expect(queries).toEqual(["solar panels"]);
    expect(items).toEqual([
      "Solar roofs for SMEs 88 %",
      "Heat pump retrofit 45 %",
    ]);
  });

  it("says so when nothing matches", async () => {
    render(<GrantSearch search={async () => []} />);
    searchFor("underwater basket weaving");
    expect(
      await screen.findByText("No grants match this description."),
    ).toBeTruthy();
  });

  it("shows the error when the backend fails", async () => {
    render(
      <GrantSearch
        search={async () => {
          throw new Error("the backend answered 503");
        }}
      />,
    );
    searchFor("solar");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe(
      "The search failed: the backend answered 503",
    );
  });

  it("asks for a description instead of searching for nothing", async () => {
    let called = false;
    render(
      <GrantSearch
        search={async () => {
          called = true;
          return [];
        }}
      />,
    );
    searchFor("   ");
    expect((await screen.findByRole("alert")).textContent).toMatch(
      /describe your organisation/i,
    );
    expect(called).toBe(false);
  });

  it("disables the button while searching", async () => {
    let finish: (matches: GrantMatch[]) => void = () => undefined;
    render(
      <GrantSearch
        search={() => new Promise((resolve) => (finish = resolve))}
      />,
    );
    searchFor("wind");
    const button = screen.getByRole("button", {
      name: "Find grants",
    }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(screen.getByRole("status").textContent).toBe("Searching…");
    await act(async () => finish([]));
    expect(button.disabled).toBe(false);
  });
});
