import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router";
import { SignIn, SignUp } from "./components/Auth/AuthPages";
import { Landing } from "./components/Landing/Landing";
import { AppShell } from "./components/Layout/AppShell";
import { Loading } from "./components/ui/primitives";
import { useAuth } from "./lib/auth";

const DashboardPage = lazy(() => import("./components/Dashboard/DashboardPage"));
const LeadsPage = lazy(() => import("./components/Leads/LeadsPage"));
const EventsPage = lazy(() => import("./components/Events/EventsPage"));
const RulesPage = lazy(() => import("./components/Rules/RulesPage"));
const AutomationsPage = lazy(() => import("./components/Automations/AutomationsPage"));
const WebhooksPage = lazy(() => import("./components/Webhooks/WebhooksPage"));
const SimulatorPage = lazy(() => import("./components/Simulator/SimulatorPage"));
const IntegrationsPage = lazy(() => import("./components/Integrations/IntegrationsPage"));
const ImportsPage = lazy(() => import("./components/Imports/ImportsPage"));
const InboundPage = lazy(() => import("./components/Inbound/InboundPage"));
const SystemPage = lazy(() => import("./components/System/SystemPage"));
const SettingsPage = lazy(() => import("./components/Settings/SettingsPage"));

function Home() {
  const { token } = useAuth();
  return token ? <Navigate to="/app" replace /> : <Landing />;
}

export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/" element={<Home />} />
        <Route path="/signin" element={<SignIn />} />
        <Route path="/signup" element={<SignUp />} />
        <Route path="/app" element={<AppShell />}>
          <Route index element={<DashboardPage />} />
          <Route path="leads" element={<LeadsPage />} />
          <Route path="leads/:leadId" element={<LeadsPage />} />
          <Route path="events" element={<EventsPage />} />
          <Route path="rules" element={<RulesPage />} />
          <Route path="automations" element={<AutomationsPage />} />
          <Route path="webhooks" element={<WebhooksPage />} />
          <Route path="simulator" element={<SimulatorPage />} />
          <Route path="integrations" element={<IntegrationsPage />} />
          <Route path="imports" element={<ImportsPage />} />
          <Route path="inbound" element={<InboundPage />} />
          <Route path="system" element={<SystemPage />} />
          <Route path="settings" element={<SettingsPage />} />
        </Route>
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </Suspense>
  );
}
