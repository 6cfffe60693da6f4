import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockFetch, problem, renderApp } from "../../test/render";
import RulesPage from "./RulesPage";

const rules = [{ id: 3, eventType: "demo_request", name: "Demo request", description: null, points: 50, active: true }];

describe("Scoring rules page", () => {
  it("edits a rule inline and shows the API's field error", async () => {
    const calls = mockFetch(({ method, url }) => {
      if (url === "/api/rules") return { body: { items: rules, total: 1, limit: 200, offset: 0 } };
      if (url === "/api/stages") return { body: { warm: 30, hot: 60, qualified: 100 } };
      if (method === "PATCH" && url === "/api/rules/3")
        return problem(422, "bad", [["body.points", "Input should be less than or equal to 1000", "less_than_equal"]]);
      return undefined;
    });
    renderApp(<RulesPage />, { path: "/app/rules", route: "/app/rules" });
    await userEvent.click(await screen.findByRole("button", { name: "Edit Demo request" }));
    const points = screen.getByLabelText("Points");
    await userEvent.clear(points);
    await userEvent.type(points, "5000");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Input should be less than or equal to 1000")).toBeInTheDocument();
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.body).toMatchObject({ points: 5000, eventType: "demo_request", name: "Demo request" });
  });

  it("refuses thresholds out of order without calling the API", async () => {
    const calls = mockFetch(({ url }) => {
      if (url === "/api/rules") return { body: { items: rules, total: 1, limit: 200, offset: 0 } };
      if (url === "/api/stages") return { body: { warm: 30, hot: 60, qualified: 100 } };
      return undefined;
    });
    renderApp(<RulesPage />, { path: "/app/rules", route: "/app/rules" });
    const hot = await screen.findByLabelText("Hot from");
    await waitFor(() => expect(hot).toHaveValue(60));
    await userEvent.clear(hot);
    await userEvent.type(hot, "20");
    await userEvent.click(screen.getByRole("button", { name: "Save thresholds" }));
    expect(await screen.findByText("Must be above the warm threshold")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });
});
