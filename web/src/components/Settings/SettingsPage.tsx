import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { api, data } from "../../api/http";
import type { Project } from "../../api/types";
import { useAuth } from "../../lib/auth";
import { errorMessage, fieldErrors } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { Button, Card, Loading, PageHeader, TextField, Toggle } from "../ui/primitives";

interface ProjectForm {
  name: string;
  domain: string;
  decayEnabled: boolean;
  decayGraceDays: string;
  /** Percent per day, as typed (the API takes a fraction). */
  decayDailyRate: string;
}

export function projectPatch(f: ProjectForm) {
  return {
    name: f.name.trim(),
    domain: f.domain.trim() || null,
    decayEnabled: f.decayEnabled,
    decayGraceDays: Number(f.decayGraceDays),
    decayDailyRate: Number(f.decayDailyRate) / 100,
  };
}

function ProjectSettings({ project }: { project: Project }) {
  const client = useQueryClient();
  const toast = useToast();
  const p = project;
  const [form, setForm] = useState<ProjectForm>({
    name: "",
    domain: "",
    decayEnabled: false,
    decayGraceDays: "7",
    decayDailyRate: "5",
  });
  useEffect(() => {
    setForm({
      name: p.name,
      domain: p.domain ?? "",
      decayEnabled: !!p.decayEnabled,
      decayGraceDays: String(p.decayGraceDays ?? 7),
      decayDailyRate: String(Math.round((p.decayDailyRate ?? 0.05) * 10_000) / 100),
    });
  }, [p.name, p.domain, p.decayEnabled, p.decayGraceDays, p.decayDailyRate]);
  const save = useMutation({
    mutationFn: async () =>
      data(
        await api.PATCH("/api/projects/{project_id}", {
          params: { path: { project_id: project.id } },
          body: projectPatch(form),
        }),
      ),
    onSuccess: () => {
      toast.success("Project settings saved");
      void client.invalidateQueries({ queryKey: ["project"] });
    },
    onError: (e) => toast.error(errorMessage(e)),
  });
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="space-y-6" aria-label="Project settings">
      <Card title="Project">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            label="Project name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            error={errors.name}
          />
          <TextField
            label="Website domain"
            value={form.domain}
            onChange={(e) => setForm({ ...form, domain: e.target.value })}
            error={errors.domain}
            placeholder="example.com"
          />
        </div>
      </Card>
      <Card title="Score decay">
        <div className="mb-4 flex items-center justify-between gap-4">
          <div>
            <p className="text-sm font-medium">Decay inactive leads</p>
            <p className="text-xs text-slate-500 dark:text-slate-400">
              After the grace period, a quiet lead loses a share of its score every day (compounding), so stale leads
              stop looking hot.
            </p>
          </div>
          <Toggle
            checked={form.decayEnabled}
            label="Decay inactive leads"
            onChange={(v) => setForm({ ...form, decayEnabled: v })}
          />
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            label="Grace period (days)"
            type="number"
            min={0}
            value={form.decayGraceDays}
            disabled={!form.decayEnabled}
            onChange={(e) => setForm({ ...form, decayGraceDays: e.target.value })}
            error={errors.decayGraceDays}
          />
          <TextField
            label="Score lost per day (%)"
            type="number"
            min={0}
            max={99}
            step="0.1"
            value={form.decayDailyRate}
            disabled={!form.decayEnabled}
            onChange={(e) => setForm({ ...form, decayDailyRate: e.target.value })}
            error={errors.decayDailyRate}
          />
        </div>
      </Card>
      <div className="flex justify-end">
        <Button type="submit" busy={save.isPending}>
          Save settings
        </Button>
      </div>
    </form>
  );
}

export default function SettingsPage() {
  const { user, project, signOut } = useAuth();
  return (
    <>
      <PageHeader title="Settings" description="Your profile and this project's configuration." />
      <div className="space-y-6">
        <Card
          title="Profile"
          action={
            <Button size="sm" variant="secondary" onClick={signOut}>
              Sign out
            </Button>
          }
        >
          {user ? (
            <dl className="grid gap-4 text-sm sm:grid-cols-3">
              <div>
                <dt className="text-xs text-slate-500">Name</dt>
                <dd className="font-medium">{user.name}</dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">Email</dt>
                <dd className="font-medium">{user.email}</dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">User id</dt>
                <dd className="font-medium">#{user.id}</dd>
              </div>
            </dl>
          ) : (
            <Loading />
          )}
        </Card>
        {project ? <ProjectSettings project={project} /> : <Loading />}
      </div>
    </>
  );
}
