import type { FormEvent, ReactNode } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router";
import type { AuthResponse } from "../../api/types";
import { googleClientId, useAuth } from "../../lib/auth";
import { useForm, type FieldProps } from "../../lib/form";
import { errorMessage, fieldErrors } from "../../lib/problem";
import { Logo } from "../Layout/Logo";
import { Button } from "../ui/primitives";
import { TextField } from "../ui/fields";
import { GoogleButton } from "./GoogleButton";
import { useSignIn, useSignUp } from "./hooks";

function useSession() {
  const { accept } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  return (session: AuthResponse) => {
    accept(session);
    void navigate(from && from.startsWith("/app") ? from : "/app", { replace: true });
  };
}

/**
 * The page around a sign-in or sign-up form: title, the fields, the API's error when no field
 * shows it, the submit button and Google sign-in when the server configured it.
 */
function AuthForm({
  title,
  subtitle,
  notice,
  submitLabel,
  onSubmit,
  mutation,
  children,
}: {
  title: string;
  subtitle: ReactNode;
  notice?: ReactNode;
  submitLabel: string;
  onSubmit: () => void;
  mutation: { isPending: boolean; error: unknown };
  children: ReactNode;
}) {
  const { token } = useAuth();
  const done = useSession();
  if (token) return <Navigate to="/app" replace />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  const { error } = mutation;
  const unplaced = !!error && Object.keys(fieldErrors(error)).length === 0;
  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-slate-50 px-4 py-12 dark:bg-slate-950">
      <Link to="/" aria-label="LeadPulse home" className="mb-8">
        <Logo />
      </Link>
      <div className="w-full max-w-sm rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
        <h1 className="text-xl font-semibold">{title}</h1>
        <p className="mt-1 mb-6 text-sm text-slate-500 dark:text-slate-400">{subtitle}</p>
        {notice}
        <form onSubmit={submit} className="space-y-4" noValidate>
          {children}
          {unplaced && (
            <p
              role="alert"
              className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700 ring-1 ring-rose-200 dark:bg-rose-950 dark:text-rose-200 dark:ring-rose-900"
            >
              {errorMessage(error)}
            </p>
          )}
          <Button type="submit" className="w-full" busy={mutation.isPending}>
            {submitLabel}
          </Button>
        </form>
        {googleClientId() && <GoogleButton clientId={googleClientId()} onSession={done} />}
      </div>
    </div>
  );
}

function OtherPage({ question, to, label }: { question: string; to: string; label: string }) {
  return (
    <>
      {question}{" "}
      <Link to={to} className="font-medium text-brand-600 dark:text-brand-300 hover:underline">
        {label}
      </Link>
    </>
  );
}

/** The password input: a new one (sign-up) says how long it must be. */
function PasswordField({ isNew = false, ...field }: FieldProps & { isNew?: boolean }) {
  const autoComplete = isNew ? "new-password" : "current-password";
  const hint = isNew ? "At least 8 characters." : undefined;
  return <TextField label="Password" type="password" autoComplete={autoComplete} required hint={hint} {...field} />;
}

export function SignIn() {
  const done = useSession();
  const location = useLocation();
  const expired = (location.state as { expired?: boolean } | null)?.expired;
  const signIn = useSignIn();
  const form = useForm({ email: "", password: "" }, signIn.error);
  const notice = expired && (
    <p className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-900">
      Your session ended. Please sign in again.
    </p>
  );
  return (
    <AuthForm
      title="Sign in"
      subtitle={<OtherPage question="No account yet?" to="/signup" label="Create one" />}
      notice={notice}
      submitLabel="Sign in"
      onSubmit={() => signIn.mutate(form.values, { onSuccess: done })}
      mutation={signIn}
    >
      <TextField label="Email" type="email" autoComplete="email" required {...form.field("email")} />
      <PasswordField {...form.field("password")} />
    </AuthForm>
  );
}

export function SignUp() {
  const done = useSession();
  const signUp = useSignUp();
  const form = useForm({ name: "", email: "", password: "", company: "" }, signUp.error);
  const { company, ...required } = form.values;
  return (
    <AuthForm
      title="Create your account"
      subtitle={<OtherPage question="Already have one?" to="/signin" label="Sign in" />}
      submitLabel="Create account"
      onSubmit={() => signUp.mutate({ ...required, ...(company ? { company } : {}) }, { onSuccess: done })}
      mutation={signUp}
    >
      <TextField label="Name" autoComplete="name" required {...form.field("name")} />
      <TextField label="Work email" type="email" autoComplete="email" required {...form.field("email")} />
      <PasswordField isNew {...form.field("password")} />
      <TextField label="Company (optional)" autoComplete="organization" {...form.field("company")} />
    </AuthForm>
  );
}
