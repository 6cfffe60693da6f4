import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockFetch, problem, renderApp } from "../../test/render";
import { SignIn, SignUp } from "./AuthPages";

describe("sign-up form", () => {
  it("shows the API's field errors next to the fields", async () => {
    const calls = mockFetch(({ url }) =>
      url.endsWith("/api/auth/register")
        ? problem(
            422,
            "2 invalid fields",
            [
              ["body.email", "value is not a valid email address", "value_error"],
              ["body.password", "String should have at least 8 characters", "string_too_short"],
            ],
            "Validation failed",
          )
        : undefined,
    );
    renderApp(<SignUp />, { path: "/signup", route: "/signup" });
    await userEvent.type(screen.getByLabelText("Name"), "Ada");
    await userEvent.type(screen.getByLabelText("Work email"), "not-an-email");
    await userEvent.type(screen.getByLabelText("Password"), "short");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("value is not a valid email address")).toBeInTheDocument();
    expect(screen.getByText("String should have at least 8 characters")).toBeInTheDocument();
    expect(screen.getByLabelText("Work email")).toHaveAttribute("aria-invalid", "true");
    expect(calls[0].body).toEqual({ name: "Ada", email: "not-an-email", password: "short" });
  });

  it("stores the token and enters the app on success", async () => {
    mockFetch(({ url }) => {
      if (url.endsWith("/api/auth/register"))
        return {
          status: 201,
          body: { token: "jwt-1", user: { id: 1, email: "a@b.co", name: "Ada" }, project: { id: 1, name: "Acme" } },
        };
      if (url.endsWith("/api/auth/me")) return { body: { id: 1, email: "a@b.co", name: "Ada" } };
      return undefined;
    });
    renderApp(<SignUp />, { path: "/signup", route: "/signup" });
    await userEvent.type(screen.getByLabelText("Name"), "Ada");
    await userEvent.type(screen.getByLabelText("Work email"), "a@b.co");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse battery");
    await userEvent.type(screen.getByLabelText("Company (optional)"), "Acme");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("app home")).toBeInTheDocument();
    expect(localStorage.getItem("leadpulse.token")).toBe("jwt-1");
  });
});

describe("sign-in form", () => {
  it("shows a non-field error as an alert and hides Google without a client id", async () => {
    mockFetch(({ url }) =>
      url.endsWith("/api/auth/login") ? problem(401, "Wrong email or password.", [], "Unauthorized") : undefined,
    );
    renderApp(<SignIn />, { path: "/signin", route: "/signin" });
    await userEvent.type(screen.getByLabelText("Email"), "a@b.co");
    await userEvent.type(screen.getByLabelText("Password"), "nope-nope-nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
    expect(screen.queryByText(/google/i)).not.toBeInTheDocument();
    await waitFor(() => expect(localStorage.getItem("leadpulse.token")).toBeNull());
  });
});
