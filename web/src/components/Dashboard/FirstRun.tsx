/** What an empty project needs first: its key, the snippet, a test event, an import. */
import { Link } from "react-router";
import { useAuth } from "../../lib/auth";
import { scriptSnippet } from "../Integrations/snippets";
import { Card, CodeBlock } from "../ui/primitives";

/** The CLI commands that fill a project without a website (shown with the real project id). */
export function firstRunCommands(projectId: number): string {
  return [`leadpulse import FILE --project ${projectId}`, "leadpulse demo"].join("\n");
}

const link = "font-medium text-brand-700 underline underline-offset-2 dark:text-brand-300";

export function FirstRun() {
  const { project } = useAuth();
  if (!project) return null;
  const key = project.publishableKey ?? "";
  return (
    <Card title="Get your first lead" className="border-l-4 border-brand-500">
      <div data-testid="first-run" className="space-y-5 text-sm">
        <p className="text-slate-600 dark:text-slate-300">
          This project has no leads yet. Send it events from your website, the Simulator or a file.
        </p>
        <div>
          <p className="mb-1 font-medium">Your publishable key (safe in browsers)</p>
          <code
            data-testid="first-run-key"
            className="block truncate rounded-md bg-slate-100 px-3 py-2 font-mono dark:bg-slate-800"
          >
            {key}
          </code>
        </div>
        <div>
          <p className="mb-1 font-medium">1. Paste this into your website&apos;s &lt;head&gt;</p>
          <CodeBlock code={scriptSnippet(window.location.origin, key)} label="First-run website snippet" />
        </div>
        <p>
          <span className="font-medium">2. Or try it now: </span>
          <Link to="/app/simulator" className={link}>
            Send a test event from the Simulator →
          </Link>
        </p>
        <div>
          <p className="mb-1 font-medium">
            3. Or load existing contacts from a terminal, or upload them on the{" "}
            <Link to="/app/imports" className={link}>
              Imports page
            </Link>
          </p>
          <CodeBlock code={firstRunCommands(project.id)} label="First-run commands" />
        </div>
      </div>
    </Card>
  );
}
