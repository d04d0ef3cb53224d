// The signed-in person's count of unread notifications, for the badge in the navigation: asked when
// the badge shows, every UNREAD_REFRESH_MS while it does, and whenever a page changed or may have
// changed what is unread (`refreshUnread`).
import { useEffect, useSyncExternalStore } from "react";
import { api } from "./api/client";

const UNREAD_REFRESH_MS = 15_000;

let unread: number | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Ask the platform for the count again; the badge keeps its last count when no answer comes. */
export function refreshUnread(): void {
  api.GET("/notifications/unread-count").then(
    ({ data }) => {
      if (data === undefined || data.unread === unread) return;
      unread = data.unread;
      listeners.forEach((listener) => listener());
    },
    () => undefined,
  );
}

/** The unread count (null until it is known), asked again every UNREAD_REFRESH_MS while in use. */
export function useUnread(): number | null {
  useEffect(() => {
    refreshUnread();
    const timer = window.setInterval(refreshUnread, UNREAD_REFRESH_MS);
    return () => {
      window.clearInterval(timer);
      unread = null; // the badge is gone (signed out): the next person's count is asked afresh
    };
  }, []);
  return useSyncExternalStore(subscribe, () => unread);
}
