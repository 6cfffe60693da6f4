import { useEffect, useState, type FormEvent } from "react";
import type { Rule, StageThresholds } from "../../api/types";
import { useForm } from "../../lib/form";
import { humanize } from "../../lib/format";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { CrudCard, useRowMutations, useSaveMutation, type CrudResource } from "../ui/crud";
import { FormDialog } from "../ui/Dialog";
import { Button, Card, EmptyState, ErrorState, Loading, PageHeader } from "../ui/primitives";
import { TextField } from "../ui/fields";
import {
  RESCORE_DONE,
  useRescoreJob,
  RULES,
  ruleCalls,
  useRules,
  useSaveStages,
  useStages,
  useStartRescore,
} from "./hooks";
import { rescorePercent, validateRule, validateThresholds } from "./validate";

type Draft = { name: string; eventType: string; points: string };
const toDraft = (r?: Rule): Draft => ({
  name: r?.name ?? "",
  eventType: r?.eventType ?? "",
  points: String(r?.points ?? 10),
});

function RuleForm({ initial, onClose }: { initial?: Rule; onClose: () => void }) {
  const save = useSaveMutation(RULES, ruleCalls);
  const toast = useToast();
  const form = useForm(() => toDraft(initial), save.error);
  const submit = () => {
    const { name, eventType, points } = form.values;
    const body = { name: name.trim(), eventType: eventType.trim(), points: Number(points) };
    if (!form.check(validateRule(body))) return;
    const done = () => {
      toast.success(initial ? "Rule saved" : "Rule added");
      onClose();
    };
    if (initial) save.mutate({ id: initial.id, body }, { onSuccess: done });
    else save.mutate({ body: { ...body, active: true } }, { onSuccess: done });
  };
  return (
    <FormDialog noun="rule" editing={!!initial} save={save} onSubmit={submit} onClose={onClose}>
      <TextField label="Name" {...form.field("name")} />
      <TextField label="Event type" placeholder="demo_request" {...form.field("eventType")} />
      <TextField label="Points" type="number" {...form.field("points")} />
    </FormDialog>
  );
}

const RULE: CrudResource<Rule> = {
  noun: "rule",
  columns: [
    { title: "Rule", cellClassName: "font-medium", cell: (rule) => rule.name },
    { title: "Event type", cellClassName: "font-mono text-xs", cell: (rule) => rule.eventType },
    {
      title: "Points",
      className: "text-right",
      cell: (rule) => (
        <span className={`font-semibold tabular-nums ${rule.points < 0 ? "text-rose-700 dark:text-rose-400" : ""}`}>
          {rule.points > 0 ? `+${rule.points}` : rule.points}
        </span>
      ),
    },
  ],
  name: (rule) => rule.name,
  toggleLabel: (rule) => `${rule.active ? "Disable" : "Enable"} ${rule.name}`,
  empty: <EmptyState title="No rules yet">Add a rule to give events points.</EmptyState>,
  deleteMessage: (rule) =>
    `"${rule.name}" will stop scoring ${rule.eventType} events. Existing scores change only when you rescore.`,
  deleteLabel: "Delete rule",
  form: (initial, close) => <RuleForm initial={initial} onClose={close} />,
};

type ThresholdForm = Record<keyof StageThresholds, string>;
const THRESHOLDS = ["warm", "hot", "qualified"] as const;
const toForm = (t: StageThresholds): ThresholdForm => ({
  warm: String(t.warm),
  hot: String(t.hot),
  qualified: String(t.qualified),
});

function StagesForm({ initial }: { initial: StageThresholds }) {
  const save = useSaveStages();
  const toast = useToast();
  const form = useForm<ThresholdForm>(() => toForm(initial), save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { warm, hot, qualified } = form.values;
    const values = { warm: Number(warm), hot: Number(hot), qualified: Number(qualified) };
    if (!form.check(validateThresholds(values))) return;
    save.mutate(values, {
      onSuccess: () => toast.success("Stage thresholds saved"),
      onError: (err) => toast.error(errorMessage(err)),
    });
  };
  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Stage thresholds">
      <p className="text-xs text-slate-500 dark:text-slate-400">
        A lead enters a stage when its score reaches the threshold. Below warm is cold.
      </p>
      {THRESHOLDS.map((k) => (
        <TextField key={k} label={`${humanize(k)} from`} type="number" min={0} {...form.field(k)} />
      ))}
      <Button type="submit" busy={save.isPending}>
        Save thresholds
      </Button>
    </form>
  );
}

function StagesEditor() {
  const { data, error, isPending } = useStages();
  return (
    <Card title="Stage thresholds">
      {isPending ? <Loading /> : error ? <ErrorState error={error} /> : <StagesForm initial={data} />}
    </Card>
  );
}

function Rescore() {
  const start = useStartRescore();
  const toast = useToast();
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useRescoreJob(jobId);
  const pct = rescorePercent(job.data);
  const status = job.data?.status;
  const running = jobId !== null && !(status && RESCORE_DONE.includes(status));
  const total = job.data?.total ?? 0;
  useEffect(() => {
    if (status === "failed") toast.error("Rescore failed");
    else if (status && RESCORE_DONE.includes(status)) toast.success(`Rescored ${total} lead${total === 1 ? "" : "s"}`);
  }, [status, total, toast]);
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
          <div className="mb-1 flex justify-between text-xs text-slate-500 dark:text-slate-400">
            <span className="capitalize">{status ?? "queued"}</span>
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
  const rules = useRules();
  const rows = useRowMutations(RULES, ruleCalls, (active) => (active ? "Rule enabled" : "Rule disabled"));
  return (
    <>
      <PageHeader
        title="Scoring rules"
        description="How many points each event is worth, and where the stages begin."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <CrudCard
          title="Scoring rules"
          className="lg:col-span-2"
          resource={RULE}
          query={rules}
          rows={rows}
          rowProps={(rule) => ({ "data-testid": `rule-${rule.eventType}` })}
        />
        <div className="space-y-6">
          <StagesEditor />
          <Rescore />
        </div>
      </div>
    </>
  );
}
