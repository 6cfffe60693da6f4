import { useState, type FormEvent } from "react";
import { formatRelative } from "../../lib/format";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { Field, SelectField } from "../ui/fields";
import { Button, Card, EmptyState, PageHeader, StatusBadge } from "../ui/primitives";
import { ListCard, QueryView } from "../ui/QueryView";
import { useImport, useImports, useUpload, type ImportDetail } from "./hooks";

const FORMATS = [
  { value: "", label: "Guess from the file" },
  { value: "csv", label: "CSV" },
  { value: "ndjson", label: "NDJSON" },
  { value: "segment-json", label: "Segment export" },
];

function UploadCard({ onStarted }: { onStarted: (id: number) => void }) {
  const toast = useToast();
  const upload = useUpload();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    upload.mutate(
      { file, format },
      {
        onSuccess: (job) => onStarted(job.id),
        onError: (e) => toast.error(errorMessage(e)),
      },
    );
  };
  return (
    <Card title="Upload a file">
      <form className="grid gap-4 sm:grid-cols-3 sm:items-end" onSubmit={submit}>
        <Field label="File" htmlFor="import-file" hint="CSV with a header row, NDJSON or a Segment export">
          <input
            id="import-file"
            type="file"
            accept=".csv,.ndjson,.jsonl,.json,text/csv,application/json"
            className="block w-full text-sm"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </Field>
        <SelectField label="Format" value={format} onChange={(e) => setFormat(e.target.value)}>
          {FORMATS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </SelectField>
        <div>
          <Button type="submit" busy={upload.isPending} disabled={!file}>
            Import
          </Button>
        </div>
      </form>
    </Card>
  );
}

function Progress({ job }: { job: ImportDetail }) {
  return (
    <div className="space-y-2">
      <div className="flex items-center justify-between text-sm">
        <span className="font-medium">{job.filename}</span>
        <StatusBadge status={job.status} />
      </div>
      <div
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={job.percent}
        className="h-2.5 w-full overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800"
      >
        <div className="h-full bg-brand-600 transition-all" style={{ width: `${job.percent}%` }} />
      </div>
      <p className="text-xs text-slate-500" data-testid="import-counts">
        {job.percent}% · {job.rowsRead} read · {job.rowsStored} stored · {job.rowsDuplicate} duplicate ·{" "}
        {job.rowsRejected} rejected
      </p>
      {job.error && <p className="text-sm text-rose-600">{job.error}</p>}
    </div>
  );
}

function Rejections({ job }: { job: ImportDetail }) {
  if (!job.rejections.items.length) return <EmptyState title="No rejected rows" />;
  return (
    <table className="w-full text-left text-sm" aria-label="Rejected rows">
      <thead>
        <tr className="text-xs text-slate-500">
          <th className="py-1 pr-3">Line</th>
          <th className="py-1 pr-3">Reason</th>
          <th className="py-1">Row</th>
        </tr>
      </thead>
      <tbody>
        {job.rejections.items.map((r) => (
          <tr key={`${r.line}-${r.raw}`} className="border-t border-slate-100 dark:border-slate-800">
            <td className="py-1 pr-3 font-mono">{r.line}</td>
            <td className="py-1 pr-3">{r.errors.map((e) => `${String(e.loc)}: ${String(e.msg)}`).join("; ")}</td>
            <td className="max-w-xs truncate py-1 font-mono text-xs">{r.raw}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ImportCard({ importId }: { importId: number }) {
  const detail = useImport(importId);
  return (
    <Card title={`Import ${importId}`}>
      <QueryView query={detail}>
        {(job) => (
          <div className="space-y-5">
            <Progress job={job} />
            <Rejections job={job} />
          </div>
        )}
      </QueryView>
    </Card>
  );
}

export default function ImportsPage() {
  const list = useImports();
  const [selected, setSelected] = useState<number | null>(null);
  return (
    <>
      <PageHeader
        title="Imports"
        description="Load past events from a file; they are scored in event-time order, and importing the same rows again adds nothing."
      />
      <div className="space-y-6">
        <UploadCard onStarted={setSelected} />
        {selected !== null && <ImportCard importId={selected} />}
        <ListCard title="Recent imports" query={list} empty={<EmptyState title="No imports yet" />}>
          {(job) => (
            <>
              <div className="min-w-0">
                <p className="truncate text-sm font-medium">{job.filename}</p>
                <p className="text-xs text-slate-500">
                  {formatRelative(job.createdAt)} · {job.rowsStored} stored · {job.rowsRejected} rejected
                </p>
              </div>
              <div className="flex items-center gap-2">
                <StatusBadge status={job.status} />
                <Button size="sm" variant="ghost" onClick={() => setSelected(job.id)}>
                  Details
                </Button>
              </div>
            </>
          )}
        </ListCard>
      </div>
    </>
  );
}
