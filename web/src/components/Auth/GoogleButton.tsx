import { useEffect, useEffectEvent, useRef, useState } from "react";
import type { AuthResponse } from "../../api/types";
import { errorMessage } from "../../lib/problem";
import { googleSignIn } from "./hooks";

interface GoogleId {
  accounts: {
    id: {
      initialize: (options: { client_id: string; callback: (r: { credential: string }) => void }) => void;
      renderButton: (el: HTMLElement, options: Record<string, unknown>) => void;
    };
  };
}

/** Google Identity Services button; shown only when the server injected a client id. */
export function GoogleButton({ clientId, onSession }: { clientId: string; onSession: (s: AuthResponse) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const signedIn = useEffectEvent(onSession);
  useEffect(() => {
    const render = () => {
      const google = (window as unknown as { google?: GoogleId }).google;
      if (!google || !ref.current) return;
      google.accounts.id.initialize({
        client_id: clientId,
        callback: ({ credential }) => {
          googleSignIn(credential).then(
            (session) => signedIn(session),
            (e: unknown) => setError(errorMessage(e)),
          );
        },
      });
      google.accounts.id.renderButton(ref.current, { theme: "outline", size: "large", width: 320 });
    };
    const script = document.createElement("script");
    script.src = "https://accounts.google.com/gsi/client";
    script.async = true;
    script.onload = render;
    script.onerror = () => setError("Google sign-in could not load.");
    document.head.appendChild(script);
    return () => script.remove();
  }, [clientId]);
  return (
    <div className="mt-6 border-t border-slate-200 pt-6 dark:border-slate-800">
      <div ref={ref} className="flex justify-center" />
      {error && <p className="mt-2 text-center text-xs text-rose-700 dark:text-rose-400">{error}</p>}
    </div>
  );
}
