// The audit log, for admins (#/admin/audit): sign-ins and admin actions of every domain, newest first,
// filtered by domain, action, actor and time, a page at a time. The filters live in the address, so a
// filtered view can be linked to (a user's page links to their actions).
import { useState, type ReactNode } from "react";
import { api, dataOf } from "../../api/client";
import { Field, Select, fieldErrors } from "../../components/forms";
import { when } from "../../components/format";
import { Page } from "../../components/page";
import { Pager } from "../../components/pager";
import { Empty, Loaded, useLoad } from "../../components/states";
import { Table } from "../../components/table";
import { href, navigate } from "../../router";

const PAGE_SIZE = 50;
// the domains that record actions, and the actions they record today (an action named in the address
// that is not among them is offered too, so a link to it shows what it filters)
const DOMAINS = ["users", "registry"];
const ACTIONS = [
  "sign_in", "sign_up", "sign_out", "password_reset_requested", "profile_updated", "mfa_enabled", "mfa_disabled",
  "api_token_created", "api_token_revoked", "role_granted", "role_revoked", "account_disabled", "account_enabled",
  "admin_bootstrapped", "service_created", "service_changed", "service_deleted", "panel_added", "panel_deleted",
  "panels_synced",
];
const FILTERS = ["domain", "action", "actor_id", "since"] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** A datetime-local value as RFC 3339 in UTC (the person's own time zone read), or as typed if it is not one. */
function momentOf(local: string): string {
  const moment = new Date(local);
  return Number.isNaN(moment.getTime()) ? local : moment.toISOString();
}

export function AuditPage({ params }: { params: URLSearchParams }): ReactNode {
  const shown: Filters = { domain: "", action: "", actor_id: "", since: "" };
  for (const name of FILTERS) shown[name] = params.get(name) ?? "";
  const offset = Math.max(0, Number.parseInt(params.get("offset") ?? "0", 10) || 0);
  const [draft, setDraft] = useState<Filters>(shown);
  const [entries, reload] = useLoad(() => {
    const query = {
      limit: PAGE_SIZE,
      offset,
      ...(shown.domain ? { domain: shown.domain } : {}),
      ...(shown.action ? { action: shown.action } : {}),
      ...(shown.actor_id ? { actor_id: shown.actor_id } : {}),
      ...(shown.since ? { since: momentOf(shown.since) } : {}),
    };
    return dataOf(api.GET("/audit-log", { params: { query } }));
  }, [params.toString()]);
  const go = (filters: Filters, at: number) => {
    const kept = Object.fromEntries(Object.entries(filters).filter(([, value]) => value.trim() !== "").map(([name, value]) => [name, value.trim()]));
    if (at > 0) kept.offset = String(at);
    if (new URLSearchParams(kept).toString() === params.toString()) reload();
    else navigate("admin/audit", kept);
  };
  const set = (name: keyof Filters) => (value: string) => setDraft((current) => ({ ...current, [name]: value }));
  const errors = entries.state === "failed" ? fieldErrors(entries.problem) : {};
  return (
    <Page title="Audit log">
      <form
        className="wide filters"
        aria-label="Filter the audit log"
        onSubmit={(event) => {
          event.preventDefault();
          go(draft, 0);
        }}
      >
        <Select label="Domain" name="domain" value={draft.domain} onChange={set("domain")} options={[["", "every domain"], ...DOMAINS.map((one) => [one, one] as const)]} />
        <Select
          label="Action"
          name="action"
          value={draft.action}
          onChange={set("action")}
          options={[["", "every action"], ...[...ACTIONS, ...(draft.action && !ACTIONS.includes(draft.action) ? [draft.action] : [])].map((one) => [one, one] as const)]}
        />
        <Field label="Actor (user id)" name="actor_id" value={draft.actor_id} onChange={set("actor_id")} required={false} error={errors["query.actor_id"]} />
        <Field label="Since" name="since" type="datetime-local" value={draft.since} onChange={set("since")} required={false} error={errors["query.since"]} />
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              const none = { domain: "", action: "", actor_id: "", since: "" };
              setDraft(none);
              go(none, 0);
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
      <Loaded load={entries} what="the audit log">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No recorded action matches these filters.</Empty>
          ) : (
            <>
              <Table caption="Recorded actions, newest first" hiddenCaption columns={["When", "Action", "Outcome", "Who", "On", "Details"]} className="audit">
                {page.items.map((entry) => (
                  <tr key={entry.id} data-action={entry.action}>
                    <td>{when(entry.at)}</td>
                    <th scope="row">
                      {entry.action} <span className="muted">({entry.domain})</span>
                    </th>
                    <td>{entry.outcome}</td>
                    <td>{entry.actor_email ?? entry.actor_id ?? "the platform"}</td>
                    <td>
                      <Target type={entry.target_type} id={entry.target_id} />
                    </td>
                    <td>
                      <code className="details">{Object.keys(entry.details).length ? JSON.stringify(entry.details) : ""}</code>
                    </td>
                  </tr>
                ))}
              </Table>
              <Pager label="Pages of the audit log" offset={offset} shown={page.items.length} total={page.total} size={PAGE_SIZE} onGo={(next) => go(shown, next)} />
            </>
          )
        }
      </Loaded>
    </Page>
  );
}

/** What an action was done to, linked to its page where the console has one. */
function Target({ type, id }: { type: string | null; id: string | null }): ReactNode {
  if (type === null) return "—";
  const page = id === null ? null : type === "service" ? `services/${id}` : type === "user" ? `admin/users/${id}` : null;
  return (
    <>
      {type} {page === null ? (id ?? "") : <a href={href(page)}>{id}</a>}
    </>
  );
}
