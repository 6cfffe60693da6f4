import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { mockFetch, renderApp } from "../../test/render";
import DashboardPage from "./DashboardPage";
import { firstRunCommands } from "./FirstRun";

const project = { id: 42, name: "Acme", publishableKey: "pk_test_123" };
const stats = (totalLeads: number) => ({
  totalLeads,
  identifiedLeads: totalLeads,
  qualifiedLeads: 0,
  eventsToday: 0,
  totalEvents: 0,
  averageScore: 0,
  identityResolutions: 0,
  avgProcessingLatencyMs: null,
  eventsByType: [],
  scoreDistribution: { cold: totalLeads, warm: 0, hot: 0, qualified: 0 },
  topLeads: [],
});

function renderDashboard(totalLeads: number) {
  localStorage.setItem("leadpulse.token", "jwt-1");
  mockFetch(({ url }) => {
    if (url === "/api/auth/project") return { body: project };
    if (url === "/api/auth/me") return { body: { id: 1, email: "a@b.co", name: "Ada" } };
    if (url === "/api/analytics/dashboard") return { body: stats(totalLeads) };
    return undefined;
  });
  return renderApp(<DashboardPage />, { path: "/app", route: "/app" });
}

afterEach(() => localStorage.clear());

describe("first-run panel", () => {
  it("names the project in the import command", () => {
    expect(firstRunCommands(42)).toBe("leadpulse import FILE --project 42\nleadpulse demo");
  });

  it("shows the key, the snippet, the Simulator and the commands while there are no leads", async () => {
    renderDashboard(0);
    const panel = await screen.findByTestId("first-run");
    expect(screen.getByTestId("first-run-key")).toHaveTextContent("pk_test_123");
    expect(screen.getByLabelText("First-run website snippet")).toHaveTextContent(
      '/sdk/ls.js" data-api-key="pk_test_123"',
    );
    expect(screen.getByRole("link", { name: /Send a test event/ })).toHaveAttribute("href", "/app/simulator");
    expect(screen.getByRole("link", { name: "Imports page" })).toHaveAttribute("href", "/app/imports");
    expect(panel).toHaveTextContent("leadpulse import FILE --project 42");
  });

  it("is gone once the project has a lead, and merges are not called identified", async () => {
    renderDashboard(3);
    expect(await screen.findByTestId("metric-total-leads")).toHaveTextContent("3 identified · 0 merges");
    expect(screen.queryByTestId("first-run")).not.toBeInTheDocument();
  });
});
