// The pages of a service and of administration, by their hash route: `services/<id>` (where emails
// about a service link), `admin/services/new`, `admin/services/<id>/edit`, `admin/users`,
// `admin/users/<id>` and `admin/audit`. Anybody may open them; the API refuses whoever lacks the role,
// and the page shows its problem.
import type { ReactNode } from "react";
import { ServicePage } from "../service";
import { AuditPage } from "./audit";
import { EditServicePage, NewServicePage } from "./services";
import { UserPage, UsersPage } from "./users";

/** The page for this route, or undefined when the route is none of these. */
export function adminPage(page: string, params: URLSearchParams): ReactNode | undefined {
  const [first, id, action, ...rest] = page.split("/");
  if (first === "services" && id && action === undefined) return <ServicePage key={id} id={id} />;
  if (first !== "admin" || rest.length > 0) return undefined;
  if (id === "services" && action === "new") return <NewServicePage />;
  if (id === "users" && action === undefined) return <UsersPage params={params} />;
  if (id === "users" && action) return <UserPage key={action} id={action} />;
  if (id === "audit" && action === undefined) return <AuditPage params={params} />;
  const edit = page.match(/^admin\/services\/([^/]+)\/edit$/);
  return edit?.[1] ? <EditServicePage key={edit[1]} id={edit[1]} /> : undefined;
}
