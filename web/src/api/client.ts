// The typed API client: paths, bodies and answers come from schema.d.ts, which openapi-typescript
// generates from the platform's own OpenAPI document, so a changed route fails `tsc`.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import { session } from "../session";

/** An RFC 9457 problem as the platform answers it, or what stands in for one. */
export interface Problem {
  title: string;
  status: number;
  detail?: string | null;
  errors?: { location: string; message: string; type: string }[] | null;
  correlation_id?: string | null;
}

const REFRESH_MARGIN_MS = 60_000; // a token this close to expiring is renewed before it is sent
let refreshing: Promise<void> | null = null;

/** A new access token from the session's refresh token (once, however many requests wait on it). */
function refreshed(): Promise<void> {
  const current = session.current();
  if (current?.refresh_token == null) return Promise.resolve();
  refreshing ??= api
    .POST("/auth/refresh", { body: { refresh_token: current.refresh_token } })
    .then(({ data }) => {
      // refused (signed out elsewhere, disabled): sign in again
      if (data === undefined) return session.clear();
      session.save({ ...current, access_token: data.access_token, expires_in: data.expires_in });
    })
    .catch(() => undefined) // no answer: the request goes with the token it has, and says what failed
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

const signedIn: Middleware = {
  async onRequest({ request }) {
    const expiresAt = session.current()?.expires_at;
    if (expiresAt != null && Date.now() > expiresAt - REFRESH_MARGIN_MS && !request.url.includes("/auth/")) {
      await refreshed();
    }
    const token = session.accessToken();
    if (token !== null) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    // a token the gateway refuses (expired, revoked, signed out elsewhere) ends the console's session
    if (response.status === 401 || (response.status === 403 && isGatewayRefusal(response))) session.clear();
    return response;
  },
};

function isGatewayRefusal(response: Response): boolean {
  return (response.headers.get("content-type") ?? "").startsWith("application/json");
}

/** The platform's API, on the console's own origin. */
export const api = createClient<paths>({ baseUrl: "" });
api.use(signedIn);

/** Whatever an API call failed with, as a problem a person can read; never a stack. */
export function asProblem(error: unknown, response?: Response): Problem {
  if (typeof error === "object" && error !== null && "title" in error && "status" in error) {
    return error as Problem;
  }
  if (typeof error === "object" && error !== null && "message" in error && response !== undefined) {
    // API Gateway's own refusal: {"message": "Unauthorized"}
    const message = String((error as { message: unknown }).message);
    return { title: message, status: response.status, detail: refusalDetail(response.status, message) };
  }
  if (response !== undefined) {
    return { title: response.statusText || "Error", status: response.status, detail: `The platform answered ${response.status}.` };
  }
  return {
    title: "No answer",
    status: 0,
    detail: "The platform could not be reached. Check your connection and try again.",
  };
}

function refusalDetail(status: number, message: string): string {
  if (status === 401) return "You are not signed in, or your session has ended: sign in again.";
  if (status === 403) return "Your session was refused (it may have expired or been signed out): sign in again.";
  return message;
}

/** An openapi-fetch answer's data with its response, or throw its problem. */
export async function answerOf<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; response: Response }> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch (failure) {
    throw asProblem(failure);
  }
  if (answer.error !== undefined || answer.data === undefined) throw asProblem(answer.error, answer.response);
  return { data: answer.data, response: answer.response };
}

/** The data of an openapi-fetch answer, or throw its problem (for `useLoad` and forms). */
export async function dataOf<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  return (await answerOf(call)).data;
}
