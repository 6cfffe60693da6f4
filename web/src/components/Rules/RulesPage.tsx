import { useEffect, useState, type FormEvent } from "react";
import type { Rule, StageThresholds } from "../../api/types";
import { errorMessage, fieldErrors } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { ConfirmDialog } from "../ui/Dialog";
import { Button, Card, EmptyState, ErrorState, Loading, PageHeader, TextField, Td, Th, Toggle } from "../ui/primitives";
import {
  RESCORE_DONE,
  useRescoreJob,
  useRuleMutations,
  useRules,
  useSaveStages,
  useStages,
  useStartRescore,
} from "./hooks";
import { rescorePercent, validateRule, validateThresholds } from "./validate";

type Draft = { name: string; eventType: string; points: string; description: string };
const toDraft = (r?: Rule): Draft => ({
  name: r?.name ?? "",
  eventType: r?.eventType ?? "",
  points: String(r?.points ?? 10),
  description: r?.description ?? "",
});
const fromDraft = (d: Draft) => ({
  name: d.name.trim(),
  eventType: d.eventType.trim(),
  points: Number(d.points),
  description: d.description.trim() || null,
});

function RuleEditor({
  initial,
  onSave,
  onCancel,
  busy,
  serverError,
  submitLabel,
}: {
  initial: Draft;
  onSave: (d: Draft) => void;
  onCancel: () => void;
  busy: boolean;
  serverError: unknown;
  submitLabel: string;
}) {
  const [draft, setDraft] = useState(initial);
  const [local, setLocal] = useState<Record<string, string>>({});
  const errors = { ...fieldErrors(serverError), ...local };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validateRule(fromDraft(draft));
    setLocal(v);
    if (Object.keys(v).length === 0) onSave(draft);
  };
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  return (
    <form
      onSubmit={submit}
      className="grid gap-3 p-4 sm:grid-cols-[1fr_1fr_7rem_auto] sm:items-start"
      aria-label={submitLabel}
    >
      <TextField label="Name" value={draft.name} onChange={set("name")} error={errors.name} />
      <TextField
        label="Event type"
        value={draft.eventType}
        onChange={set("eventType")}
        error={errors.eventType}
        placeholder="demo_request"
      />
      <TextField label="Points" type="number" value={draft.points} onChange={set("points")} error={errors.points} />
      <div className="flex gap-2 sm:pt-6">
        <Button type="submit" busy={busy}>
          {submitLabel}
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
      {serverError && Object.keys(fieldErrors(serverError)).length === 0 ? (
        <p className="text-sm text-rose-600 sm:col-span-4">{errorMessage(serverError)}</p>
      ) : null}
    </form>
  );
}

function RulesTable() {
  const { data, error, isPending, refetch } = useRules();
  const { create, update, remove } = useRuleMutations();
  const toast = useToast();
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);

  const save = (rule: Rule | undefined) => (d: Draft) => {
    const body = fromDraft(d);
    const options = {
      onSuccess: () => {
        toast.success(rule ? "Rule saved" : "Rule added");
        setEditing(null);
      },
    };
    if (rule) update.mutate({ id: rule.id, ...body }, options);
    else create.mutate({ ...body, active: true }, options);
  };

  return (
    <Card
      title="Scoring rules"
      bodyClassName=""
      action={
        <Button
          size="sm"
          onClick={() => {
            create.reset();
            setEditing("new");
          }}
          disabled={editing === "new"}
        >
          Add rule
        </Button>
      }
    >
      {editing === "new" && (
        <div className="border-b border-slate-100 bg-slate-50/60 dark:border-slate-800 dark:bg-slate-800/30">
          <RuleEditor
            initial={toDraft()}
            onSave={save(undefined)}
            onCancel={() => setEditing(null)}
            busy={create.isPending}
            serverError={create.error}
            submitLabel="Add rule"
          />
        </div>
      )}
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} onRetry={() => void refetch()} />
      ) : data.length === 0 ? (
        <EmptyState title="No rules yet">Add a rule to give events points.</EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-100 dark:divide-slate-800">
            <thead className="bg-slate-50/60 dark:bg-slate-900">
              <tr>
                <Th>Rule</Th>
                <Th>Event type</Th>
                <Th className="text-right">Points</Th>
                <Th>Active</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {data.map((rule) =>
                editing === rule.id ? (
                  <tr key={rule.id}>
                    <td colSpan={5} className="bg-slate-50/60 dark:bg-slate-800/30">
                      <RuleEditor
                        initial={toDraft(rule)}
                        onSave={save(rule)}
                        onCancel={() => setEditing(null)}
                        busy={update.isPending}
                        serverError={update.error}
                        submitLabel="Save"
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={rule.id} data-testid={`rule-${rule.eventType}`}>
                    <Td className="font-medium">{rule.name}</Td>
                    <Td className="font-mono text-xs">{rule.eventType}</Td>
                    <Td className={`text-right font-semibold tabular-nums ${rule.points < 0 ? "text-rose-600" : ""}`}>
                      {rule.points > 0 ? `+${rule.points}` : rule.points}
                    </Td>
                    <Td>
                      <Toggle
                        checked={rule.active}
                        label={`${rule.active ? "Disable" : "Enable"} ${rule.name}`}
                        onChange={(active) =>
                          update.mutate(
                            { id: rule.id, active },
                            {
                              onSuccess: () => toast.success(active ? "Rule enabled" : "Rule disabled"),
                              onError: (e) => toast.error(errorMessage(e)),
                            },
                          )
                        }
                      />
                    </Td>
                    <Td className="text-right">
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => {
                          update.reset();
                          setEditing(rule.id);
                        }}
                        aria-label={`Edit ${rule.name}`}
                      >
                        Edit
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => setDeleting(rule)}
                        aria-label={`Delete ${rule.name}`}
                      >
                        Delete
                      </Button>
                    </Td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete rule?"
          message={`"${deleting.name}" will stop scoring ${deleting.eventType} events. Existing scores change only when you rescore.`}
          confirmLabel="Delete rule"
          busy={remove.isPending}
          onCancel={() => setDeleting(null)}
          onConfirm={() =>
            remove.mutate(deleting.id, {
              onSuccess: () => {
                toast.success("Rule deleted");
                setDeleting(null);
              },
              onError: (e) => toast.error(errorMessage(e)),
            })
          }
        />
      )}
    </Card>
  );
}

function StagesEditor() {
  const { data, error, isPending } = useStages();
  const save = useSaveStages();
  const toast = useToast();
  const [form, setForm] = useState<Record<keyof StageThresholds, string>>({ warm: "", hot: "", qualified: "" });
  const [local, setLocal] = useState<Record<string, string>>({});
  useEffect(() => {
    if (data) setForm({ warm: String(data.warm), hot: String(data.hot), qualified: String(data.qualified) });
  }, [data]);
  const errors = { ...fieldErrors(save.error), ...local };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const values = { warm: Number(form.warm), hot: Number(form.hot), qualified: Number(form.qualified) };
    const v = validateThresholds(values);
    setLocal(v as Record<string, string>);
    if (Object.keys(v).length === 0)
      save.mutate(values, {
        onSuccess: () => toast.success("Stage thresholds saved"),
        onError: (err) => toast.error(errorMessage(err)),
      });
  };
  return (
    <Card title="Stage thresholds">
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} />
      ) : (
        <form onSubmit={submit} className="space-y-3" aria-label="Stage thresholds">
          <p className="text-xs text-slate-500 dark:text-slate-400">
            A lead enters a stage when its score reaches the threshold. Below warm is cold.
          </p>
          {(["warm", "hot", "qualified"] as const).map((k) => (
            <TextField
              key={k}
              label={`${k[0].toUpperCase()}${k.slice(1)} from`}
              type="number"
              min={0}
              value={form[k]}
              error={errors[k]}
              onChange={(e) => setForm({ ...form, [k]: e.target.value })}
            />
          ))}
          <Button type="submit" busy={save.isPending}>
            Save thresholds
          </Button>
        </form>
      )}
    </Card>
  );
}

function Rescore() {
  const start = useStartRescore();
  const toast = useToast();
  const [jobId, setJobId] = useState<string | number | null>(null);
  const job = useRescoreJob(jobId);
  const pct = rescorePercent(job.data);
  const running = jobId !== null && !(job.data && RESCORE_DONE.includes(job.data.status));
  useEffect(() => {
    if (job.data?.status === "failed") toast.error("Rescore failed");
    else if (job.data && RESCORE_DONE.includes(job.data.status))
      toast.success(`Rescored ${job.data.total} lead${job.data.total === 1 ? "" : "s"}`);
  }, [job.data?.status]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Card title="Rescore all leads">
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
        Rule changes apply to new events. Rescore replays every lead's events through the current rules.
      </p>
      <Button
        variant="secondary"
        busy={start.isPending}
        disabled={running}
        onClick={() =>
          start.mutate(undefined, { onSuccess: (r) => setJobId(r.jobId), onError: (e) => toast.error(errorMessage(e)) })
        }
      >
        Rescore all leads
      </Button>
      {jobId !== null && (
        <div className="mt-4" data-testid="rescore-progress">
          <div className="mb-1 flex justify-between text-xs text-slate-500">
            <span className="capitalize">{job.data?.status ?? "queued"}</span>
            <span>
              {job.data?.done ?? 0}/{job.data?.total ?? "?"}
            </span>
          </div>
          <div
            className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
            role="progressbar"
            aria-label="Rescore progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
          >
            <div className="h-full bg-brand-600 transition-all" style={{ width: `${pct}%` }} />
          </div>
        </div>
      )}
    </Card>
  );
}

export default function RulesPage() {
  return (
    <>
      <PageHeader
        title="Scoring rules"
        description="How many points each event is worth, and where the stages begin."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <RulesTable />
        </div>
        <div className="space-y-6">
          <StagesEditor />
          <Rescore />
        </div>
      </div>
    </>
  );
}
