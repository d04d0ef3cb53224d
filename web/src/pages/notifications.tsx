// Notifications: the caller's messages, newest first (mark one or all read, delete one), and where each
// kind of message goes (email, in the app, both or neither).
import { useEffect, useState, type ReactNode } from "react";
import { api, asProblem, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { Submit, useSubmit } from "../components/forms";
import { Page } from "../components/page";
import { Empty, Loaded, ProblemMessage, useAction, useLoad } from "../components/states";
import { Table } from "../components/table";
import { refreshUnread, useUnread } from "../notices";
import { href } from "../router";

type Notification = components["schemas"]["NotificationView"];
type Preferences = components["schemas"]["NotificationPreferences"];
type Kind = components["schemas"]["MessageKind"];
type Channel = components["schemas"]["Channel"];

const PAGE_SIZE = 20;
// every kind the API knows must be labelled here: a kind added to the API breaks the build until it is
const KIND_LABELS: Record<Kind, string> = {
  job_submitted: "A job of yours was submitted",
  job_completed: "A job of yours completed",
  job_failed: "A job of yours failed",
  file_expiring: "A file of yours is about to be deleted",
  welcome: "Welcome",
  service_health: "A service went down or came back (admins)",
  service_at_risk: "A service is at risk of deactivation (admins)",
  service_deactivated: "A service was deactivated (admins)",
};
const KINDS = Object.entries(KIND_LABELS) as [Kind, string][];

export function NotificationsPage(): ReactNode {
  const [offset, setOffset] = useState(0);
  const unread = useUnread();
  const [list, reload] = useLoad(() => dataOf(api.GET("/notifications", { params: { query: { limit: PAGE_SIZE, offset } } })), [offset]);
  const [problem, act] = useAction();
  // a message that arrives while the page shows (the unread count moved) is listed; asked again once the
  // first count is known too, so that the list is never older than the count
  useEffect(() => {
    if (unread !== null) reload();
  }, [unread]);
  // every change is followed by the list and the badge as the platform now has them
  const change = (run: () => Promise<unknown>) =>
    act(run).finally(() => {
      reload();
      refreshUnread();
    });
  return (
    <Page
      title="Notifications"
      actions={
        <button type="button" className="secondary" disabled={unread === 0} onClick={() => void change(() => dataOf(api.POST("/notifications/read-all")))}>
          Mark all read
        </button>
      }
    >
      {problem ? <ProblemMessage problem={problem} /> : null}
      <Loaded load={list} what="your notifications">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>You have no notifications.</Empty>
          ) : (
            <>
              <ul className="notifications">
                {page.items.map((notification) => (
                  <NotificationRow
                    key={notification.id}
                    notification={notification}
                    onRead={() => void change(() => dataOf(api.POST("/notifications/{notification_id}/read", { params: { path: { notification_id: notification.id } } })))}
                    onDelete={() => void change(() => deleted(notification.id))}
                  />
                ))}
              </ul>
              {page.total > PAGE_SIZE ? (
                <nav aria-label="Pages of notifications" className="pager">
                  <button type="button" className="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                    Newer
                  </button>
                  <span>
                    {offset + 1}–{offset + page.items.length} of {page.total}
                  </span>
                  <button type="button" className="secondary" disabled={offset + page.items.length >= page.total} onClick={() => setOffset(offset + PAGE_SIZE)}>
                    Older
                  </button>
                </nav>
              ) : null}
            </>
          )
        }
      </Loaded>
      <PreferencesForm />
    </Page>
  );
}

async function deleted(id: string): Promise<void> {
  const { error, response } = await api.DELETE("/notifications/{notification_id}", { params: { path: { notification_id: id } } });
  if (!response.ok) throw asProblem(error, response);
}

/** A message's link (the platform's origin and a page's hash route, such as /#/jobs/<id>) as a link of this
console, which may be served from another origin; None for anything but a page the console has. */
function consoleLink(link: string | null): string | null {
  if (link === null) return null;
  const page = new URL(link, window.location.origin).hash.replace(/^#\/?/, "");
  return /^(jobs\/[0-9a-f-]+|(files|services)(\/[\w-]+)?|notifications)$/.test(page) ? href(page) : null;
}

function NotificationRow({ notification, onRead, onDelete }: { notification: Notification; onRead: () => void; onDelete: () => void }): ReactNode {
  const unread = notification.read_at === null;
  const link = consoleLink(notification.link);
  return (
    <li className={unread ? "notification unread" : "notification"} data-kind={notification.kind}>
      <div className="notification-head">
        <strong>
          {unread ? <span className="visually-hidden">Unread: </span> : null}
          {link ? <a href={link}>{notification.title}</a> : notification.title}
        </strong>
        <span className="muted">{new Date(notification.created_at).toLocaleString()}</span>
      </div>
      <p>{notification.body}</p>
      <div className="actions">
        {unread ? (
          <button type="button" className="secondary" onClick={onRead}>
            Mark read<span className="visually-hidden">: {notification.title}</span>
          </button>
        ) : null}
        <button type="button" className="secondary" onClick={onDelete}>
          Delete<span className="visually-hidden">: {notification.title}</span>
        </button>
      </div>
    </li>
  );
}

function channelOf(email: boolean, inApp: boolean): Channel {
  if (email && inApp) return "both";
  if (email) return "email";
  return inApp ? "in_app" : "none";
}

function PreferencesForm(): ReactNode {
  const [loaded] = useLoad(() => dataOf(api.GET("/notifications/preferences")), []);
  return (
    <section aria-labelledby="preferences-title">
      <h2 id="preferences-title">Where you are told</h2>
      <Loaded load={loaded} what="your preferences">
        {(preferences) => <PreferencesTable initial={preferences} />}
      </Loaded>
    </section>
  );
}

function PreferencesTable({ initial }: { initial: Preferences }): ReactNode {
  const [preferences, setPreferences] = useState<Preferences>(initial);
  const [saved, setSaved] = useState(false);
  const [busy, problem, submit] = useSubmit();
  const set = (kind: Kind, email: boolean, inApp: boolean) => {
    setSaved(false);
    setPreferences((current) => ({ ...current, [kind]: channelOf(email, inApp) }));
  };
  const onSubmit = submit(async () => {
    setPreferences(await dataOf(api.PUT("/notifications/preferences", { body: preferences })));
    setSaved(true);
  });
  return (
    <form onSubmit={onSubmit} className="wide">
      <Table caption="Where each kind of message goes" hiddenCaption columns={["Message", "Email", "In the app"]}>
        {KINDS.map(([kind, text]) => {
          const channel = preferences[kind];
          const email = channel === "email" || channel === "both";
          const inApp = channel === "in_app" || channel === "both";
          return (
            <tr key={kind}>
              <th scope="row">{text}</th>
              <td>
                <input type="checkbox" aria-label={`${text}: by email`} checked={email} onChange={(event) => set(kind, event.currentTarget.checked, inApp)} />
              </td>
              <td>
                <input type="checkbox" aria-label={`${text}: in the app`} checked={inApp} onChange={(event) => set(kind, email, event.currentTarget.checked)} />
              </td>
            </tr>
          );
        })}
      </Table>
      {problem ? <ProblemMessage problem={problem} /> : null}
      {saved ? <p role="status">Your preferences are saved.</p> : null}
      <Submit busy={busy}>Save preferences</Submit>
    </form>
  );
}
