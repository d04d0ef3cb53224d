// The signed-in session: Cognito's tokens as the platform answered them, kept for this browser tab
// only (sessionStorage), so closing the tab forgets them.
const KEY = "fip.session";

export interface Tokens {
  access_token: string;
  refresh_token?: string | null;
  expires_in?: number | null;
  /** When the access token stops working, in milliseconds since the epoch (from expires_in). */
  expires_at?: number | null;
  email: string;
}

type Listener = () => void;
const listeners = new Set<Listener>();

/** The stored session as text: a snapshot that stays the same while the session does. */
function snapshot(): string | null {
  return sessionStorage.getItem(KEY);
}

function read(): Tokens | null {
  const stored = snapshot();
  if (stored === null) return null;
  try {
    return JSON.parse(stored) as Tokens;
  } catch {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

export const session = {
  current: read,
  snapshot,
  accessToken(): string | null {
    return read()?.access_token ?? null;
  },
  save(tokens: Tokens): void {
    const expires_at = tokens.expires_in ? Date.now() + tokens.expires_in * 1000 : null;
    sessionStorage.setItem(KEY, JSON.stringify({ ...tokens, expires_at }));
    listeners.forEach((listener) => listener());
  },
  clear(): void {
    if (snapshot() === null) return;
    sessionStorage.removeItem(KEY);
    listeners.forEach((listener) => listener());
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
