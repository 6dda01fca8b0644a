import { cleanup, render, screen } from "@testing-library/react";

import HomePage from "@/app/page";

afterEach(cleanup);

describe("HomePage", () => {
  it("has the title and the search form", () => {
    render(<HomePage />);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe(
      "Carbon Connect",
    );
    expect(screen.getByRole("search")).toBeTruthy();
  });
});
