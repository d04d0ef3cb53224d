// "Account": two-factor sign-in (an authenticator app: set up, verified, turned off), the person's personal API tokens (for scripts and `fip`: made here, the secret shown once,
// revoked) and their stored tokens for services that run jobs under their own account there (which
// services have one, add or replace it, delete it). Neither kind of token is ever shown back.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { api, asProblem, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { Confirmed } from "../components/confirmed";
import { Field, Submit, useSubmit } from "../components/forms";
import { when } from "../components/format";
import { Page } from "../components/page";
import { Empty, Loaded, ProblemMessage, useAction, useLoad } from "../components/states";
import { Table } from "../components/table";

type ApiToken = components["schemas"]["ApiToken"];
type ApiTokenCreated = components["schemas"]["ApiTokenCreated"];
type Service = components["schemas"]["ImputationService"];
type StoredCredential = components["schemas"]["StoredCredential"];
type TotpEnrolment = components["schemas"]["TotpEnrolment"];

// the gateway reuses its last decision on a token for this long (the users domain's authorizer cache)
const GATEWAY_CACHE_MINUTES = 1;

export function AccountPage(): ReactNode {
  return (
    <Page title="Your account">
      <TwoFactor />
      <ApiTokens />
      <ServiceTokens />
    </Page>
  );
}

/** Whether sign-in asks for an authenticator app's code; set up (the secret, then one code to verify it)
 * or turned off (unless the person's role needs it). */
function TwoFactor(): ReactNode {
  const [status, reload] = useLoad(() => dataOf(api.GET("/me/mfa")), []);
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [problem, act] = useAction();
  const start = () => act(async () => setEnrolment(await dataOf(api.POST("/me/mfa/totp"))));
  const turnOff = () =>
    act(async () => {
      await dataOf(api.DELETE("/me/mfa"));
      reload();
    });
  return (
    <section aria-labelledby="mfa-title">
      <h2 id="mfa-title">Two-factor sign-in</h2>
      <Loaded load={status} what="your sign-in settings">
        {(mfa) =>
          mfa.totp_enabled ? (
            <>
              <p data-testid="mfa-status">
                On: signing in asks for the code your authenticator app shows.
                {mfa.required ? " Your role needs it, so it stays on." : ""}
              </p>
              {mfa.required ? null : (
                <Confirmed
                  label="Turn two-factor sign-in off"
                  question="Turn two-factor sign-in off? Signing in will ask for your password alone."
                  confirm="Yes, turn it off"
                  keep="Keep it on"
                  onConfirm={turnOff}
                />
              )}
            </>
          ) : enrolment === null ? (
            <>
              <p data-testid="mfa-status">Off: signing in asks for your password alone.</p>
              <button type="button" onClick={() => void start()}>
                Set up two-factor sign-in
              </button>
            </>
          ) : (
            <VerifyTotp
              enrolment={enrolment}
              onDone={() => {
                setEnrolment(null);
                reload();
              }}
            />
          )
        }
      </Loaded>
      {problem ? <ProblemMessage problem={problem} /> : null}
    </section>
  );
}

/** A new authenticator secret, shown once, and the first code from it that turns two-factor sign-in on. */
function VerifyTotp({ enrolment, onDone }: { enrolment: TotpEnrolment; onDone: () => void }): ReactNode {
  const [code, setCode] = useState("");
  const [device, setDevice] = useState("");
  const [busy, problem, submit] = useSubmit();
  const onSubmit = submit(async () => {
    await dataOf(api.POST("/me/mfa/totp/verify", { body: { code: code.trim(), ...(device.trim() ? { device_name: device.trim() } : {}) } }));
    onDone();
  });
  return (
    <form onSubmit={onSubmit} noValidate>
      <p>
        Add this key to your authenticator app (it is not shown again), then enter the code the app shows: <br />
        <code className="token" data-testid="totp-secret">
          {enrolment.secret}
        </code>
      </p>
      <p className="hint">
        Apps that read links take it as <code className="token">{enrolment.otpauth_uri}</code>
      </p>
      <Field label="Code from your authenticator app" name="code" value={code} onChange={setCode} autoComplete="one-time-code" inputMode="numeric" pattern="[0-9]{6}" />
      <Field label="Name of the app or device" name="device_name" value={device} onChange={setDevice} required={false} hint="Optional, e.g. work phone." />
      {problem ? <ProblemMessage problem={problem} /> : null}
      <Submit busy={busy}>Turn two-factor sign-in on</Submit>
    </form>
  );
}

function tokenState(token: ApiToken): "revoked" | "expired" | "active" {
  if (token.revoked_at) return "revoked";
  return new Date(token.expires_at).getTime() <= Date.now() ? "expired" : "active";
}

function ApiTokens(): ReactNode {
  const [tokens, reload] = useLoad(() => dataOf(api.GET("/me/api-tokens")), []);
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  const [revokeProblem, act] = useAction();
  const revoke = (token: ApiToken) =>
    act(async () => {
      await dataOf(api.DELETE("/me/api-tokens/{token_id}", { params: { path: { token_id: token.id } } }));
      reload();
    });
  return (
    <section aria-labelledby="api-tokens-title">
      <h2 id="api-tokens-title">API tokens</h2>
      <p className="hint">
        A personal API token lets scripts and the <code>fip</code> command-line client act as you: send it as{" "}
        <code>Authorization: Bearer &lt;token&gt;</code>. Revoke a token you no longer use; a revoked token may still work for up
        to {GATEWAY_CACHE_MINUTES} minute where it was used just before.
      </p>
      {created === null ? (
        <NewApiToken
          onCreated={(token) => {
            setCreated(token);
            reload();
          }}
        />
      ) : (
        <NewSecret token={created} onDone={() => setCreated(null)} />
      )}
      <Loaded load={tokens} what="your API tokens">
        {(list) =>
          list.items.length === 0 ? (
            <Empty>You have no API tokens yet.</Empty>
          ) : (
            <Table
              caption="Your API tokens, newest first"
              hiddenCaption
              columns={["Name", "Starts with", "State", "Created", "Expires", "Last used", <span className="visually-hidden">Actions</span>]}
            >
              {list.items.map((token) => {
                const state = tokenState(token);
                return (
                  <tr key={token.id} data-state={state}>
                    <th scope="row">{token.name}</th>
                    <td>
                      <code>{token.prefix}…</code>
                    </td>
                    <td>
                      <span className={`badge badge-token-${state}`}>{state}</span>
                    </td>
                    <td>{when(token.created_at)}</td>
                    <td>{when(token.expires_at)}</td>
                    <td>{token.last_used_at ? when(token.last_used_at) : "never"}</td>
                    <td>
                      {state === "active" ? (
                        <Confirmed
                          label={`Revoke ${token.name}`}
                          question={`Revoke the token ${token.name}? Scripts that use it stop working.`}
                          confirm="Yes, revoke it"
                          keep="Keep it"
                          onConfirm={() => revoke(token)}
                        />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </Table>
          )
        }
      </Loaded>
      {revokeProblem ? <ProblemMessage problem={revokeProblem} /> : null}
    </section>
  );
}

function NewApiToken({ onCreated }: { onCreated: (token: ApiTokenCreated) => void }): ReactNode {
  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [busy, problem, submit] = useSubmit();
  const daysId = useId();
  const onSubmit = submit(async () => {
    const body = { name: name.trim(), ...(days.trim() === "" ? {} : { expires_in_days: Number(days) }) };
    onCreated(await dataOf(api.POST("/me/api-tokens", { body })));
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="new-token-title">
      <h3 id="new-token-title">Make a token</h3>
      <Field label="Token name" name="name" value={name} onChange={setName} hint="What it is for, e.g. the pipeline on the cluster." />
      <div className="field">
        <label htmlFor={daysId}>Expires in (days)</label>
        <input
          id={daysId}
          name="expires_in_days"
          type="number"
          min={1}
          step={1}
          value={days}
          aria-describedby={`${daysId}-hint`}
          onChange={(event) => setDays(event.currentTarget.value)}
        />
        <small id={`${daysId}-hint`} className="hint">
          Optional: 90 days when left empty.
        </small>
      </div>
      {problem ? <ProblemMessage problem={problem} /> : null}
      <Submit busy={busy}>Make the token</Submit>
    </form>
  );
}

/** A token just made: its secret, this once, with a copy button; gone when the person says they have it. */
function NewSecret({ token, onDone }: { token: ApiTokenCreated; onDone: () => void }): ReactNode {
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => heading.current?.focus(), []);
  const copy = () => {
    navigator.clipboard.writeText(token.token).then(
      () => setCopied("Copied to the clipboard."),
      () => setCopied("The browser did not let the page copy: select the token and copy it yourself."),
    );
  };
  return (
    <div className="secret" role="region" aria-labelledby="secret-title">
      <h3 id="secret-title" tabIndex={-1} ref={heading}>
        Your new token “{token.name}”
      </h3>
      <p className="warning">
        <strong>Copy it now: it is not shown again.</strong> Keep it as you keep a password; anyone who has it acts as you.
      </p>
      <p>
        <code className="token" data-testid="new-api-token">
          {token.token}
        </code>
      </p>
      <button type="button" onClick={copy}>
        Copy the token
      </button>{" "}
      <button type="button" className="secondary" onClick={onDone}>
        I have copied it
      </button>
      {copied ? (
        <p role="status" className="muted">
          {copied}
        </p>
      ) : null}
    </div>
  );
}

/** The services a person may keep a token for (those that need one, and any they kept one for), and
 * whether they did. */
function ServiceTokens(): ReactNode {
  const [load, reload] = useLoad(async () => {
    const [services, stored] = await Promise.all([
      dataOf(api.GET("/services", { params: { query: { limit: 500 } } })),
      dataOf(api.GET("/me/credentials")),
    ]);
    return { services: services.items, stored: stored.items };
  }, []);
  return (
    <section aria-labelledby="service-tokens-title">
      <h2 id="service-tokens-title">Tokens for services</h2>
      <p className="hint">
        Some services run jobs under your own account there: store the API token from your profile on each, and jobs sent to it
        use it. Tokens are stored encrypted and never shown again; replace one when you renew it there.
      </p>
      <Loaded load={load} what="your stored tokens">
        {({ services, stored }) => {
          const rows = serviceRows(services, stored);
          return rows.length === 0 ? (
            <Empty>No service needs a token of your own, and you have stored none.</Empty>
          ) : (
            <ul className="service-tokens">
              {rows.map((row) => (
                <ServiceTokenRow key={row.serviceId} row={row} onChanged={reload} />
              ))}
            </ul>
          );
        }}
      </Loaded>
    </section>
  );
}

interface ServiceTokenRowData {
  serviceId: string;
  name: string;
  stored: StoredCredential | undefined;
}

function serviceRows(services: readonly Service[], stored: readonly StoredCredential[]): ServiceTokenRowData[] {
  const byId = new Map(services.map((service) => [service.id, service]));
  const rows: ServiceTokenRowData[] = services
    .filter((service) => service.requires_user_token || stored.some((item) => item.service_id === service.id))
    .map((service) => ({ serviceId: service.id, name: service.name, stored: stored.find((item) => item.service_id === service.id) }));
  // a token kept for a service since removed from the registry: still listed, so it can be deleted
  for (const item of stored) {
    if (!byId.has(item.service_id)) rows.push({ serviceId: item.service_id, name: `A removed service (${item.service_id})`, stored: item });
  }
  return rows;
}

function ServiceTokenRow({ row, onChanged }: { row: ServiceTokenRowData; onChanged: () => void }): ReactNode {
  const [token, setToken] = useState("");
  const [busy, problem, submit] = useSubmit();
  const [deleteProblem, act] = useAction();
  const inputId = useId();
  const onStore = submit(async () => {
    await dataOf(api.PUT("/me/credentials/{service_id}", { params: { path: { service_id: row.serviceId } }, body: { token } }));
    setToken("");
    onChanged();
  });
  const remove = () =>
    act(async () => {
      const { error, response } = await api.DELETE("/me/credentials/{service_id}", { params: { path: { service_id: row.serviceId } } });
      if (!response.ok) throw asProblem(error, response);
      onChanged();
    });
  return (
    <li className="service-token" data-stored={row.stored ? "yes" : "no"}>
      <h3>{row.name}</h3>
      <p>{row.stored ? `A token is stored (since ${when(row.stored.created_at)}, last changed ${when(row.stored.updated_at)}).` : "No token stored."}</p>
      <form onSubmit={onStore} noValidate>
        <div className="field">
          <label htmlFor={inputId}>{row.stored ? `New token for ${row.name}` : `Token for ${row.name}`}</label>
          <input id={inputId} type="password" autoComplete="off" value={token} required onChange={(event) => setToken(event.currentTarget.value)} />
        </div>
        {problem ? <ProblemMessage problem={problem} /> : null}
        <Submit busy={busy}>{row.stored ? `Replace the token for ${row.name}` : `Store the token for ${row.name}`}</Submit>
      </form>
      {row.stored ? (
        <Confirmed
          label={`Delete the token for ${row.name}`}
          question={`Delete your token for ${row.name}? Jobs you send there will need a new one.`}
          confirm="Yes, delete it"
          keep="Keep it"
          onConfirm={remove}
        />
      ) : null}
      {deleteProblem ? <ProblemMessage problem={deleteProblem} /> : null}
    </li>
  );
}
