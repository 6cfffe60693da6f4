/** Who is signed in: token, user and project; sign-in, sign-up, sign-out, 401 handling. */
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useLocation, useNavigate } from "react-router";
import { onUnauthorized, tokenStore } from "../api/http";
import type { AuthResponse, Project, User } from "../api/types";
import { useCurrentProject, useCurrentUser } from "../components/Auth/hooks";

interface AuthApi {
  token: string | null;
  user: User | undefined;
  project: Project | undefined;
  accept: (session: AuthResponse | { token: string }) => void;
  signOut: () => void;
}

const AuthContext = createContext<AuthApi | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => tokenStore.get());
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();

  const user = useCurrentUser(token);
  const project = useCurrentProject(token);

  const accept = useCallback(
    (session: AuthResponse | { token: string }) => {
      tokenStore.set(session.token);
      queryClient.clear();
      setToken(session.token);
    },
    [queryClient],
  );

  const signOut = useCallback(() => {
    tokenStore.clear();
    queryClient.clear();
    setToken(null);
    void navigate("/signin", { replace: true });
  }, [navigate, queryClient]);

  useEffect(
    () =>
      onUnauthorized(() => {
        queryClient.clear();
        setToken(null);
        void navigate("/signin", { replace: true, state: { from: location.pathname, expired: true } });
      }),
    [navigate, queryClient, location.pathname],
  );

  const value = useMemo<AuthApi>(
    () => ({ token, user: user.data, project: project.data, accept, signOut }),
    [token, user.data, project.data, accept, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthApi {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}

/** The Google client id the server injected into index.html (empty: no Google sign-in). */
export function googleClientId(): string {
  const meta = document.querySelector('meta[name="leadpulse-google-client-id"]');
  return meta?.getAttribute("content")?.trim() ?? "";
}
