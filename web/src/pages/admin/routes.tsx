// The pages of a service and of administration, by their hash route: `services/<id>` (where emails
// about a service link), `admin/services/new`, `admin/services/<id>/edit`, `admin/users`,
// `admin/users/<id>`, `admin/audit`, `admin/residency` and `admin/platform`. Anybody may open them; the API refuses whoever lacks the role,
// and the page shows its problem.
import type { ReactNode } from "react";
import { ServicePage } from "../service";
import { AuditPage } from "./audit";
import { PlatformPage } from "./platform";
import { ResidencyPage } from "./residency";
import { EditServicePage, NewServicePage } from "./services";
import { UserPage, UsersPage } from "./users";

/** The page for this route, or undefined when the route is none of these. */
export function adminPage(page: string, params: URLSearchParams): ReactNode | undefined {
  const [first, second, third, fourth, ...rest] = page.split("/");
  if (rest.length > 0 || !(first === "services" || first === "admin")) return undefined;
  if (first === "services") return second && third === undefined ? <ServicePage key={second} id={second} /> : undefined;
  if (second === "services" && third === "new" && fourth === undefined) return <NewServicePage />;
  if (second === "services" && third && fourth === "edit") return <EditServicePage key={third} id={third} />;
  if (fourth !== undefined) return undefined;
  if (second === "users") return third ? <UserPage key={third} id={third} /> : <UsersPage params={params} />;
  if (second === "audit" && third === undefined) return <AuditPage params={params} />;
  if (second === "residency" && third === undefined) return <ResidencyPage />;
  if (second === "platform" && third === undefined) return <PlatformPage />;
  return undefined;
}
