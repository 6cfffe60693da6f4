import { STAGES, type Automation, type AutomationAction, type Schema } from "../../api/types";
import { humanize } from "../../lib/format";
import { useForm } from "../../lib/form";
import { useToast } from "../../lib/toast";
import { FormDialog } from "../ui/Dialog";
import { SelectField, TextField } from "../ui/fields";
import { useSaveMutation } from "../ui/crud";
import { AUTOMATIONS, automationCalls } from "./hooks";

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

export interface Draft {
  name: string;
  whenStage: string;
  minScore: string;
  minVelocity: string;
  eventType: string;
  action: AutomationAction;
  target: string;
}

function configValue(key: string, target: string): unknown {
  if (key !== "recipients") return target.trim();
  return target
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The API body; `base` keeps config keys the form does not show (e.g. an e-mail subject). */
export function draftToBody(d: Draft, base: Record<string, unknown> = {}): Schema<"AutomationCreate"> {
  const field = CONFIG_FIELD[d.action];
  const num = (s: string) => (s.trim() === "" ? null : Number(s));
  return {
    name: d.name.trim(),
    whenStage: STAGES.find((stage) => stage === d.whenStage) ?? null,
    minScore: num(d.minScore),
    minVelocity: num(d.minVelocity),
    eventType: d.eventType.trim() || null,
    action: d.action,
    config: field ? { ...base, [field.key]: configValue(field.key, d.target) } : base,
    active: true,
  };
}

/** The form's starting values: blank for a new automation, the stored ones for an edit. */
export function toDraft(a?: Automation): Draft {
  if (!a)
    return { name: "", whenStage: "hot", minScore: "", minVelocity: "", eventType: "", action: "slack", target: "" };
  const action = a.action as AutomationAction;
  const field = CONFIG_FIELD[action];
  const raw = field ? a.config[field.key] : "";
  return {
    name: a.name,
    whenStage: a.whenStage ?? "",
    minScore: a.minScore == null ? "" : String(a.minScore),
    minVelocity: a.minVelocity == null ? "" : String(a.minVelocity),
    eventType: a.eventType ?? "",
    action,
    target: Array.isArray(raw) ? raw.join(", ") : typeof raw === "string" ? raw : "",
  };
}

/** The PATCH body of an edit: everything but `active` (the list's switch owns it). */
function draftToChanges(d: Draft, initial: Automation): Schema<"AutomationUpdate"> {
  const { active: _active, ...changes } = draftToBody(d, initial.action === d.action ? initial.config : {});
  return changes;
}

export function AutomationForm({ onClose, initial }: { onClose: () => void; initial?: Automation }) {
  const save = useSaveMutation(AUTOMATIONS, automationCalls);
  const toast = useToast();
  const form = useForm(() => toDraft(initial), save.error);
  const d = form.values;
  const field = CONFIG_FIELD[d.action];
  const submit = () =>
    save.mutate(initial ? { id: initial.id, body: draftToChanges(d, initial) } : { body: draftToBody(d) }, {
      onSuccess: () => {
        toast.success(initial ? "Automation saved" : "Automation created");
        onClose();
      },
    });
  const chooseAction = (action: AutomationAction) => {
    form.set("action", action);
    form.set("target", "");
  };
  const targetError = field && (form.errors[`config.${field.key}`] ?? form.errors[`config.${field.key}.0`]);
  return (
    <FormDialog noun="automation" editing={!!initial} save={save} onSubmit={submit} onClose={onClose}>
      <TextField label="Name" placeholder="Alert sales on hot leads" {...form.field("name")} />
      <div className="grid grid-cols-2 gap-3">
        <SelectField label="When stage becomes" {...form.field("whenStage")}>
          <option value="">Any stage</option>
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
        <TextField label="Event type (optional)" placeholder="demo_request" {...form.field("eventType")} />
        <TextField label="Minimum score" type="number" {...form.field("minScore")} />
        <TextField label="Minimum velocity" type="number" {...form.field("minVelocity")} />
      </div>
      <SelectField
        label="Action"
        value={d.action}
        onChange={(e) => chooseAction(e.target.value as AutomationAction)}
        error={form.errors.action}
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
          placeholder={field.placeholder}
          {...form.field("target")}
          error={targetError ?? form.errors.config}
        />
      )}
    </FormDialog>
  );
}
