// The console's shell: the header with its navigation, and the page the hash names.
import { StrictMode, useSyncExternalStore, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { api } from "./api/client";
import { AccountPage } from "./pages/account";
import { DashboardPage } from "./pages/dashboard";
import { adminPage } from "./pages/admin/routes";
import { ConfirmPage, ForgotPasswordPage, ResetPasswordPage, SignInPage, SignUpPage } from "./pages/auth";
import { FilesPage } from "./pages/files";
import { JobPage, JobsPage } from "./pages/jobs";
import { NotificationsPage } from "./pages/notifications";
import { ServicesPage } from "./pages/services";
import { NewJobPage } from "./pages/submit";
import { useUnread } from "./notices";
import { useRoles } from "./roles";
import { href, navigate, useLocation } from "./router";
import { session } from "./session";
import "./styles.css";

const PUBLIC_PAGES = new Set(["sign-up", "confirm", "sign-in", "forgot-password", "reset-password"]);

/** What the sign-in page tells someone who arrives from confirming their email or resetting a password. */
function signInNotice(params: URLSearchParams): string | null {
  if (params.get("confirmed") === "1") return "Your email is confirmed. Sign in to continue.";
  if (params.get("reset") === "1") return "Your password is changed. Sign in with the new one.";
  return null;
}

function useSession() {
  return useSyncExternalStore(session.subscribe, session.snapshot);
}

/** A link of the main navigation, marked as the page shown when it is. */
function NavLink({ page, current, children }: { page: string; current: boolean; children: ReactNode }): ReactNode {
  return (
    <li>
      <a href={href(page)} aria-current={current ? "page" : undefined}>
        {children}
      </a>
    </li>
  );
}

/** "Notifications" with the unread count as a badge (its words read out as well). */
function NotificationsLabel(): ReactNode {
  const unread = useUnread();
  return (
    <>
      Notifications
      {unread ? (
        <span className="badge badge-count" data-testid="unread-badge">
          {unread}
          <span className="visually-hidden"> unread</span>
        </span>
      ) : null}
    </>
  );
}

async function signOut(): Promise<void> {
  // the platform ends every session of the account; the tab forgets its tokens whatever it answers
  await api.POST("/auth/sign-out").catch(() => undefined);
  session.clear();
  navigate("sign-in");
}

function App(): ReactNode {
  const stored = useSession();
  const { page, params } = useLocation();
  const signedIn = stored !== null;
  const roles = useRoles();
  const serviceOrAdmin = signedIn ? adminPage(page, params) : undefined;
  let content: ReactNode;
  if (!signedIn && !PUBLIC_PAGES.has(page)) {
    content = <SignInPage initialEmail={params.get("email") ?? ""} notice={null} />;
  } else if (page === "sign-up") {
    content = <SignUpPage />;
  } else if (page === "confirm") {
    content = <ConfirmPage initialEmail={params.get("email") ?? ""} />;
  } else if (page === "sign-in") {
    content = <SignInPage initialEmail={params.get("email") ?? ""} notice={signInNotice(params)} />;
  } else if (page === "forgot-password") {
    content = <ForgotPasswordPage initialEmail={params.get("email") ?? ""} />;
  } else if (page === "reset-password") {
    content = <ResetPasswordPage initialEmail={params.get("email") ?? ""} />;
  } else if (page === "account") {
    content = <AccountPage />;
  } else if (serviceOrAdmin !== undefined) {
    content = serviceOrAdmin;
  } else if (page === "services") {
    content = <ServicesPage />;
  } else if (page === "jobs") {
    content = <JobsPage params={params} />;
  } else if (page === "jobs/new") {
    content = <NewJobPage />;
  } else if (page.startsWith("jobs/")) {
    content = <JobPage key={page} id={page.slice("jobs/".length)} />;
  } else if (page === "notifications") {
    content = <NotificationsPage />;
  } else if (page === "dashboard") {
    content = <DashboardPage />;
  } else {
    content = <FilesPage />;
  }
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <a className="brand" href={href(signedIn ? "files" : "sign-in")}>
          Federated Imputation Platform
        </a>
        <nav aria-label="Main">
          {signedIn ? (
            <ul>
              <NavLink page="files" current={page === "files" || page.startsWith("files/") || page === ""}>
                My files
              </NavLink>
              <NavLink page="jobs" current={page === "jobs" || page.startsWith("jobs/")}>
                My jobs
              </NavLink>
              <NavLink page="dashboard" current={page === "dashboard"}>
                My dashboard
              </NavLink>
              <NavLink page="services" current={page === "services" || page.startsWith("services/") || page.startsWith("admin/services")}>
                Services
              </NavLink>
              <NavLink page="notifications" current={page === "notifications"}>
                <NotificationsLabel />
              </NavLink>
              <NavLink page="account" current={page === "account"}>
                Account
              </NavLink>
              {roles.admin ? (
                <>
                  <NavLink page="admin/users" current={page.startsWith("admin/users")}>
                    Users
                  </NavLink>
                  <NavLink page="admin/audit" current={page === "admin/audit"}>
                    Audit log
                  </NavLink>
                  <NavLink page="admin/residency" current={page === "admin/residency"}>
                    Residency
                  </NavLink>
                  <NavLink page="admin/platform" current={page === "admin/platform"}>
                    Platform dashboard
                  </NavLink>
                </>
              ) : null}
              <li>
                <button type="button" className="link" onClick={() => void signOut()}>
                  Sign out
                </button>
              </li>
            </ul>
          ) : (
            <ul>
              <NavLink page="sign-in" current={page === "sign-in"}>
                Sign in
              </NavLink>
              <NavLink page="sign-up" current={page === "sign-up"}>
                Create an account
              </NavLink>
            </ul>
          )}
        </nav>
      </header>
      <main id="main">{content}</main>
    </>
  );
}

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
