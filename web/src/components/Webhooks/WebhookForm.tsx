import { useState } from "react";
import type { Webhook, WebhookEvent } from "../../api/types";
import { useForm } from "../../lib/form";
import { useToast } from "../../lib/toast";
import { DialogBody, DialogFooter, FormDialog, Modal } from "../ui/Dialog";
import { Button, CopyButton } from "../ui/primitives";
import { TextField } from "../ui/fields";
import { useSaveMutation } from "../ui/crud";
import { WEBHOOKS, webhookCalls } from "./hooks";

export const WEBHOOK_EVENTS: WebhookEvent[] = [
  "lead.scored",
  "lead.stage_changed",
  "lead.merged",
  "automation.executed",
];

/** Shown once after creating: the signing secret is never readable again. */
function SecretShown({ secret, onClose }: { secret: string; onClose: () => void }) {
  return (
    <Modal title="Webhook created" onClose={onClose}>
      <DialogBody>
        <p className="mb-3 text-sm">
          Copy the signing secret now — it is shown only once. Verify the <code>webhook-signature</code> header with it.
        </p>
        <div className="flex items-center gap-2">
          <code
            className="flex-1 truncate rounded bg-slate-100 px-2 py-1.5 font-mono text-xs dark:bg-slate-800"
            data-testid="webhook-secret"
          >
            {secret}
          </code>
          <CopyButton value={secret} />
        </div>
      </DialogBody>
      <DialogFooter>
        <Button onClick={onClose}>Done</Button>
      </DialogFooter>
    </Modal>
  );
}

function EventChoices({
  value,
  onChange,
  error,
}: {
  value: WebhookEvent[];
  onChange: (events: WebhookEvent[]) => void;
  error?: string;
}) {
  return (
    <fieldset>
      <legend className="mb-2 text-sm font-medium text-slate-700 dark:text-slate-300">Events</legend>
      <div className="grid grid-cols-2 gap-2">
        {WEBHOOK_EVENTS.map((ev) => (
          <label key={ev} className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              className="rounded border-slate-300"
              checked={value.includes(ev)}
              onChange={(e) => onChange(e.target.checked ? [...value, ev] : value.filter((x) => x !== ev))}
            />
            <span className="font-mono text-xs">{ev}</span>
          </label>
        ))}
      </div>
      {error && <p className="mt-1 text-xs text-rose-700 dark:text-rose-400">{error}</p>}
    </fieldset>
  );
}

const knownEvents = (events: string[]) => WEBHOOK_EVENTS.filter((ev) => events.includes(ev));

export function WebhookForm({ onClose, initial }: { onClose: () => void; initial?: Webhook }) {
  const save = useSaveMutation(WEBHOOKS, webhookCalls);
  const toast = useToast();
  const form = useForm(() => ({ url: initial?.url ?? "" }), save.error);
  const [events, setEvents] = useState<WebhookEvent[]>(() => knownEvents(initial?.events ?? ["lead.stage_changed"]));
  const submit = () => {
    const url = form.values.url.trim();
    if (!initial) {
      save.mutate({ body: { url, events, active: true } });
      return;
    }
    save.mutate(
      { id: initial.id, body: { url, events } },
      {
        onSuccess: () => {
          toast.success("Webhook saved");
          onClose();
        },
      },
    );
  };
  if (save.data && "secret" in save.data) return <SecretShown secret={save.data.secret} onClose={onClose} />;
  return (
    <FormDialog noun="webhook" editing={!!initial} save={save} onSubmit={submit} onClose={onClose}>
      <TextField
        label="Endpoint URL"
        type="url"
        placeholder="https://example.com/hooks/leadpulse"
        {...form.field("url")}
      />
      <EventChoices value={events} onChange={setEvents} error={form.errors.events} />
    </FormDialog>
  );
}
