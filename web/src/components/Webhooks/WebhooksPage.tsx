import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { request } from "../../api/http";
import type { Webhook, WebhookDelivery } from "../../api/types";
import { formatRelative } from "../../lib/format";
import { errorMessage, fieldErrors } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { ConfirmDialog, Modal } from "../ui/Dialog";
import {
  Badge,
  Button,
  Card,
  CopyButton,
  EmptyState,
  ErrorState,
  Loading,
  PageHeader,
  TextField,
  Td,
  Th,
  Toggle,
} from "../ui/primitives";

type Listish<T> = T[] | { items: T[] };
const items = <T,>(b: Listish<T>): T[] => (Array.isArray(b) ? b : (b?.items ?? []));
export const WEBHOOK_EVENTS = ["lead.scored", "lead.stage_changed", "lead.merged", "automation.executed"];

function WebhookForm({ onClose, initial }: { onClose: () => void; initial?: Webhook }) {
  const client = useQueryClient();
  const toast = useToast();
  const [url, setUrl] = useState(initial?.url ?? "");
  const [events, setEvents] = useState<string[]>(initial?.events ?? ["lead.stage_changed"]);
  const create = useMutation({
    mutationFn: () =>
      initial
        ? request<Webhook>(`/api/webhooks/${initial.id}`, { method: "PATCH", body: { url: url.trim(), events } })
        : request<Webhook>("/api/webhooks", { method: "POST", body: { url: url.trim(), events, active: true } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["webhooks"] });
      if (initial) {
        toast.success("Webhook saved");
        onClose();
      }
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  if (create.data && !initial) {
    return (
      <Modal title="Webhook created" onClose={onClose} footer={<Button onClick={onClose}>Done</Button>}>
        <p className="mb-3 text-sm">
          Copy the signing secret now — it is shown only once. Verify the <code>webhook-signature</code> header with it.
        </p>
        <div className="flex items-center gap-2">
          <code
            className="flex-1 truncate rounded bg-slate-100 px-2 py-1.5 font-mono text-xs dark:bg-slate-800"
            data-testid="webhook-secret"
          >
            {create.data.secret}
          </code>
          <CopyButton value={create.data.secret ?? ""} />
        </div>
      </Modal>
    );
  }
  return (
    <Modal
      title={initial ? "Edit webhook" : "New webhook"}
      onClose={onClose}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="webhook-form" busy={create.isPending}>
            {initial ? "Save" : "Create"}
          </Button>
        </>
      }
    >
      <form id="webhook-form" onSubmit={submit} className="space-y-4" noValidate>
        <TextField
          label="Endpoint URL"
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          error={errors.url}
          placeholder="https://example.com/hooks/leadpulse"
        />
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-slate-700 dark:text-slate-300">Events</legend>
          <div className="grid grid-cols-2 gap-2">
            {WEBHOOK_EVENTS.map((ev) => (
              <label key={ev} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  className="rounded border-slate-300"
                  checked={events.includes(ev)}
                  onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))}
                />
                <span className="font-mono text-xs">{ev}</span>
              </label>
            ))}
          </div>
          {errors.events && <p className="mt-1 text-xs text-rose-600">{errors.events}</p>}
        </fieldset>
        {create.error && Object.keys(errors).length === 0 ? (
          <p className="text-sm text-rose-600">{errorMessage(create.error)}</p>
        ) : null}
      </form>
    </Modal>
  );
}

function Deliveries({ hook }: { hook: Webhook }) {
  const toast = useToast();
  const client = useQueryClient();
  const { data, error, isPending } = useQuery({
    queryKey: ["webhooks", hook.id, "deliveries"],
    queryFn: async () =>
      items(await request<Listish<WebhookDelivery>>(`/api/webhooks/${hook.id}/deliveries`, { query: { limit: 50 } })),
  });
  const redeliver = useMutation({
    mutationFn: (id: number | string) =>
      request(`/api/webhooks/${hook.id}/deliveries/${id}/redeliver`, { method: "POST" }),
    onSuccess: () => {
      toast.success("Redelivery queued");
      void client.invalidateQueries({ queryKey: ["webhooks", hook.id, "deliveries"] });
    },
    onError: (e) => toast.error(errorMessage(e)),
  });
  return (
    <Card title={`Deliveries — ${hook.url}`} bodyClassName="">
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} />
      ) : data.length === 0 ? (
        <EmptyState title="No deliveries yet" />
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {data.map((d) => (
            <li key={d.id} className="flex items-center justify-between gap-3 px-5 py-3 text-sm">
              <div className="min-w-0">
                <p className="font-mono text-xs">{d.eventType}</p>
                <p className="truncate text-xs text-slate-500">
                  {formatRelative(d.createdAt)} · {d.attempts ?? 0} attempt(s)
                  {d.responseCode ? ` · HTTP ${d.responseCode}` : ""}
                  {d.error ? ` · ${d.error}` : ""}
                </p>
              </div>
              <div className="flex items-center gap-2">
                <Badge
                  className={
                    d.status === "succeeded"
                      ? "bg-emerald-50 text-emerald-700 ring-emerald-200"
                      : d.status === "failed"
                        ? "bg-rose-50 text-rose-700 ring-rose-200"
                        : "bg-amber-50 text-amber-800 ring-amber-200"
                  }
                >
                  {d.status}
                </Badge>
                <Button size="sm" variant="secondary" onClick={() => redeliver.mutate(d.id)}>
                  Redeliver
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export default function WebhooksPage() {
  const client = useQueryClient();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<Webhook | null>(null);
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const list = useQuery({
    queryKey: ["webhooks", "list"],
    queryFn: async () => items(await request<Listish<Webhook>>("/api/webhooks")),
  });
  const done = () => void client.invalidateQueries({ queryKey: ["webhooks"] });
  const toggle = useMutation({
    mutationFn: (w: Webhook) => request(`/api/webhooks/${w.id}`, { method: "PATCH", body: { active: !w.active } }),
    onSuccess: done,
    onError: (e) => toast.error(errorMessage(e)),
  });
  const remove = useMutation({
    mutationFn: (id: number) => request(`/api/webhooks/${id}`, { method: "DELETE" }),
    onSuccess: done,
  });
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed HTTP callbacks for lead and event changes, retried with backoff."
        actions={<Button onClick={() => setCreating(true)}>New webhook</Button>}
      />
      <div className="space-y-6">
        <Card title="Endpoints" bodyClassName="">
          {list.isPending ? (
            <Loading />
          ) : list.error ? (
            <ErrorState error={list.error} onRetry={() => void list.refetch()} />
          ) : list.data.length === 0 ? (
            <EmptyState title="No webhooks yet">Send lead changes to your CRM or data warehouse.</EmptyState>
          ) : (
            <div className="overflow-x-auto">
              <table className="min-w-full divide-y divide-slate-100 dark:divide-slate-800">
                <thead className="bg-slate-50/60 dark:bg-slate-900">
                  <tr>
                    <Th>URL</Th>
                    <Th className="hidden md:table-cell">Events</Th>
                    <Th>Active</Th>
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                  {list.data.map((w) => (
                    <tr key={w.id} className={selected?.id === w.id ? "bg-brand-50/50 dark:bg-brand-600/10" : ""}>
                      <Td className="max-w-xs truncate font-mono text-xs">{w.url}</Td>
                      <Td className="hidden text-xs text-slate-500 md:table-cell">{w.events.join(", ")}</Td>
                      <Td>
                        <Toggle checked={w.active} label={`Toggle ${w.url}`} onChange={() => toggle.mutate(w)} />
                      </Td>
                      <Td className="text-right">
                        <Button size="sm" variant="ghost" onClick={() => setSelected(w)}>
                          Deliveries
                        </Button>
                        <Button size="sm" variant="ghost" onClick={() => setEditing(w)} aria-label={`Edit ${w.url}`}>
                          Edit
                        </Button>
                        <Button size="sm" variant="ghost" onClick={() => setDeleting(w)} aria-label={`Delete ${w.url}`}>
                          Delete
                        </Button>
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
        {selected && <Deliveries hook={selected} />}
      </div>
      {creating && <WebhookForm onClose={() => setCreating(false)} />}
      {editing && <WebhookForm initial={editing} onClose={() => setEditing(null)} />}
      {deleting && (
        <ConfirmDialog
          title="Delete webhook?"
          message={`Deliveries to ${deleting.url} stop immediately.`}
          confirmLabel="Delete"
          busy={remove.isPending}
          onCancel={() => setDeleting(null)}
          onConfirm={() =>
            remove.mutate(deleting.id, {
              onSuccess: () => {
                toast.success("Webhook deleted");
                setDeleting(null);
                setSelected(null);
              },
              onError: (e) => toast.error(errorMessage(e)),
            })
          }
        />
      )}
    </>
  );
}
