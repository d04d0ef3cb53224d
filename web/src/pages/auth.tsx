// Sign up, confirm the email, sign in (with the authenticator step where the account has one).
import { useState, type ReactNode } from "react";
import { answerOf, api, dataOf, type Problem } from "../api/client";
import { Field, Submit, useSubmit } from "../components/forms";
import { ProblemMessage } from "../components/states";
import { href, navigate } from "../router";
import { session } from "../session";
import { Page } from "../components/page";
import type { components } from "../api/schema";

type Tokens = components["schemas"]["Tokens"];
type Challenge = components["schemas"]["SignInChallenge"];

function isChallenge(answer: Tokens | Challenge): answer is Challenge {
  return "challenge" in answer;
}

/** Keep a finished sign-in's tokens for this tab and go to the person's files. */
function signedIn(tokens: Tokens, email: string): void {
  session.save({ access_token: tokens.access_token, refresh_token: tokens.refresh_token ?? null, expires_in: tokens.expires_in, email });
  navigate("files");
}

/** A sign-in step the console does not offer (a new password, ...), as the problem it shows. */
function anotherStep(challenge: Challenge, status: number): Problem {
  return { title: "Sign-in needs another step", status, detail: challenge.message };
}

export function SignUpPage(): ReactNode {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [institution, setInstitution] = useState("");
  const [busy, problem, submit] = useSubmit();
  const onSubmit = submit(async () => {
    await dataOf(
      api.POST("/auth/sign-up", {
        body: { email, password, ...(name ? { name } : {}), ...(institution ? { institution } : {}) },
      }),
    );
    navigate("confirm", { email });
  });
  return (
    <Page title="Create an account">
      <form onSubmit={onSubmit} noValidate>
        <Field label="Email" name="email" type="email" value={email} onChange={setEmail} autoComplete="email" />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          hint="At least 12 characters, with lower and upper case letters and a digit."
        />
        <Field label="Name" name="name" value={name} onChange={setName} autoComplete="name" required={false} />
        <Field label="Institution" name="institution" value={institution} onChange={setInstitution} autoComplete="organization" required={false} />
        {problem ? <ProblemMessage problem={problem} /> : null}
        <Submit busy={busy}>Create account</Submit>
      </form>
      <p>
        Already have an account? <a href={href("sign-in")}>Sign in</a>.
      </p>
    </Page>
  );
}

export function ConfirmPage({ initialEmail }: { initialEmail: string }): ReactNode {
  const [email, setEmail] = useState(initialEmail);
  const [code, setCode] = useState("");
  const [busy, problem, submit] = useSubmit();
  const [resent, setResent] = useState<string | null>(null);
  const onSubmit = submit(async () => {
    await dataOf(api.POST("/auth/confirm", { body: { email, code } }));
    navigate("sign-in", { email, confirmed: "1" });
  });
  const onResend = submit(async () => {
    setResent(null);
    setResent((await dataOf(api.POST("/auth/resend-code", { body: { email } }))).message);
  });
  return (
    <Page title="Confirm your email">
      <p>We sent a 6-digit code to your email. Enter it here to confirm your account.</p>
      <form onSubmit={onSubmit} noValidate>
        <Field label="Email" name="email" type="email" value={email} onChange={setEmail} autoComplete="email" />
        <Field label="Code" name="code" value={code} onChange={setCode} autoComplete="one-time-code" inputMode="numeric" pattern="[0-9]{6}" />
        {problem ? <ProblemMessage problem={problem} /> : null}
        {resent ? (
          <p className="notice" role="status">
            {resent}
          </p>
        ) : null}
        <Submit busy={busy}>Confirm</Submit>
        <button type="button" className="secondary" disabled={busy} onClick={onResend}>
          Send a new code
        </button>
      </form>
    </Page>
  );
}

export function SignInPage({ initialEmail, confirmed }: { initialEmail: string; confirmed: boolean }): ReactNode {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [busy, problem, submit] = useSubmit();

  const onSignIn = submit(async () => {
    const { data: answer, response } = await answerOf<Tokens | Challenge>(api.POST("/auth/sign-in", { body: { email, password } }));
    if (!isChallenge(answer)) signedIn(answer, email);
    else if (answer.challenge === "SOFTWARE_TOKEN_MFA") setChallenge(answer.session);
    else throw anotherStep(answer, response.status);
  });
  const onCode = submit(async () => {
    const { data: answer, response } = await answerOf<Tokens | Challenge>(
      api.POST("/auth/sign-in/mfa", { body: { email, session: challenge ?? "", code } }),
    );
    if (isChallenge(answer)) throw anotherStep(answer, response.status);
    signedIn(answer, email);
  });

  if (challenge !== null) {
    return (
      <Page title="Two-factor sign-in">
        <form onSubmit={onCode} noValidate>
          <Field label="Code from your authenticator app" name="code" value={code} onChange={setCode} autoComplete="one-time-code" inputMode="numeric" pattern="[0-9]{6}" />
          {problem ? <ProblemMessage problem={problem} /> : null}
          <Submit busy={busy}>Sign in</Submit>
        </form>
      </Page>
    );
  }
  return (
    <Page title="Sign in">
      {confirmed ? (
        <p className="notice" role="status">
          Your email is confirmed. Sign in to continue.
        </p>
      ) : null}
      <form onSubmit={onSignIn} noValidate>
        <Field label="Email" name="email" type="email" value={email} onChange={setEmail} autoComplete="email" />
        <Field label="Password" name="password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
        {problem ? <ProblemMessage problem={problem} /> : null}
        <Submit busy={busy}>Sign in</Submit>
      </form>
      <p>
        New here? <a href={href("sign-up")}>Create an account</a>. Have a code? <a href={href("confirm")}>Confirm your email</a>.
      </p>
    </Page>
  );
}
