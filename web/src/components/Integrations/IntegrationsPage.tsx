import { useState } from "react";
import { useAuth } from "../../lib/auth";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { Button, Card, CodeBlock, CopyButton, Loading, PageHeader } from "../ui/primitives";
import { useCreateSecretKey, useSendTestEvent } from "./hooks";
import { curlExample, pythonExample, scriptSnippet } from "./snippets";

function KeyRow({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <p className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">{label}</p>
      <div className="flex items-center gap-2">
        <code
          data-testid={testId}
          className="flex-1 truncate rounded-md bg-slate-100 px-3 py-2 font-mono text-sm dark:bg-slate-800"
        >
          {value}
        </code>
        <CopyButton value={value} label="Copy" />
      </div>
    </div>
  );
}

export default function IntegrationsPage() {
  const { project } = useAuth();
  const toast = useToast();
  const origin = window.location.origin;
  const [secret, setSecret] = useState<string | null>(null);
  const createSecret = useCreateSecretKey();
  const testEvent = useSendTestEvent(project?.publishableKey);
  const createKey = () =>
    createSecret.mutate(undefined, {
      onSuccess: (k) => {
        setSecret(k.apiKey);
        toast.success("Secret key created — copy it now");
      },
      onError: (e) => toast.error(errorMessage(e)),
    });
  const sendTest = () =>
    testEvent.mutate(undefined, {
      onSuccess: (r) => toast.success(`Test event accepted (lead #${r.leadId})`),
      onError: (e) => toast.error(errorMessage(e)),
    });
  if (!project) return <Loading />;
  const pk = project.publishableKey ?? "";

  return (
    <>
      <PageHeader title="Integrations" description="Connect your website and back end in a few minutes." />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="API keys">
          <div className="space-y-5">
            <KeyRow label="Publishable key (safe in browsers)" value={pk} testId="publishable-key" />
            <div>
              <p className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">
                Secret key (server-side only)
              </p>
              {secret ? (
                <>
                  <div className="flex items-center gap-2">
                    <code
                      data-testid="secret-key"
                      className="flex-1 truncate rounded-md bg-amber-50 px-3 py-2 font-mono text-sm ring-1 ring-amber-200 dark:bg-amber-950 dark:ring-amber-800"
                    >
                      {secret}
                    </code>
                    <CopyButton value={secret} />
                  </div>
                  <p className="mt-1 text-xs text-amber-700 dark:text-amber-400">
                    Shown once. Store it in your secret manager now.
                  </p>
                </>
              ) : (
                <Button variant="secondary" onClick={createKey} busy={createSecret.isPending}>
                  Create secret key
                </Button>
              )}
            </div>
          </div>
        </Card>
        <Card title="Send a test event">
          <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
            Sends a <code>page_view</code> with your publishable key through the SDK endpoint, exactly as your site
            would.
          </p>
          <Button onClick={sendTest} busy={testEvent.isPending}>
            Send test event
          </Button>
        </Card>
        <Card title="Website snippet" className="lg:col-span-2">
          <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
            Paste before <code>&lt;/head&gt;</code>. Page views are tracked automatically; call{" "}
            <code>LS.track("signup")</code> and <code>LS.identify(email)</code> for more.
          </p>
          <CodeBlock label="Website snippet" code={scriptSnippet(origin, pk)} />
        </Card>
        <Card title="curl" className="lg:col-span-2">
          <CodeBlock label="curl example" code={curlExample(origin, pk)} />
        </Card>
        <Card title="Python" className="lg:col-span-2">
          <CodeBlock label="Python example" code={pythonExample(origin, secret)} />
        </Card>
      </div>
    </>
  );
}
