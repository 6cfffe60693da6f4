import { useEffect, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { download } from "../../api/http";
import { STAGES, type Lead } from "../../api/types";
import { formatRelative, leadLabel } from "../../lib/format";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { Button, Card, EmptyState, ErrorState, Input, Loading, PageHeader, Td, Th } from "../ui/primitives";
import { IdentityBadge, RiskBadge, StageBadge, VelocityBar } from "./badges";
import {
  pageCount,
  parseFilters,
  rangeLabel,
  sortDirection,
  toApiQuery,
  toggleSort,
  toSearchParams,
  type LeadFilters,
  type SortKey,
} from "./filters";
import { useLeads } from "./hooks";
import { LeadDrawer } from "./LeadDrawer";

export function StagePills({
  value,
  onChange,
}: {
  value: string | null;
  onChange: (stage: LeadFilters["stage"]) => void;
}) {
  const options = [null, ...STAGES];
  return (
    <div role="group" aria-label="Filter by stage" className="flex flex-wrap gap-1.5">
      {options.map((s) => {
        const active = value === s;
        return (
          <button
            key={s ?? "all"}
            type="button"
            aria-pressed={active}
            onClick={() => onChange(s)}
            className={`rounded-full px-3 py-1 text-xs font-medium capitalize ring-1 transition-colors ${
              active
                ? "bg-brand-600 text-white ring-brand-600"
                : "bg-white text-slate-600 ring-slate-300 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-700 dark:hover:bg-slate-800"
            }`}
          >
            {s ? s[0].toUpperCase() + s.slice(1) : "All"}
          </button>
        );
      })}
    </div>
  );
}

function SortHeader({
  label,
  sortKey,
  sort,
  onSort,
  className,
}: {
  label: string;
  sortKey: SortKey;
  sort: string;
  onSort: (s: string) => void;
  className?: string;
}) {
  const dir = sortDirection(sort, sortKey);
  return (
    <th
      scope="col"
      aria-sort={dir}
      className={`px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400 ${className ?? ""}`}
    >
      <button
        type="button"
        onClick={() => onSort(toggleSort(sort, sortKey))}
        className="inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-white"
      >
        {label}
        <span aria-hidden="true" className={dir === "none" ? "opacity-30" : ""}>
          {dir === "ascending" ? "▲" : "▼"}
        </span>
      </button>
    </th>
  );
}

/** The muted line under a lead's name: what the first line does not already say. */
export function secondaryLine(lead: Lead): string {
  if (lead.company) return lead.company;
  if (lead.name && lead.email) return lead.email;
  return lead.identified ? "Identified" : "Anonymous visitor";
}

function LeadRow({ lead, onOpen }: { lead: Lead; onOpen: () => void }) {
  return (
    <tr
      className="cursor-pointer hover:bg-slate-50 dark:hover:bg-slate-800/50"
      onClick={onOpen}
      data-testid={`lead-row-${lead.id}`}
    >
      <Td className="max-w-[16rem]">
        <button
          type="button"
          onClick={(e) => {
            e.stopPropagation();
            onOpen();
          }}
          className="block max-w-full truncate text-left font-medium text-slate-900 hover:underline dark:text-white"
        >
          {leadLabel(lead)}
        </button>
        <p className="truncate text-xs text-slate-500 dark:text-slate-400">{secondaryLine(lead)}</p>
      </Td>
      <Td className="text-right text-base font-semibold tabular-nums">
        <span data-testid="lead-score">{lead.currentScore}</span>
      </Td>
      <Td>
        <StageBadge stage={lead.leadStage} />
      </Td>
      <Td className="hidden md:table-cell">
        <VelocityBar value={lead.velocityScore} />
      </Td>
      <Td className="hidden lg:table-cell">
        <RiskBadge risk={lead.risk} />
      </Td>
      <Td className="hidden text-slate-500 sm:table-cell dark:text-slate-400">{formatRelative(lead.lastEventAt)}</Td>
      <Td className="hidden xl:table-cell">
        <IdentityBadge identified={lead.identified} />
      </Td>
    </tr>
  );
}

export default function LeadsPage() {
  const [params, setParams] = useSearchParams();
  const filters = parseFilters(params);
  const [search, setSearch] = useState(filters.q);
  const { leadId } = useParams();
  const navigate = useNavigate();
  const toast = useToast();
  const [exporting, setExporting] = useState(false);
  const { data, error, isPending, isFetching, refetch } = useLeads(filters);

  const update = (patch: Partial<LeadFilters>) =>
    setParams(toSearchParams({ ...filters, page: 1, ...patch }), { replace: true });
  useEffect(() => {
    const t = setTimeout(() => search !== filters.q && update({ q: search }), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  const open = (id: number) => navigate({ pathname: `/app/leads/${id}`, search: params.toString() });
  const close = () => navigate({ pathname: "/app/leads", search: params.toString() });
  const exportCsv = async () => {
    setExporting(true);
    try {
      const { q, stage } = toApiQuery(filters);
      const name = await download("/api/leads/export", { q, stage }, "leads.csv");
      toast.success(`Exported ${name}`);
    } catch (e) {
      toast.error(errorMessage(e));
    } finally {
      setExporting(false);
    }
  };
  const pages = pageCount(data?.total ?? 0);

  return (
    <>
      <PageHeader
        title="Leads"
        description="Everyone who has interacted with your product, scored live."
        actions={
          <Button variant="secondary" onClick={exportCsv} busy={exporting}>
            Export CSV
          </Button>
        }
      />
      <Card bodyClassName="">
        <div className="flex flex-col gap-3 border-b border-slate-100 p-4 sm:flex-row sm:items-center sm:justify-between dark:border-slate-800">
          <div className="w-full sm:max-w-xs">
            <label htmlFor="lead-search" className="sr-only">
              Search leads
            </label>
            <Input
              id="lead-search"
              type="search"
              placeholder="Search name, email, company…"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <StagePills value={filters.stage} onChange={(stage) => update({ stage })} />
        </div>
        {isPending ? (
          <Loading label="Loading leads…" />
        ) : error ? (
          <ErrorState error={error} onRetry={() => void refetch()} />
        ) : data.items.length === 0 ? (
          <EmptyState title={filters.q || filters.stage ? "No leads match these filters" : "No leads yet"}>
            {filters.q || filters.stage
              ? "Try another search or stage."
              : "Send events from your site or the Simulator and leads appear here instantly."}
          </EmptyState>
        ) : (
          <div className={`overflow-x-auto transition-opacity ${isFetching ? "opacity-80" : ""}`}>
            <table className="min-w-full divide-y divide-slate-100 dark:divide-slate-800">
              <thead className="bg-slate-50/60 dark:bg-slate-900">
                <tr>
                  <SortHeader label="Lead" sortKey="name" sort={filters.sort} onSort={(sort) => update({ sort })} />
                  <SortHeader
                    label="Score"
                    sortKey="score"
                    sort={filters.sort}
                    onSort={(sort) => update({ sort })}
                    className="text-right"
                  />
                  <Th>Stage</Th>
                  <Th className="hidden md:table-cell">Velocity</Th>
                  <Th className="hidden lg:table-cell">Risk</Th>
                  <SortHeader
                    label="Last activity"
                    sortKey="lastEventAt"
                    sort={filters.sort}
                    onSort={(sort) => update({ sort })}
                    className="hidden sm:table-cell"
                  />
                  <Th className="hidden xl:table-cell">Identity</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {data.items.map((lead) => (
                  <LeadRow key={lead.id} lead={lead} onOpen={() => open(lead.id)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data && data.total > 0 && (
          <nav
            aria-label="Pagination"
            className="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm dark:border-slate-800"
          >
            <span className="text-slate-500 dark:text-slate-400">{rangeLabel(filters.page, data.total)}</span>
            <div className="flex gap-2">
              <Button
                size="sm"
                variant="secondary"
                disabled={filters.page <= 1}
                onClick={() => update({ page: filters.page - 1 })}
              >
                Previous
              </Button>
              <Button
                size="sm"
                variant="secondary"
                disabled={filters.page >= pages}
                onClick={() => update({ page: filters.page + 1 })}
              >
                Next
              </Button>
            </div>
          </nav>
        )}
      </Card>
      {leadId && <LeadDrawer leadId={Number(leadId)} onClose={close} />}
    </>
  );
}
