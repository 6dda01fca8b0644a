import { cleanup, render, screen } from "@testing-library/react";

import { GrantList, similarity } from "@/components/GrantList";

afterEach(cleanup);

describe("similarity", () => {
  it("turns a cosine distance into a percentage, clamped to 0–100", () => {
    expect(similarity(0)).toBe("100 %");
    expect(similarity(0.254)).toBe("75 %");
    expect(similarity(1.7)).toBe("0 %");
    expect(similarity(-0.2)).toBe("100 %");
  });
});

describe("GrantList", () => {
  it("renders one item per match", () => {
    render(
      <GrantList matches={[{ id: 3, title: "Green fleet", distance: 0.3 }]} />,
    );
    const items = screen.getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual(["Green fleet 70 %"]);
  });
});
