import { useState, type FormEvent } from "react";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { Field, SelectField, TextField } from "../ui/fields";
import { Button, Card, CodeBlock, EmptyState, PageHeader, StatusBadge } from "../ui/primitives";
import { ListCard } from "../ui/QueryView";
import { useCreateSource, useDeleteSource, usePreview, useSources, type FieldMapping } from "./hooks";

const SAMPLE = `{
  "data": {
    "kind": "demo_request",
    "customer": { "email": "buyer@example.com" },
    "created": "2024-05-01T12:00:00Z",
    "plan": "pro"
  }
}`;

interface Draft {
  name: string;
  scheme: "standard" | "hmac";
  header: string;
  eventType: string;
  email: string;
  anonymousId: string;
  timestamp: string;
  properties: string;
  sample: string;
}

const EMPTY: Draft = {
  name: "",
  scheme: "standard",
  header: "X-Signature",
  eventType: "data.kind",
  email: "data.customer.email",
  anonymousId: "",
  timestamp: "data.created",
  properties: "data.plan",
  sample: SAMPLE,
};

function mappingOf(d: Draft): FieldMapping {
  const mapping: FieldMapping = { eventType: d.eventType || null, email: d.email || null };
  if (d.anonymousId) mapping.anonymousId = d.anonymousId;
  if (d.timestamp) mapping.timestamp = d.timestamp;
  const props = d.properties
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (props.length) mapping.properties = props;
  return mapping;
}

function parseSample(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function SourceForm() {
  const toast = useToast();
  const create = useCreateSource();
  const preview = usePreview();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [secret, setSecret] = useState<{ id: number; secret: string } | null>(null);
  const set = (key: keyof Draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });
  const tryIt = () => {
    const sample = parseSample(draft.sample);
    if (!sample) return toast.error("The sample payload is not a JSON object.");
    preview.mutate({ mapping: mappingOf(draft), sample });
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    const hmac =
      draft.scheme === "hmac"
        ? { header: draft.header, algorithm: "sha256" as const, encoding: "hex" as const, prefix: "sha256=" }
        : null;
    create.mutate(
      { name: draft.name, scheme: draft.scheme, hmac, mapping: mappingOf(draft), toleranceSeconds: 300, active: true },
      {
        onSuccess: (source) => setSecret({ id: source.id, secret: source.secret }),
        onError: (e) => toast.error(errorMessage(e)),
      },
    );
  };
  return (
    <Card title="New source">
      <form className="space-y-4" onSubmit={save}>
        <div className="grid gap-4 sm:grid-cols-3">
          <TextField label="Name" value={draft.name} onChange={set("name")} required />
          <SelectField label="Signature" value={draft.scheme} onChange={set("scheme")}>
            <option value="standard">Standard Webhooks</option>
            <option value="hmac">HMAC header (sha256=, hex)</option>
          </SelectField>
          {draft.scheme === "hmac" && <TextField label="Header" value={draft.header} onChange={set("header")} />}
        </div>
        <div className="grid gap-4 sm:grid-cols-3">
          <TextField label="Event type path" value={draft.eventType} onChange={set("eventType")} />
          <TextField label="E-mail path" value={draft.email} onChange={set("email")} />
          <TextField label="Anonymous id path" value={draft.anonymousId} onChange={set("anonymousId")} />
          <TextField label="Timestamp path" value={draft.timestamp} onChange={set("timestamp")} />
          <TextField
            label="Property paths"
            value={draft.properties}
            onChange={set("properties")}
            hint="comma separated"
          />
        </div>
        <Field label="Sample payload" htmlFor="inbound-sample">
          <textarea
            id="inbound-sample"
            rows={7}
            className="block w-full rounded-md p-2 font-mono text-xs ring-1 ring-slate-300 dark:bg-slate-900"
            value={draft.sample}
            onChange={set("sample")}
          />
        </Field>
        {preview.data && <CodeBlock label="Event" code={JSON.stringify(preview.data.event, null, 2)} />}
        {preview.error && <p className="text-sm text-rose-600">{errorMessage(preview.error)}</p>}
        <div className="flex gap-2">
          <Button variant="secondary" onClick={tryIt} busy={preview.isPending}>
            Preview
          </Button>
          <Button type="submit" busy={create.isPending}>
            Save source
          </Button>
        </div>
        {secret && (
          <div className="space-y-2 text-sm">
            <p>Post to /api/inbound/{secret.id}. Signing secret (shown once):</p>
            <CodeBlock label="Secret" code={secret.secret} />
          </div>
        )}
      </form>
    </Card>
  );
}

export default function InboundPage() {
  const list = useSources();
  const remove = useDeleteSource();
  return (
    <>
      <PageHeader
        title="Inbound sources"
        description="Signed webhooks from form tools, billing systems and product back ends, mapped to events."
      />
      <div className="space-y-6">
        <SourceForm />
        <ListCard title="Sources" query={list} empty={<EmptyState title="No inbound sources yet" />}>
          {(source) => (
            <>
              <div className="min-w-0">
                <p className="text-sm font-medium">{source.name}</p>
                <p className="font-mono text-xs text-slate-500">POST /api/inbound/{source.id}</p>
              </div>
              <div className="flex items-center gap-2">
                <StatusBadge status={source.active ? "active" : "paused"} />
                <Button size="sm" variant="ghost" onClick={() => remove.mutate(source.id)}>
                  Delete
                </Button>
              </div>
            </>
          )}
        </ListCard>
      </div>
    </>
  );
}
