import { useEffect, useEffectEvent, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { Button, Card, EmptyState, PageHeader } from "../ui/primitives";
import { Input } from "../ui/fields";
import { QueryView } from "../ui/QueryView";
import { pageCount, parseFilters, rangeLabel, toSearchParams, type LeadFilters } from "./filters";
import { exportLeadsCsv, useDownload, useLeads } from "./hooks";
import { LeadDrawer } from "./LeadDrawer";
import { LeadsTable, StagePills } from "./LeadsTable";

function Pagination({ page, total, onPage }: { page: number; total: number; onPage: (page: number) => void }) {
  return (
    <nav
      aria-label="Pagination"
      className="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm dark:border-slate-800"
    >
      <span className="text-slate-500 dark:text-slate-400">{rangeLabel(page, total)}</span>
      <div className="flex gap-2">
        <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous
        </Button>
        <Button size="sm" variant="secondary" disabled={page >= pageCount(total)} onClick={() => onPage(page + 1)}>
          Next
        </Button>
      </div>
    </nav>
  );
}

function NoLeads({ filtered }: { filtered: boolean }) {
  return (
    <EmptyState title={filtered ? "No leads match these filters" : "No leads yet"}>
      {filtered
        ? "Try another search or stage."
        : "Send events from your site or the Simulator and leads appear here instantly."}
    </EmptyState>
  );
}

export default function LeadsPage() {
  const [params, setParams] = useSearchParams();
  const filters = parseFilters(params);
  const [search, setSearch] = useState(filters.q);
  const { leadId } = useParams();
  const navigate = useNavigate();
  const leads = useLeads(filters);
  const exportCsv = useDownload(
    () => exportLeadsCsv(filters),
    (name) => `Exported ${name}`,
  );

  const update = (patch: Partial<LeadFilters>) =>
    setParams(toSearchParams({ ...filters, page: 1, ...patch }), { replace: true });
  const applySearch = useEffectEvent((q: string) => {
    if (q !== filters.q) update({ q });
  });
  useEffect(() => {
    const t = setTimeout(() => applySearch(search), 300);
    return () => clearTimeout(t);
  }, [search]);

  const open = (id: number) => void navigate({ pathname: `/app/leads/${id}`, search: params.toString() });
  const close = () => void navigate({ pathname: "/app/leads", search: params.toString() });
  const total = leads.data?.total ?? 0;

  return (
    <>
      <PageHeader
        title="Leads"
        description="Everyone who has interacted with your product, scored live."
        actions={
          <Button variant="secondary" onClick={() => exportCsv.mutate()} busy={exportCsv.isPending}>
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
        <QueryView
          query={leads}
          loadingLabel="Loading leads…"
          isEmpty={(page) => page.items.length === 0}
          empty={<NoLeads filtered={!!(filters.q || filters.stage)} />}
        >
          {(page) => (
            <LeadsTable
              leads={page.items}
              sorting={{ sort: filters.sort, onSort: (sort) => update({ sort }) }}
              onOpen={open}
              dimmed={leads.isFetching}
            />
          )}
        </QueryView>
        {total > 0 && <Pagination page={filters.page} total={total} onPage={(page) => update({ page })} />}
      </Card>
      {leadId && <LeadDrawer leadId={Number(leadId)} onClose={close} />}
    </>
  );
}
