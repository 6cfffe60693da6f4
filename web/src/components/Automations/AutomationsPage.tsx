import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { request } from "../../api/http";
import { STAGES, type Automation, type AutomationAction, type AutomationExecution } from "../../api/types";
import { formatRelative, humanize } from "../../lib/format";
import { errorMessage, fieldErrors } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { ConfirmDialog, Modal } from "../ui/Dialog";
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  Loading,
  PageHeader,
  SelectField,
  TextField,
  Td,
  Th,
  Toggle,
} from "../ui/primitives";

type Listish<T> = T[] | { items: T[] };
const items = <T,>(b: Listish<T>): T[] => (Array.isArray(b) ? b : (b?.items ?? []));
const ACTIONS: AutomationAction[] = ["slack", "webhook", "email", "log"];
const CONFIG_FIELD: Record<AutomationAction, { key: string; label: string; placeholder: string } | null> = {
  slack: { key: "webhookUrl", label: "Slack incoming-webhook URL", placeholder: "https://hooks.slack.com/services/…" },
  webhook: { key: "url", label: "Webhook URL", placeholder: "https://example.com/hooks/leadpulse" },
  email: {
    key: "recipients",
    label: "Recipients (comma-separated e-mails)",
    placeholder: "sales@example.com, ceo@example.com",
  },
  log: null,
};

interface Draft {
  name: string;
  whenStage: string;
  minScore: string;
  minVelocity: string;
  eventType: string;
  action: AutomationAction;
  target: string;
}

/** The API body; `base` keeps config keys the form does not show (e.g. an e-mail subject). */
export function draftToBody(d: Draft, base: Record<string, unknown> = {}) {
  const field = CONFIG_FIELD[d.action];
  const num = (s: string) => (s.trim() === "" ? null : Number(s));
  return {
    name: d.name.trim(),
    whenStage: d.whenStage || null,
    minScore: num(d.minScore),
    minVelocity: num(d.minVelocity),
    eventType: d.eventType.trim() || null,
    action: d.action,
    config: !field
      ? base
      : {
          ...base,
          [field.key]:
            field.key === "recipients"
              ? d.target
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean)
              : d.target.trim(),
        },
    active: true,
  };
}

/** The form's starting values: blank for a new automation, the stored ones for an edit. */
export function toDraft(a?: Automation): Draft {
  if (!a)
    return { name: "", whenStage: "hot", minScore: "", minVelocity: "", eventType: "", action: "slack", target: "" };
  const field = CONFIG_FIELD[a.action as AutomationAction];
  const raw = field ? a.config[field.key] : "";
  return {
    name: a.name,
    whenStage: a.whenStage ?? "",
    minScore: a.minScore == null ? "" : String(a.minScore),
    minVelocity: a.minVelocity == null ? "" : String(a.minVelocity),
    eventType: a.eventType ?? "",
    action: a.action as AutomationAction,
    target: Array.isArray(raw) ? raw.join(", ") : raw == null ? "" : String(raw),
  };
}

function AutomationForm({ onClose, initial }: { onClose: () => void; initial?: Automation }) {
  const client = useQueryClient();
  const toast = useToast();
  const [d, setD] = useState<Draft>(() => toDraft(initial));
  const create = useMutation({
    mutationFn: () => {
      const { active: _active, ...changes } = draftToBody(d, initial?.action === d.action ? initial.config : {});
      return initial
        ? request<Automation>(`/api/automations/${initial.id}`, { method: "PATCH", body: changes })
        : request<Automation>("/api/automations", { method: "POST", body: draftToBody(d) });
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["automations"] });
      toast.success(initial ? "Automation saved" : "Automation created");
      onClose();
    },
  });
  const errors = fieldErrors(create.error);
  const field = CONFIG_FIELD[d.action];
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setD({ ...d, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal
      title={initial ? "Edit automation" : "New automation"}
      onClose={onClose}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="automation-form" busy={create.isPending}>
            {initial ? "Save" : "Create"}
          </Button>
        </>
      }
    >
      <form id="automation-form" onSubmit={submit} className="space-y-4" noValidate>
        <TextField
          label="Name"
          value={d.name}
          onChange={set("name")}
          error={errors.name}
          placeholder="Alert sales on hot leads"
        />
        <div className="grid grid-cols-2 gap-3">
          <SelectField
            label="When stage becomes"
            value={d.whenStage}
            onChange={set("whenStage")}
            error={errors.whenStage}
          >
            <option value="">Any stage</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Event type (optional)"
            value={d.eventType}
            onChange={set("eventType")}
            error={errors.eventType}
            placeholder="demo_request"
          />
          <TextField
            label="Minimum score"
            type="number"
            value={d.minScore}
            onChange={set("minScore")}
            error={errors.minScore}
          />
          <TextField
            label="Minimum velocity"
            type="number"
            value={d.minVelocity}
            onChange={set("minVelocity")}
            error={errors.minVelocity}
          />
        </div>
        <SelectField
          label="Action"
          value={d.action}
          onChange={(e) => setD({ ...d, action: e.target.value as AutomationAction, target: "" })}
          error={errors.action}
        >
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {humanize(a)}
            </option>
          ))}
        </SelectField>
        {field && (
          <TextField
            label={field.label}
            value={d.target}
            onChange={set("target")}
            placeholder={field.placeholder}
            error={errors[`config.${field.key}`] ?? errors[`config.${field.key}.0`] ?? errors.config}
          />
        )}
        {create.error && Object.keys(errors).length === 0 ? (
          <p className="text-sm text-rose-600">{errorMessage(create.error)}</p>
        ) : null}
      </form>
    </Modal>
  );
}

function describe(a: Automation): string {
  const parts = [
    a.whenStage && `stage → ${a.whenStage}`,
    a.eventType && `event ${a.eventType}`,
    a.minScore != null && `score ≥ ${a.minScore}`,
    a.minVelocity != null && `velocity ≥ ${a.minVelocity}`,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "every scored event";
}

function Executions({ names }: { names: Map<number, string> }) {
  const { data, error, isPending } = useQuery({
    queryKey: ["automations", "executions"],
    queryFn: async () =>
      items(await request<Listish<AutomationExecution>>("/api/automations/executions", { query: { limit: 50 } })),
  });
  return (
    <Card title="Execution log" bodyClassName="">
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} />
      ) : data.length === 0 ? (
        <EmptyState title="Nothing has run yet" />
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {data.map((x) => (
            <li key={x.id} className="flex items-center justify-between gap-3 px-5 py-3 text-sm">
              <div>
                <p className="font-medium">{names.get(x.automationId) ?? `Automation #${x.automationId}`}</p>
                <p className="text-xs text-slate-500">
                  Lead #{x.leadId} · {formatRelative(x.createdAt)}
                  {x.error ? ` · ${x.error}` : ""}
                </p>
              </div>
              <Badge
                className={
                  x.status === "failed"
                    ? "bg-rose-50 text-rose-700 ring-rose-200"
                    : x.status === "pending"
                      ? "bg-amber-50 text-amber-800 ring-amber-200"
                      : "bg-emerald-50 text-emerald-700 ring-emerald-200"
                }
              >
                {x.status}
              </Badge>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export default function AutomationsPage() {
  const client = useQueryClient();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Automation | null>(null);
  const [deleting, setDeleting] = useState<Automation | null>(null);
  const list = useQuery({
    queryKey: ["automations", "list"],
    queryFn: async () => items(await request<Listish<Automation>>("/api/automations", { query: { limit: 200 } })),
  });
  const done = () => void client.invalidateQueries({ queryKey: ["automations"] });
  const toggle = useMutation({
    mutationFn: (a: Automation) =>
      request(`/api/automations/${a.id}`, { method: "PATCH", body: { active: !a.active } }),
    onSuccess: done,
    onError: (e) => toast.error(errorMessage(e)),
  });
  const remove = useMutation({
    mutationFn: (id: number) => request(`/api/automations/${id}`, { method: "DELETE" }),
    onSuccess: done,
  });
  return (
    <>
      <PageHeader
        title="Automations"
        description="Act the moment a lead crosses a line: Slack, e-mail, webhooks."
        actions={<Button onClick={() => setCreating(true)}>New automation</Button>}
      />
      <div className="grid gap-6 lg:grid-cols-5">
        <Card title="Automations" bodyClassName="" className="lg:col-span-3">
          {list.isPending ? (
            <Loading />
          ) : list.error ? (
            <ErrorState error={list.error} onRetry={() => void list.refetch()} />
          ) : list.data.length === 0 ? (
            <EmptyState title="No automations yet">Notify your team when a lead turns hot.</EmptyState>
          ) : (
            <table className="min-w-full divide-y divide-slate-100 dark:divide-slate-800">
              <thead className="bg-slate-50/60 dark:bg-slate-900">
                <tr>
                  <Th>Automation</Th>
                  <Th>Action</Th>
                  <Th>Active</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {list.data.map((a) => (
                  <tr key={a.id}>
                    <Td className="whitespace-normal">
                      <p className="font-medium">{a.name}</p>
                      <p className="text-xs text-slate-500">When {describe(a)}</p>
                    </Td>
                    <Td className="capitalize">{a.action}</Td>
                    <Td>
                      <Toggle checked={a.active} label={`Toggle ${a.name}`} onChange={() => toggle.mutate(a)} />
                    </Td>
                    <Td className="text-right">
                      <Button size="sm" variant="ghost" onClick={() => setEditing(a)} aria-label={`Edit ${a.name}`}>
                        Edit
                      </Button>
                      <Button size="sm" variant="ghost" onClick={() => setDeleting(a)} aria-label={`Delete ${a.name}`}>
                        Delete
                      </Button>
                    </Td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <div className="lg:col-span-2">
          <Executions names={new Map((list.data ?? []).map((a) => [a.id, a.name]))} />
        </div>
      </div>
      {creating && <AutomationForm onClose={() => setCreating(false)} />}
      {editing && <AutomationForm initial={editing} onClose={() => setEditing(null)} />}
      {deleting && (
        <ConfirmDialog
          title="Delete automation?"
          message={`"${deleting.name}" will stop running. Its execution log is kept.`}
          confirmLabel="Delete"
          busy={remove.isPending}
          onCancel={() => setDeleting(null)}
          onConfirm={() =>
            remove.mutate(deleting.id, {
              onSuccess: () => {
                toast.success("Automation deleted");
                setDeleting(null);
              },
              onError: (e) => toast.error(errorMessage(e)),
            })
          }
        />
      )}
    </>
  );
}
