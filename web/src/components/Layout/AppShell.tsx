import { useState } from "react";
import { NavLink, Navigate, Outlet, useLocation } from "react-router";
import { useAuth } from "../../lib/auth";
import { LiveStatusContext, useLiveUpdates, type LiveStatus } from "../../lib/live";
import { Icon } from "../ui/primitives";
import { Logo } from "./Logo";
import nav from "./nav.json";

/** The main navigation: path, label and icon (a 24×24 line drawing) of every screen. */
const NAV: { to: string; label: string; icon: string }[] = nav;

const STATUS: Record<LiveStatus, { dot: string; text: string }> = {
  connected: { dot: "bg-emerald-500", text: "Live" },
  connecting: { dot: "bg-amber-400 animate-pulse", text: "Connecting" },
  disconnected: { dot: "bg-rose-500", text: "Offline" },
};

export function LiveIndicator({ status }: { status: LiveStatus }) {
  const s = STATUS[status];
  return (
    <span
      className="inline-flex items-center gap-1.5 rounded-full bg-slate-100 px-2.5 py-1 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300"
      title={`Live updates: ${s.text}`}
      data-testid="live-status"
    >
      <span className={`h-2 w-2 rounded-full ${s.dot}`} aria-hidden="true" />
      {s.text}
    </span>
  );
}

function Sidebar({ onNavigate }: { onNavigate: () => void }) {
  const { user, project, signOut } = useAuth();
  return (
    <div className="flex h-full flex-col">
      <div className="flex h-16 items-center px-5">
        <Logo />
      </div>
      <nav aria-label="Main" className="flex-1 space-y-0.5 overflow-y-auto px-3 py-2">
        {NAV.map((item) => (
          <NavLink
            key={item.to}
            to={item.to}
            end={item.to === "/app"}
            onClick={onNavigate}
            className={({ isActive }) =>
              `flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors ${
                isActive
                  ? "bg-brand-50 text-brand-700 dark:bg-brand-600/15 dark:text-brand-100"
                  : "text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-white"
              }`
            }
          >
            <Icon path={item.icon} className="h-4.5 w-4.5 shrink-0" strokeWidth={1.8} />
            {item.label}
          </NavLink>
        ))}
      </nav>
      <div className="border-t border-slate-200 p-4 dark:border-slate-800">
        <p className="truncate text-sm font-medium">{user?.name ?? "…"}</p>
        <p className="truncate text-xs text-slate-500 dark:text-slate-400">{project?.name ?? ""}</p>
        <button
          type="button"
          onClick={signOut}
          className="mt-3 text-xs font-medium text-slate-500 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white"
        >
          Sign out
        </button>
      </div>
    </div>
  );
}

export function AppShell() {
  const { token } = useAuth();
  const status = useLiveUpdates(token);
  const [open, setOpen] = useState(false);
  const location = useLocation();
  if (!token) return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  return (
    <LiveStatusContext.Provider value={status}>
      <div className="min-h-screen">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
          Skip to content
        </a>
        <aside className="fixed inset-y-0 left-0 z-30 hidden w-60 border-r border-slate-200 bg-white lg:block dark:border-slate-800 dark:bg-slate-900">
          <Sidebar onNavigate={() => undefined} />
        </aside>
        {open && (
          <div className="fixed inset-0 z-40 lg:hidden">
            <div className="absolute inset-0 bg-slate-950/50" onClick={() => setOpen(false)} aria-hidden="true" />
            <aside className="animate-fade-in relative h-full w-64 bg-white shadow-xl dark:bg-slate-900">
              <Sidebar onNavigate={() => setOpen(false)} />
            </aside>
          </div>
        )}
        <div className="lg:pl-60">
          <header className="sticky top-0 z-20 flex h-14 items-center gap-3 border-b border-slate-200 bg-white/80 px-4 backdrop-blur sm:px-6 dark:border-slate-800 dark:bg-slate-950/80">
            <button
              type="button"
              className="rounded-md p-2 text-slate-600 hover:bg-slate-100 lg:hidden dark:text-slate-300 dark:hover:bg-slate-800"
              onClick={() => setOpen(true)}
              aria-label="Open navigation"
            >
              <Icon path="M4 6h16M4 12h16M4 18h16" />
            </button>
            <div className="lg:hidden">
              <Logo compact />
            </div>
            <div className="ml-auto">
              <LiveIndicator status={status} />
            </div>
          </header>
          <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8">
            <Outlet />
          </main>
        </div>
      </div>
    </LiveStatusContext.Provider>
  );
}
