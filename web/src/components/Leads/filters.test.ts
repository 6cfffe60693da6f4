import { describe, expect, it } from "vitest";
import { pageCount, parseFilters, rangeLabel, sortDirection, toApiQuery, toggleSort, toSearchParams } from "./filters";

describe("lead filters", () => {
  it("parses defaults and ignores invalid values", () => {
    expect(parseFilters(new URLSearchParams(""))).toEqual({ q: "", stage: null, sort: "-score", page: 1 });
    expect(parseFilters(new URLSearchParams("stage=lukewarm&sort=-password&page=-3"))).toEqual({
      q: "",
      stage: null,
      sort: "-score",
      page: 1,
    });
  });

  it("round-trips through the URL, leaving defaults out", () => {
    const f = { q: " acme ", stage: "hot" as const, sort: "name", page: 3 };
    const params = toSearchParams(f);
    expect(params.toString()).toBe("q=acme&stage=hot&sort=name&page=3");
    expect(parseFilters(params)).toEqual({ ...f, q: "acme" });
    expect(toSearchParams({ q: "", stage: null, sort: "-score", page: 1 }).toString()).toBe("");
  });

  it("builds the API query with offset pagination", () => {
    expect(toApiQuery({ q: "", stage: "warm", sort: "-lastEventAt", page: 2 }, 25)).toEqual({
      q: undefined,
      stage: "warm",
      sort: "-lastEventAt",
      limit: 25,
      offset: 25,
    });
  });

  it("toggles sort direction on the same column and resets on another", () => {
    expect(toggleSort("-score", "score")).toBe("score");
    expect(toggleSort("score", "score")).toBe("-score");
    expect(toggleSort("-score", "lastEventAt")).toBe("-lastEventAt");
    expect(toggleSort("-score", "name")).toBe("name");
    expect(sortDirection("-score", "score")).toBe("descending");
    expect(sortDirection("name", "name")).toBe("ascending");
    expect(sortDirection("name", "score")).toBe("none");
  });

  it("labels ranges and counts pages", () => {
    expect(rangeLabel(1, 0)).toBe("No leads");
    expect(rangeLabel(2, 60, 25)).toBe("26–50 of 60");
    expect(rangeLabel(3, 60, 25)).toBe("51–60 of 60");
    expect(pageCount(0)).toBe(1);
    expect(pageCount(51, 25)).toBe(3);
  });
});
