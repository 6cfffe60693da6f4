import { describe, expect, it } from "vitest";
import { ApiError, errorMessage, fieldErrors, fieldName, toProblem } from "./problem";

describe("problem+json", () => {
  it("parses a validation problem with field errors", () => {
    const p = toProblem(
      {
        type: "t",
        title: "Validation failed",
        status: 422,
        detail: "1 invalid field",
        errors: [{ loc: "body.email", msg: "not an email", type: "value_error" }],
      },
      422,
    );
    expect(p.errors).toEqual([{ loc: "body.email", msg: "not an email", type: "value_error" }]);
    expect(p.detail).toBe("1 invalid field");
  });

  it("falls back to a readable detail for non-JSON bodies", () => {
    expect(toProblem("Bad Gateway", 502).detail).toBe("Bad Gateway");
    expect(toProblem(undefined, 500).detail).toBe("Request failed (500)");
  });

  it("strips the request part of a loc", () => {
    expect(fieldName("body.email")).toBe("email");
    expect(fieldName("query.limit")).toBe("limit");
    expect(fieldName("body.events.3.eventType")).toBe("events.3.eventType");
    expect(fieldName("email")).toBe("email");
  });

  it("maps errors to fields, first message wins", () => {
    const err = new ApiError(422, {
      errors: [
        { loc: "body.password", msg: "too short" },
        { loc: "body.password", msg: "second" },
        { loc: "body.name", msg: "required" },
      ],
    });
    expect(fieldErrors(err)).toEqual({ password: "too short", name: "required" });
    expect(fieldErrors(new Error("x"))).toEqual({});
  });

  it("summarises an error for a toast", () => {
    expect(errorMessage(new ApiError(409, { detail: "Email already registered" }))).toBe("Email already registered");
    expect(
      errorMessage(
        new ApiError(422, { detail: "Invalid", errors: [{ loc: "body.points", msg: "must be an integer" }] }),
      ),
    ).toBe("points: must be an integer");
    expect(errorMessage("??")).toBe("Something went wrong");
  });
});
