// What the signed-in person may administer, from their profile's grants in force (`GET /me`): asked
// once per session and shared by every page. It only decides what the console shows; the API refuses
// whoever lacks the role anyway, and its problem is what the person then reads.
import { useSyncExternalStore } from "react";
import { api } from "./api/client";
import type { components } from "./api/schema";
import { session } from "./session";

type Grant = components["schemas"]["RoleGrant"];

export interface Roles {
  /** A platform admin: users, roles, the audit log, every service. */
  admin: boolean;
  /** Whether the person may manage this service (an admin, or its service admin). */
  manages: (serviceId: string) => boolean;
}

const NOBODY: Roles = { admin: false, manages: () => false };
let asked: string | null = null; // whose roles the ones below are (the session's email: a renewed token keeps them)
let roles: Roles = NOBODY;
const listeners = new Set<() => void>();

function rolesOf(grants: readonly Grant[]): Roles {
  const held = (role: Grant["role"], serviceId?: string) =>
    grants.some((grant) => grant.role === role && (grant.service_id === null || grant.service_id === serviceId));
  const admin = held("admin");
  return { admin, manages: (serviceId) => admin || held("service_admin", serviceId) };
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const unsubscribe = session.subscribe(() => listener());
  return () => {
    listeners.delete(listener);
    unsubscribe();
  };
}

function snapshot(): Roles {
  const current = session.current()?.email ?? null;
  if (current !== asked) {
    asked = current;
    roles = NOBODY;
    if (current !== null) {
      api.GET("/me").then(
        ({ data }) => {
          if (data === undefined || (session.current()?.email ?? null) !== current) return;
          roles = rolesOf(data.roles);
          listeners.forEach((listener) => listener());
        },
        () => undefined, // no answer: the person sees what any researcher sees; the API decides anyway
      );
    }
  }
  return roles;
}

/** The signed-in person's roles (none until `GET /me` answers, and none when signed out). */
export function useRoles(): Roles {
  return useSyncExternalStore(subscribe, snapshot);
}
