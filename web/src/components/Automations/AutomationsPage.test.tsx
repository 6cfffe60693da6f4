import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockFetch, problem, renderApp } from "../../test/render";
import { draftToBody, toDraft } from "./AutomationForm";
import AutomationsPage from "./AutomationsPage";

describe("automation form", () => {
  it("builds the API body per action", () => {
    const base = { name: " Hot alert ", whenStage: "hot", minScore: "", minVelocity: "40", eventType: "" };
    expect(draftToBody({ ...base, action: "slack", target: " https://hooks.slack.com/services/x " })).toEqual({
      name: "Hot alert",
      whenStage: "hot",
      minScore: null,
      minVelocity: 40,
      eventType: null,
      action: "slack",
      config: { webhookUrl: "https://hooks.slack.com/services/x" },
      active: true,
    });
    expect(draftToBody({ ...base, action: "email", target: "a@x.io, b@x.io," }).config).toEqual({
      recipients: ["a@x.io", "b@x.io"],
    });
    expect(draftToBody({ ...base, action: "log", target: "ignored" }).config).toEqual({});
  });

  it("round-trips a stored automation through the edit form", () => {
    const stored = {
      id: 4,
      name: "Mail sales",
      whenStage: null,
      minVelocity: null,
      minScore: 80,
      eventType: "demo_request",
      action: "email" as const,
      config: { recipients: ["a@x.io", "b@x.io"], subject: "s" },
      active: true,
      createdAt: "",
      updatedAt: "",
    };
    const draft = toDraft(stored);
    expect(draft).toMatchObject({ whenStage: "", minScore: "80", target: "a@x.io, b@x.io" });
    expect(draftToBody(draft, stored.config)).toMatchObject({
      whenStage: null,
      minScore: 80,
      eventType: "demo_request",
      config: { recipients: ["a@x.io", "b@x.io"], subject: "s" },
    });
  });

  it("shows the API's config error under the target field", async () => {
    mockFetch(({ method, url }) => {
      if (url.startsWith("/api/automations/executions")) return { body: { items: [], total: 0, limit: 50, offset: 0 } };
      if (url.startsWith("/api/automations") && method === "GET")
        return { body: { items: [], total: 0, limit: 200, offset: 0 } };
      if (url === "/api/automations" && method === "POST")
        return problem(422, "Invalid slack config", [
          ["body.config.webhookUrl", "must be an https URL", "value_error"],
        ]);
      return undefined;
    });
    renderApp(<AutomationsPage />, { path: "/app/automations", route: "/app/automations" });
    expect(await screen.findByText("No automations yet")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "New automation" }));
    await userEvent.type(screen.getByLabelText("Name"), "Hot alert");
    await userEvent.type(screen.getByLabelText("Slack incoming-webhook URL"), "http://insecure");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText("must be an https URL")).toBeInTheDocument();
  });
});
