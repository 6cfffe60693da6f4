/** The leads table: sortable headers, the stage filter and one row per lead. */
import { STAGES, type Lead } from "../../api/types";
import { formatRelative, leadLabel } from "../../lib/format";
import { DataTable, Th, type Column } from "../ui/DataTable";
import { Pill } from "../ui/primitives";
import { IdentityBadge, RiskBadge, StageBadge, VelocityBar } from "./badges";
import { sortDirection, toggleSort, type LeadFilters, type SortKey } from "./filters";

export function StagePills({
  value,
  onChange,
}: {
  value: string | null;
  onChange: (stage: LeadFilters["stage"]) => void;
}) {
  return (
    <div role="group" aria-label="Filter by stage" className="flex flex-wrap gap-1.5">
      {[null, ...STAGES].map((s) => (
        <Pill key={s ?? "all"} pressed={value === s} onClick={() => onChange(s)} className="px-3 capitalize">
          {s ? s[0].toUpperCase() + s.slice(1) : "All"}
        </Pill>
      ))}
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
    <Th sort={dir} className={className}>
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
    </Th>
  );
}

/** The muted line under a lead's name: what the first line does not already say. */
export function secondaryLine(lead: Lead): string {
  if (lead.company) return lead.company;
  if (lead.name && lead.email) return lead.email;
  return lead.identified ? "Identified" : "Anonymous visitor";
}

interface Sorting {
  sort: string;
  onSort: (sort: string) => void;
}

function sortable(title: string, sortKey: SortKey, { sort, onSort }: Sorting, className?: string) {
  return {
    title,
    className,
    header: <SortHeader label={title} sortKey={sortKey} sort={sort} onSort={onSort} className={className} />,
  };
}

function columns(sorting: Sorting, onOpen: (id: number) => void): Column<Lead>[] {
  return [
    {
      ...sortable("Lead", "name", sorting),
      cellClassName: "max-w-[16rem]",
      cell: (lead) => (
        <>
          <button
            type="button"
            onClick={(e) => {
              e.stopPropagation();
              onOpen(lead.id);
            }}
            className="block max-w-full truncate text-left font-medium text-slate-900 hover:underline dark:text-white"
          >
            {leadLabel(lead)}
          </button>
          <p className="truncate text-xs text-slate-500 dark:text-slate-400">{secondaryLine(lead)}</p>
        </>
      ),
    },
    {
      ...sortable("Score", "score", sorting, "text-right"),
      cellClassName: "text-base font-semibold tabular-nums",
      cell: (lead) => <span data-testid="lead-score">{lead.currentScore}</span>,
    },
    { title: "Stage", cell: (lead) => <StageBadge stage={lead.leadStage} /> },
    {
      title: "Velocity",
      className: "hidden md:table-cell",
      cell: (lead) => <VelocityBar value={lead.velocityScore} />,
    },
    { title: "Risk", className: "hidden lg:table-cell", cell: (lead) => <RiskBadge risk={lead.risk} /> },
    {
      ...sortable("Last activity", "lastEventAt", sorting, "hidden sm:table-cell"),
      cellClassName: "text-slate-500 dark:text-slate-400",
      cell: (lead) => formatRelative(lead.lastEventAt),
    },
    {
      title: "Identity",
      className: "hidden xl:table-cell",
      cell: (lead) => <IdentityBadge identified={lead.identified} />,
    },
  ];
}

export function LeadsTable({
  leads,
  sorting,
  onOpen,
  dimmed,
}: {
  leads: Lead[];
  sorting: Sorting;
  onOpen: (id: number) => void;
  dimmed: boolean;
}) {
  return (
    <DataTable
      rows={leads}
      columns={columns(sorting, onOpen)}
      rowKey={(lead) => lead.id}
      rowProps={(lead) => ({
        className: "cursor-pointer hover:bg-slate-50 dark:hover:bg-slate-800/50",
        onClick: () => onOpen(lead.id),
        "data-testid": `lead-row-${lead.id}`,
      })}
      className={`transition-opacity ${dimmed ? "opacity-80" : ""}`}
    />
  );
}
