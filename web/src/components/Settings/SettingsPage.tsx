import type { FormEvent } from "react";
import type { Project } from "../../api/types";
import { useAuth } from "../../lib/auth";
import { useForm } from "../../lib/form";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { Button, Card, Figures, Loading, PageHeader, Toggle } from "../ui/primitives";
import { TextField } from "../ui/fields";
import { useSaveProject } from "./hooks";

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

/** The form's starting values: the project as stored (the rate as a percentage). */
function toForm(p: Project): ProjectForm {
  return {
    name: p.name,
    domain: p.domain ?? "",
    decayEnabled: !!p.decayEnabled,
    decayGraceDays: String(p.decayGraceDays ?? 7),
    decayDailyRate: String(Math.round((p.decayDailyRate ?? 0.05) * 10_000) / 100),
  };
}

function ProjectSettings({ project }: { project: Project }) {
  const toast = useToast();
  const save = useSaveProject(project.id);
  const form = useForm(() => toForm(project), save.error);
  const decay = form.values.decayEnabled;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(projectPatch(form.values), {
      onSuccess: () => toast.success("Project settings saved"),
      onError: (err) => toast.error(errorMessage(err)),
    });
  };
  return (
    <form onSubmit={submit} className="space-y-6" aria-label="Project settings">
      <Card title="Project">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Project name" {...form.field("name")} />
          <TextField label="Website domain" placeholder="example.com" {...form.field("domain")} />
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
          <Toggle checked={decay} label="Decay inactive leads" onChange={(v) => form.set("decayEnabled", v)} />
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            label="Grace period (days)"
            type="number"
            min={0}
            disabled={!decay}
            {...form.field("decayGraceDays")}
          />
          <TextField
            label="Score lost per day (%)"
            type="number"
            min={0}
            max={99}
            step="0.1"
            disabled={!decay}
            {...form.field("decayDailyRate")}
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
            <Figures
              className="grid gap-4 text-sm sm:grid-cols-3"
              valueClassName="font-medium"
              items={[
                { label: "Name", value: user.name },
                { label: "Email", value: user.email },
                { label: "User id", value: `#${user.id}` },
              ]}
            />
          ) : (
            <Loading />
          )}
        </Card>
        {project ? <ProjectSettings project={project} /> : <Loading />}
      </div>
    </>
  );
}
