// Users and roles, for admins: find users (#/admin/users), and one user's page (#/admin/users/<id>)
// with their grants, a role granted (for one service or all, until a moment or for good), a grant
// revoked, and the account disabled or enabled again. Granting, revoking and disabling need a session
// signed in with a password: the API says so (its problem shown) when it refuses.
import { useState, type ReactNode } from "react";
import { api, dataOf } from "../../api/client";
import type { components } from "../../api/schema";
import { Confirmed } from "../../components/confirmed";
import { Field, Select, Submit, fieldErrors, useSubmit } from "../../components/forms";
import { when } from "../../components/format";
import { Page } from "../../components/page";
import { Pager } from "../../components/pager";
import { Empty, Loaded, ProblemMessage, useAction, useLoad } from "../../components/states";
import { Table } from "../../components/table";
import { href, navigate } from "../../router";

type User = components["schemas"]["UserProfile"];
type Grant = components["schemas"]["RoleGrant"];
type Role = Grant["role"];

const PAGE_SIZE = 25;
const ROLES: readonly (readonly [Role, string])[] = [
  ["researcher", "researcher: submits and follows jobs"],
  ["viewer", "viewer: reads"],
  ["service_admin", "service_admin: manages a service (or all)"],
  ["admin", "admin: everything"],
];

export function UsersPage({ params }: { params: URLSearchParams }): ReactNode {
  const q = params.get("q") ?? "";
  const offset = Math.max(0, Number.parseInt(params.get("offset") ?? "0", 10) || 0);
  const [search, setSearch] = useState(q);
  const [users] = useLoad(() => dataOf(api.GET("/users", { params: { query: { limit: PAGE_SIZE, offset, ...(q ? { q } : {}) } } })), [q, offset]);
  const go = (next: { q: string; offset: number }) =>
    navigate("admin/users", { ...(next.q ? { q: next.q } : {}), ...(next.offset > 0 ? { offset: String(next.offset) } : {}) });
  return (
    <Page title="Users">
      <form
        role="search"
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          go({ q: search.trim(), offset: 0 });
        }}
      >
        <Field label="Find users" name="q" value={search} onChange={setSearch} required={false} hint="Part of an email, name or institution." />
        <button type="submit">Find</button>
      </form>
      <Loaded load={users} what="users">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{q ? `No user matches “${q}”.` : "There are no users yet."}</Empty>
          ) : (
            <>
              <Table caption="Users" hiddenCaption columns={["Email", "Name", "Status", "Roles", "Since"]}>
                {page.items.map((user) => (
                  <tr key={user.id}>
                    <th scope="row">
                      <a href={href(`admin/users/${user.id}`)}>{user.email}</a>
                    </th>
                    <td>{user.name ?? "—"}</td>
                    <td>
                      <span className={`badge badge-${user.status}`}>{user.status}</span>
                    </td>
                    <td>{user.roles.map(grantText).join(", ") || "—"}</td>
                    <td>{when(user.created_at)}</td>
                  </tr>
                ))}
              </Table>
              <Pager label="Pages of users" offset={offset} shown={page.items.length} total={page.total} size={PAGE_SIZE} onGo={(next) => go({ q, offset: next })} />
            </>
          )
        }
      </Loaded>
    </Page>
  );
}

function grantText(grant: Grant): string {
  return `${grant.role}${grant.service_id ? " (one service)" : ""}${grant.expires_at ? ` until ${when(grant.expires_at)}` : ""}`;
}

function inForce(grant: Grant): boolean {
  return grant.revoked_at == null && (grant.expires_at === null || new Date(grant.expires_at).getTime() > Date.now());
}

export function UserPage({ id }: { id: string }): ReactNode {
  const [user, reloadUser] = useLoad(() => dataOf(api.GET("/users/{user_id}", { params: { path: { user_id: id } } })), [id]);
  const [grants, reloadGrants] = useLoad(() => dataOf(api.GET("/users/{user_id}/roles", { params: { path: { user_id: id } } })), [id]);
  const [services] = useLoad(() => dataOf(api.GET("/services", { params: { query: { limit: 500 } } })), []);
  const serviceName = (serviceId: string | null) =>
    serviceId === null ? "every service" : services.state === "loaded" ? (services.data.items.find((one) => one.id === serviceId)?.name ?? serviceId) : serviceId;
  const changed = () => {
    reloadUser();
    reloadGrants();
  };
  return (
    <Page title={user.state === "loaded" ? user.data.email : "User"}>
      <p>
        <a href={href("admin/users")}>All users</a> · <a href={`${href("admin/audit")}?actor_id=${encodeURIComponent(id)}`}>Their actions in the audit log</a>
      </p>
      <Loaded load={user} what="the user">
        {(found) => (
          <>
            <Profile user={found} />
            <AccountStatus user={found} onChanged={changed} />
          </>
        )}
      </Loaded>
      <section aria-labelledby="roles-title">
        <h2 id="roles-title">Roles</h2>
        <Loaded load={grants} what="their roles">
          {(found) =>
            found.items.length === 0 ? (
              <Empty>They hold no role.</Empty>
            ) : (
              <Table caption="Their role grants, newest first" hiddenCaption columns={["Role", "For", "Until", "Granted", "State"]}>
                {found.items.map((grant) => (
                  <tr key={grant.id} data-grant={grant.id}>
                    <th scope="row">{grant.role}</th>
                    <td>{serviceName(grant.service_id)}</td>
                    <td>{grant.expires_at ? when(grant.expires_at) : "no end"}</td>
                    <td>{when(grant.granted_at)}</td>
                    <td>{inForce(grant) ? <Revoke userId={id} grant={grant} onRevoked={changed} /> : grant.revoked_at ? `revoked ${when(grant.revoked_at)}` : "expired"}</td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Loaded>
        <GrantRole userId={id} services={services.state === "loaded" ? services.data.items : []} onGranted={changed} />
      </section>
    </Page>
  );
}

function Profile({ user }: { user: User }): ReactNode {
  return (
    <dl className="facts">
      <dt>Status</dt>
      <dd>
        <span className={`badge badge-${user.status}`} data-testid="account-status">
          {user.status}
        </span>
      </dd>
      <dt>Name</dt>
      <dd>{user.name ?? "—"}</dd>
      <dt>Institution</dt>
      <dd>{[user.institution, user.department].filter(Boolean).join(", ") || "—"}</dd>
      <dt>Country</dt>
      <dd>{user.country ?? "—"}</dd>
      <dt>Signed up</dt>
      <dd>{when(user.created_at)}</dd>
      <dt>User id</dt>
      <dd>
        <code>{user.id}</code>
      </dd>
    </dl>
  );
}

function Revoke({ userId, grant, onRevoked }: { userId: string; grant: Grant; onRevoked: () => void }): ReactNode {
  const [problem, act] = useAction();
  const revoke = () =>
    act(async () => {
      await dataOf(api.DELETE("/users/{user_id}/roles/{grant_id}", { params: { path: { user_id: userId, grant_id: grant.id } } }));
      onRevoked();
    });
  return (
    <>
      in force{" "}
      <Confirmed label={`Revoke ${grant.role}`} question={`Revoke the ${grant.role} role? It stops at once.`} confirm="Yes, revoke it" keep="Keep it" onConfirm={revoke} />
      {problem ? <ProblemMessage problem={problem} /> : null}
    </>
  );
}

/** The moment a datetime-local field names, in the person's time zone, as RFC 3339 (UTC). */
function momentOf(local: string): string | null {
  if (!local) return null;
  const moment = new Date(local);
  return Number.isNaN(moment.getTime()) ? local : moment.toISOString();
}

function GrantRole({ userId, services, onGranted }: { userId: string; services: readonly components["schemas"]["ImputationService"][]; onGranted: () => void }): ReactNode {
  const [role, setRole] = useState<Role>("researcher");
  const [serviceId, setServiceId] = useState("");
  const [until, setUntil] = useState("");
  const [granted, setGranted] = useState<string | null>(null);
  const [busy, problem, submit] = useSubmit();
  const errors = fieldErrors(problem);
  const onSubmit = submit(async () => {
    setGranted(null);
    const grant = await dataOf(
      api.POST("/users/{user_id}/roles", {
        params: { path: { user_id: userId } },
        body: { role, service_id: serviceId || null, expires_at: momentOf(until) },
      }),
    );
    setGranted(`Granted ${grantText(grant)}.`);
    onGranted();
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="grant-title">
      <h3 id="grant-title">Grant a role</h3>
      <Select label="Role" name="role" value={role} onChange={(chosen) => setRole(chosen as Role)} options={ROLES} error={errors.role} />
      <Select
        label="For"
        name="service_id"
        value={serviceId}
        onChange={setServiceId}
        options={[["", "every service"], ...services.map((service) => [service.id, service.name] as const)]}
        hint="A role for one service limits it to that service (service_admin)."
        error={errors.service_id}
      />
      <Field label="Until" name="expires_at" type="datetime-local" value={until} onChange={setUntil} required={false} hint="Leave empty for a grant with no end; in your own time zone." error={errors.expires_at} />
      {problem ? <ProblemMessage problem={problem} /> : null}
      {granted ? (
        <p role="status" className="notice">
          {granted}
        </p>
      ) : null}
      <Submit busy={busy}>Grant the role</Submit>
    </form>
  );
}

function AccountStatus({ user, onChanged }: { user: User; onChanged: () => void }): ReactNode {
  const [reason, setReason] = useState("");
  const [problem, act] = useAction();
  const disabling = user.status !== "disabled";
  const change = () =>
    act(async () => {
      await dataOf(
        api.PUT("/users/{user_id}/status", {
          params: { path: { user_id: user.id } },
          body: { status: disabling ? "disabled" : "active", reason: reason.trim() || null },
        }),
      );
      setReason("");
      onChanged();
    });
  const label = disabling ? "Disable the account" : "Enable the account";
  return (
    <section aria-labelledby="status-title">
      <h2 id="status-title">Account</h2>
      <div className="actions">
        <Field label="Reason (for the audit log)" name="reason" value={reason} onChange={setReason} required={false} error={fieldErrors(problem).reason} />
        <Confirmed
          label={label}
          question={disabling ? `Disable ${user.email}? Their sessions end and their API tokens are refused.` : `Enable ${user.email} again?`}
          confirm={disabling ? "Yes, disable it" : "Yes, enable it"}
          keep="Leave it"
          onConfirm={change}
        />
      </div>
      {problem ? <ProblemMessage problem={problem} /> : null}
    </section>
  );
}
