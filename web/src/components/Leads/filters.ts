/** Leads list state kept in the URL: search, stage, sort, page. Pure and unit-tested. */
import type { paths } from "../../api/schema";
import { STAGES, type Stage } from "../../api/types";

type LeadQuery = NonNullable<paths["/api/leads"]["get"]["parameters"]["query"]>;
type LeadSort = NonNullable<LeadQuery["sort"]>;
/** The orders GET /api/leads accepts (names sort A→Z only). */
const SORTS: LeadSort[] = ["score", "-score", "lastEventAt", "-lastEventAt", "createdAt", "-createdAt", "name"];
const isSort = (sort: string): sort is LeadSort => (SORTS as string[]).includes(sort);

export const PAGE_SIZE = 25;
export type SortKey = "score" | "lastEventAt" | "createdAt" | "name";

export interface LeadFilters {
  q: string;
  stage: Stage | null;
  sort: string;
  page: number;
}

export function parseFilters(params: URLSearchParams): LeadFilters {
  const stage = params.get("stage");
  const sort = params.get("sort") ?? "-score";
  const page = Number.parseInt(params.get("page") ?? "1", 10);
  return {
    q: params.get("q") ?? "",
    stage: STAGES.includes(stage as Stage) ? (stage as Stage) : null,
    sort: isSort(sort) ? sort : "-score",
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/** The URL search string for filters (defaults are left out to keep URLs short). */
export function toSearchParams(f: LeadFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.stage) p.set("stage", f.stage);
  if (f.sort !== "-score") p.set("sort", f.sort);
  if (f.page > 1) p.set("page", String(f.page));
  return p;
}

/** The API query for GET /api/leads. */
export function toApiQuery(f: LeadFilters, pageSize = PAGE_SIZE): LeadQuery {
  return {
    q: f.q.trim() || undefined,
    stage: f.stage ?? undefined,
    sort: isSort(f.sort) ? f.sort : "-score",
    limit: pageSize,
    offset: (f.page - 1) * pageSize,
  };
}

/** Clicking a column: first click sorts descending (name: A→Z, always), a second click flips. */
export function toggleSort(current: string, key: SortKey): string {
  if (key === "name") return "name";
  const currentKey = current.replace(/^-/, "");
  if (currentKey === key) return current.startsWith("-") ? key : `-${key}`;
  return `-${key}`;
}

export function sortDirection(current: string, key: SortKey): "ascending" | "descending" | "none" {
  if (current.replace(/^-/, "") !== key) return "none";
  return current.startsWith("-") ? "descending" : "ascending";
}

export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

export function rangeLabel(page: number, total: number, pageSize = PAGE_SIZE): string {
  if (total === 0) return "No leads";
  const from = (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  return `${from}–${to} of ${total}`;
}
