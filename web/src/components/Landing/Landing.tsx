import { Link } from "react-router";
import { Logo } from "../Layout/Logo";

const FEATURES = [
  {
    title: "Score every visitor in real time",
    body: "Page views, sign-ups and demo requests update a lead's score within a second, with a full audit trail of every point.",
  },
  {
    title: "Know who is ready to buy",
    body: "Stages, velocity and risk tell sales who is hot right now — and who is going cold.",
  },
  {
    title: "Act automatically",
    body: "Slack, e-mail and signed webhooks fire the moment a lead qualifies. Retries and delivery logs included.",
  },
];

export function Landing() {
  return (
    <div className="min-h-screen bg-gradient-to-b from-white to-slate-100 dark:from-slate-950 dark:to-slate-900">
      <header className="mx-auto flex max-w-6xl items-center justify-between px-6 py-5">
        <Logo />
        <nav className="flex items-center gap-3 text-sm font-medium">
          <Link
            to="/signin"
            className="rounded-md px-3 py-2 text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
          >
            Sign in
          </Link>
          <Link to="/signup" className="rounded-md bg-brand-600 px-3.5 py-2 text-white shadow-sm hover:bg-brand-700">
            Get started
          </Link>
        </nav>
      </header>
      <main className="mx-auto max-w-6xl px-6 pt-16 pb-24">
        <div className="max-w-3xl">
          <p className="mb-4 inline-flex rounded-full bg-brand-50 px-3 py-1 text-xs font-semibold text-brand-700 ring-1 ring-brand-100 dark:bg-brand-600/15 dark:text-brand-100 dark:ring-brand-600/30">
            Event-driven lead scoring
          </p>
          <h1 className="text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl dark:text-white">
            Find your hottest leads the moment they heat up.
          </h1>
          <p className="mt-6 text-lg leading-8 text-slate-600 dark:text-slate-300">
            LeadPulse turns product and website events into live lead scores, stages and next actions — so your sales
            team calls the right people at the right time.
          </p>
          <div className="mt-8 flex flex-wrap gap-3">
            <Link
              to="/signup"
              className="rounded-md bg-brand-600 px-5 py-3 text-sm font-semibold text-white shadow-sm hover:bg-brand-700"
            >
              Create a free account
            </Link>
            <a
              href="/docs"
              className="rounded-md bg-white px-5 py-3 text-sm font-semibold text-slate-700 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-200 dark:ring-slate-700"
            >
              API reference
            </a>
          </div>
        </div>
        <div className="mt-20 grid gap-6 sm:grid-cols-3">
          {FEATURES.map((f) => (
            <div
              key={f.title}
              className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
            >
              <h2 className="font-semibold text-slate-900 dark:text-white">{f.title}</h2>
              <p className="mt-2 text-sm leading-6 text-slate-600 dark:text-slate-400">{f.body}</p>
            </div>
          ))}
        </div>
      </main>
    </div>
  );
}
