// The console's shell: the header with its navigation, and the page the hash names.
import { StrictMode, useSyncExternalStore, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { api } from "./api/client";
import { ConfirmPage, SignInPage, SignUpPage } from "./pages/auth";
import { FilesPage } from "./pages/files";
import { ServicesPage } from "./pages/services";
import { href, navigate, useLocation } from "./router";
import { session } from "./session";
import "./styles.css";

const PUBLIC_PAGES = new Set(["sign-up", "confirm", "sign-in"]);

function useSession() {
  return useSyncExternalStore(session.subscribe, () => sessionStorage.getItem("fip.session"));
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
  let content: ReactNode;
  if (!signedIn && !PUBLIC_PAGES.has(page)) {
    content = <SignInPage initialEmail={params.get("email") ?? ""} confirmed={false} />;
  } else if (page === "sign-up") {
    content = <SignUpPage />;
  } else if (page === "confirm") {
    content = <ConfirmPage initialEmail={params.get("email") ?? ""} />;
  } else if (page === "sign-in") {
    content = <SignInPage initialEmail={params.get("email") ?? ""} confirmed={params.get("confirmed") === "1"} />;
  } else if (page === "services") {
    content = <ServicesPage />;
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
              <li>
                <a href={href("files")} aria-current={page === "files" || page === "" ? "page" : undefined}>
                  My files
                </a>
              </li>
              <li>
                <a href={href("services")} aria-current={page === "services" ? "page" : undefined}>
                  Services
                </a>
              </li>
              <li>
                <button type="button" className="link" onClick={() => void signOut()}>
                  Sign out
                </button>
              </li>
            </ul>
          ) : (
            <ul>
              <li>
                <a href={href("sign-in")} aria-current={page === "sign-in" ? "page" : undefined}>
                  Sign in
                </a>
              </li>
              <li>
                <a href={href("sign-up")} aria-current={page === "sign-up" ? "page" : undefined}>
                  Create an account
                </a>
              </li>
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
