import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router";
import { api, data } from "../../api/http";
import type { AuthResponse } from "../../api/types";
import { googleClientId, useAuth } from "../../lib/auth";
import { errorMessage, fieldErrors } from "../../lib/problem";
import { Logo } from "../Layout/Logo";
import { Button, TextField } from "../ui/primitives";
import { GoogleButton } from "./GoogleButton";

function AuthLayout({ title, subtitle, children }: { title: string; subtitle: ReactNode; children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-slate-50 px-4 py-12 dark:bg-slate-950">
      <Link to="/" aria-label="LeadPulse home" className="mb-8">
        <Logo />
      </Link>
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
        <h1 className="text-xl font-semibold">{title}</h1>
        <p className="mt-1 mb-6 text-sm text-slate-500 dark:text-slate-400">{subtitle}</p>
        {children}
      </div>
    </div>
  );
}

function useSession() {
  const { accept } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  return (session: AuthResponse) => {
    accept(session);
    navigate(from && from.startsWith("/app") ? from : "/app", { replace: true });
  };
}

function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p
      role="alert"
      className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700 ring-1 ring-rose-200 dark:bg-rose-950 dark:text-rose-200 dark:ring-rose-900"
    >
      {errorMessage(error)}
    </p>
  );
}

export function SignIn() {
  const { token } = useAuth();
  const done = useSession();
  const location = useLocation();
  const expired = (location.state as { expired?: boolean } | null)?.expired;
  const [form, setForm] = useState({ email: "", password: "" });
  const mutation = useMutation({
    mutationFn: async () => data(await api.POST("/api/auth/login", { body: form })),
    onSuccess: done,
  });
  if (token) return <Navigate to="/app" replace />;
  const errors = fieldErrors(mutation.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate();
  };
  return (
    <AuthLayout
      title="Sign in"
      subtitle={
        <>
          No account yet?{" "}
          <Link to="/signup" className="font-medium text-brand-600 hover:underline">
            Create one
          </Link>
        </>
      }
    >
      {expired && (
        <p className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-900">
          Your session ended. Please sign in again.
        </p>
      )}
      <form onSubmit={submit} className="space-y-4" noValidate>
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={form.email}
          error={errors.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={form.password}
          error={errors.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
        />
        {Object.keys(errors).length === 0 && <FormError error={mutation.error} />}
        <Button type="submit" className="w-full" busy={mutation.isPending}>
          Sign in
        </Button>
      </form>
      {googleClientId() && <GoogleButton clientId={googleClientId()} onSession={done} />}
    </AuthLayout>
  );
}

export function SignUp() {
  const { token } = useAuth();
  const done = useSession();
  const [form, setForm] = useState({ name: "", email: "", password: "", company: "" });
  const mutation = useMutation({
    mutationFn: async () =>
      data(
        await api.POST("/api/auth/register", {
          body: {
            name: form.name,
            email: form.email,
            password: form.password,
            ...(form.company ? { company: form.company } : {}),
          },
        }),
      ),
    onSuccess: done,
  });
  if (token) return <Navigate to="/app" replace />;
  const errors = fieldErrors(mutation.error);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  return (
    <AuthLayout
      title="Create your account"
      subtitle={
        <>
          Already have one?{" "}
          <Link to="/signin" className="font-medium text-brand-600 hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          mutation.mutate();
        }}
        className="space-y-4"
        noValidate
      >
        <TextField
          label="Name"
          autoComplete="name"
          required
          value={form.name}
          error={errors.name}
          onChange={set("name")}
        />
        <TextField
          label="Work email"
          type="email"
          autoComplete="email"
          required
          value={form.email}
          error={errors.email}
          onChange={set("email")}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          value={form.password}
          error={errors.password}
          hint="At least 8 characters."
          onChange={set("password")}
        />
        <TextField
          label="Company (optional)"
          autoComplete="organization"
          value={form.company}
          error={errors.company}
          onChange={set("company")}
        />
        {Object.keys(errors).length === 0 && <FormError error={mutation.error} />}
        <Button type="submit" className="w-full" busy={mutation.isPending}>
          Create account
        </Button>
      </form>
      {googleClientId() && <GoogleButton clientId={googleClientId()} onSession={done} />}
    </AuthLayout>
  );
}
