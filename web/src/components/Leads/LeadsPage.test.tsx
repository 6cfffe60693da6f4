import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockFetch, problem, renderApp } from "../../test/render";
import LeadsPage from "./LeadsPage";

const lead = {
  id: 7,
  anonymousId: "visitor-7",
  email: "ada@acme.io",
  name: "Ada Lovelace",
  company: "Acme",
  currentScore: 75,
  leadStage: "hot",
  velocityScore: 4,
  eventsLast24h: 3,
  risk: "low",
  lastEventAt: new Date().toISOString(),
  createdAt: "2026-11-28T00:00:00Z",
  identified: true,
  traits: {},
};

describe("Leads page", () => {
  it("lists leads and filters by stage and search through the API", async () => {
    const calls = mockFetch(({ url }) =>
      url.startsWith("/api/leads?") ? { body: { items: [lead], total: 1, limit: 25, offset: 0 } } : undefined,
    );
    renderApp(<LeadsPage />, { path: "/app/leads", route: "/app/leads" });
    const row = await screen.findByTestId("lead-row-7");
    expect(within(row).getByText("Ada Lovelace")).toBeInTheDocument();
    expect(within(row).getByTestId("lead-score")).toHaveTextContent("75");
    expect(within(row).getByText("hot")).toBeInTheDocument();
    const velocity = within(row).getByRole("meter", { name: "Velocity" });
    expect(velocity).toHaveAttribute("aria-valuemax", "10");
    expect(velocity).toHaveAttribute("aria-valuenow", "4");
    expect(velocity.firstElementChild).toHaveStyle({ width: "40%" });
    expect(screen.getByText("1–1 of 1")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Hot" }));
    await waitFor(() => expect(calls.some((c) => c.url.includes("stage=hot"))).toBe(true));
    expect(screen.getByRole("button", { name: "Hot" })).toHaveAttribute("aria-pressed", "true");

    await userEvent.type(screen.getByLabelText("Search leads"), "acme");
    await waitFor(() => expect(calls.some((c) => c.url.includes("q=acme") && c.url.includes("stage=hot"))).toBe(true));
  });

  it("sorts by clicking a column header", async () => {
    const calls = mockFetch(({ url }) =>
      url.startsWith("/api/leads?") ? { body: { items: [lead], total: 1, limit: 25, offset: 0 } } : undefined,
    );
    renderApp(<LeadsPage />, { path: "/app/leads", route: "/app/leads" });
    await screen.findByTestId("lead-row-7");
    await userEvent.click(screen.getByRole("button", { name: /Score/ }));
    await waitFor(() => expect(calls.some((c) => c.url.includes("sort=score&"))).toBe(true));
    expect(screen.getByRole("columnheader", { name: /Score/ })).toHaveAttribute("aria-sort", "ascending");
  });

  it("shows an empty state and an error state", async () => {
    mockFetch(({ url }) =>
      url.startsWith("/api/leads?") ? { body: { items: [], total: 0, limit: 25, offset: 0 } } : undefined,
    );
    const { unmount } = renderApp(<LeadsPage />, { path: "/app/leads", route: "/app/leads" });
    expect(await screen.findByText("No leads yet")).toBeInTheDocument();
    unmount();
    mockFetch(() => problem(503, "Database unavailable"));
    renderApp(<LeadsPage />, { path: "/app/leads", route: "/app/leads" });
    expect(await screen.findByRole("alert")).toHaveTextContent("Database unavailable");
  });
});
