// Hash routes (#/files): the console is one index.html, and every other path on its origin is the
// API's, locally and behind CloudFront, so no page path can shadow a route.
import { useSyncExternalStore } from "react";

export interface Location {
  page: string;
  params: URLSearchParams;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

function snapshot(): string {
  return window.location.hash;
}

/** The page and query of the current hash, e.g. #/confirm?email=a@b.org. */
export function useLocation(): Location {
  const hash = useSyncExternalStore(subscribe, snapshot);
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?", 2);
  return { page: path, params: new URLSearchParams(query) };
}

/** Go to a page of the console. */
export function navigate(page: string, params?: Record<string, string>): void {
  const query = params === undefined ? "" : `?${new URLSearchParams(params).toString()}`;
  window.location.hash = `#/${page}${query}`;
}

/** The href of a page, for links. */
export function href(page: string): string {
  return `#/${page}`;
}
