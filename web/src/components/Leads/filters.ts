/** Leads list state kept in the URL: search, stage, sort, page. Pure and unit-tested. */
import type { Query } from "../../api/http";
import { STAGES, type Stage } from "../../api/types";

export const PAGE_SIZE = 25;
export type SortKey = "score" | "lastEventAt" | "createdAt" | "name";
export const SORT_KEYS: SortKey[] = ["score", "lastEventAt", "createdAt", "name"];

export interface LeadFilters {
  q: string;
  stage: Stage | null;
  sort: string;
  page: number;
}

export function parseFilters(params: URLSearchParams): LeadFilters {
  const stage = params.get("stage");
  const sort = params.get("sort") ?? "-score";
  const key = sort.replace(/^-/, "");
  const page = Number.parseInt(params.get("page") ?? "1", 10);
  return {
    q: params.get("q") ?? "",
    stage: STAGES.includes(stage as Stage) ? (stage as Stage) : null,
    sort: SORT_KEYS.includes(key as SortKey) ? sort : "-score",
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
export function toApiQuery(f: LeadFilters, pageSize = PAGE_SIZE): Query {
  return {
    q: f.q.trim() || undefined,
    stage: f.stage ?? undefined,
    sort: f.sort,
    limit: pageSize,
    offset: (f.page - 1) * pageSize,
  };
}

/** Clicking a column: first click sorts descending (name: ascending), a second click flips. */
export function toggleSort(current: string, key: SortKey): string {
  const currentKey = current.replace(/^-/, "");
  if (currentKey === key) return current.startsWith("-") ? key : `-${key}`;
  return key === "name" ? "name" : `-${key}`;
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
