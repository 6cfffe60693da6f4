import { useState } from "react";
import type { Webhook } from "../../api/types";
import { formatRelative } from "../../lib/format";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { CrudCard, useRowMutations, type CrudResource } from "../ui/crud";
import { Button, EmptyState, PageHeader, StatusBadge } from "../ui/primitives";
import { ListCard } from "../ui/QueryView";
import { WEBHOOKS, useDeliveries, useRedeliver, useWebhooks, webhookCalls } from "./hooks";
import { WebhookForm } from "./WebhookForm";

const WEBHOOK: CrudResource<Webhook> = {
  noun: "webhook",
  columns: [
    { title: "URL", cellClassName: "max-w-xs truncate font-mono text-xs", cell: (w) => w.url },
    {
      title: "Events",
      className: "hidden md:table-cell",
      cellClassName: "text-xs text-slate-500 dark:text-slate-400",
      cell: (w) => w.events.join(", "),
    },
  ],
  name: (w) => w.url,
  empty: <EmptyState title="No webhooks yet">Send lead changes to your CRM or data warehouse.</EmptyState>,
  deleteMessage: (w) => `Deliveries to ${w.url} stop immediately.`,
  form: (initial, close) => <WebhookForm initial={initial} onClose={close} />,
};

function Deliveries({ hook }: { hook: Webhook }) {
  const toast = useToast();
  const deliveries = useDeliveries(hook.id);
  const redeliver = useRedeliver(hook.id);
  const again = (id: number) =>
    redeliver.mutate(id, {
      onSuccess: () => toast.success("Redelivery queued"),
      onError: (e) => toast.error(errorMessage(e)),
    });
  return (
    <ListCard title={`Deliveries — ${hook.url}`} query={deliveries} empty={<EmptyState title="No deliveries yet" />}>
      {(d) => (
        <>
          <div className="min-w-0">
            <p className="font-mono text-xs">{d.eventType}</p>
            <p className="truncate text-xs text-slate-500 dark:text-slate-400">
              {formatRelative(d.createdAt)} · {d.attempts} attempt(s)
              {d.responseCode ? ` · HTTP ${d.responseCode}` : ""}
              {d.error ? ` · ${d.error}` : ""}
            </p>
          </div>
          <div className="flex items-center gap-2">
            <StatusBadge status={d.status} />
            <Button size="sm" variant="secondary" onClick={() => again(d.id)}>
              Redeliver
            </Button>
          </div>
        </>
      )}
    </ListCard>
  );
}

export default function WebhooksPage() {
  const list = useWebhooks();
  const rows = useRowMutations(WEBHOOKS, webhookCalls);
  const [selected, setSelected] = useState<Webhook | null>(null);
  const deliveries = (w: Webhook) => (
    <Button size="sm" variant="ghost" onClick={() => setSelected(w)}>
      Deliveries
    </Button>
  );
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed HTTP callbacks for lead and event changes, retried with backoff."
      />
      <div className="space-y-6">
        <CrudCard
          title="Endpoints"
          resource={WEBHOOK}
          query={list}
          rows={rows}
          extraActions={deliveries}
          rowProps={(w) => ({ className: selected?.id === w.id ? "bg-brand-50/50 dark:bg-brand-600/10" : "" })}
          onDeleted={() => setSelected(null)}
        />
        {selected && <Deliveries hook={selected} />}
      </div>
    </>
  );
}
