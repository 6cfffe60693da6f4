import type { Automation } from "../../api/types";
import { formatRelative } from "../../lib/format";
import { CrudCard, useRowMutations, type CrudResource } from "../ui/crud";
import { EmptyState, PageHeader, StatusBadge } from "../ui/primitives";
import { ListCard } from "../ui/QueryView";
import { AutomationForm } from "./AutomationForm";
import { AUTOMATIONS, automationCalls, useAutomations, useExecutions } from "./hooks";

function describe(a: Automation): string {
  const parts = [
    a.whenStage && `stage → ${a.whenStage}`,
    a.eventType && `event ${a.eventType}`,
    a.minScore != null && `score ≥ ${a.minScore}`,
    a.minVelocity != null && `velocity ≥ ${a.minVelocity}`,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "every scored event";
}

const AUTOMATION: CrudResource<Automation> = {
  noun: "automation",
  columns: [
    {
      title: "Automation",
      cellClassName: "whitespace-normal",
      cell: (a) => (
        <>
          <p className="font-medium">{a.name}</p>
          <p className="text-xs text-slate-500 dark:text-slate-400">When {describe(a)}</p>
        </>
      ),
    },
    { title: "Action", cellClassName: "capitalize", cell: (a) => a.action },
  ],
  name: (a) => a.name,
  empty: <EmptyState title="No automations yet">Notify your team when a lead turns hot.</EmptyState>,
  deleteMessage: (a) => `"${a.name}" will stop running. Its execution log is kept.`,
  form: (initial, close) => <AutomationForm initial={initial} onClose={close} />,
};

function Executions({ names }: { names: Map<number, string> }) {
  const executions = useExecutions();
  return (
    <ListCard title="Execution log" query={executions} empty={<EmptyState title="Nothing has run yet" />}>
      {(x) => (
        <>
          <div>
            <p className="font-medium">{names.get(x.automationId) ?? `Automation #${x.automationId}`}</p>
            <p className="text-xs text-slate-500 dark:text-slate-400">
              Lead #{x.leadId} · {formatRelative(x.createdAt)}
              {x.error ? ` · ${x.error}` : ""}
            </p>
          </div>
          <StatusBadge status={x.status} />
        </>
      )}
    </ListCard>
  );
}

export default function AutomationsPage() {
  const list = useAutomations();
  const rows = useRowMutations(AUTOMATIONS, automationCalls);
  const names = new Map((list.data ?? []).map((a) => [a.id, a.name]));
  return (
    <>
      <PageHeader title="Automations" description="Act the moment a lead crosses a line: Slack, e-mail, webhooks." />
      <div className="grid gap-6 lg:grid-cols-5">
        <CrudCard title="Automations" className="lg:col-span-3" resource={AUTOMATION} query={list} rows={rows} />
        <div className="lg:col-span-2">
          <Executions names={names} />
        </div>
      </div>
    </>
  );
}
