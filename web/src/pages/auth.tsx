// Sign up, confirm the email, sign in (with the authenticator step where the account has one, and a
// password of one's own where the account was made with a temporary one), and reset a forgotten password.
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

/** A sign-in step the console does not offer, as the problem it shows. */
function anotherStep(challenge: Challenge, status: number): Problem {
  return { title: "Sign-in needs another step", status, detail: challenge.message };
}

/** The step signing in is at: the password, the authenticator's code, or a password of one's own. */
type Step = { kind: "password" } | { kind: "mfa"; session: string } | { kind: "new-password"; session: string };

/** What a sign-in answer leads to: tokens end it (signed in), a challenge is the next step. */
function nextStep(answer: Tokens | Challenge, status: number, email: string): Step | null {
  if (!isChallenge(answer)) {
    signedIn(answer, email);
    return null;
  }
  if (answer.challenge === "SOFTWARE_TOKEN_MFA") return { kind: "mfa", session: answer.session };
  if (answer.challenge === "NEW_PASSWORD_REQUIRED") return { kind: "new-password", session: answer.session };
  throw anotherStep(answer, status);
}

const PASSWORD_RULE = "At least 12 characters, with lower and upper case letters and a digit.";

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
          hint={PASSWORD_RULE}
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

export function SignInPage({ initialEmail, notice }: { initialEmail: string; notice: string | null }): ReactNode {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [code, setCode] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [busy, problem, submit] = useSubmit();
  const answered = async (call: Promise<{ data?: Tokens | Challenge; error?: unknown; response: Response }>) => {
    const { data, response } = await answerOf<Tokens | Challenge>(call);
    const next = nextStep(data, response.status, email);
    if (next !== null) setStep(next);
  };

  const onSignIn = submit(() => answered(api.POST("/auth/sign-in", { body: { email, password } })));
  const onCode = submit(async () => {
    if (step.kind !== "mfa") return;
    await answered(api.POST("/auth/sign-in/mfa", { body: { email, session: step.session, code } }));
  });
  const onNewPassword = submit(async () => {
    if (step.kind !== "new-password") return;
    await answered(api.POST("/auth/sign-in/new-password", { body: { email, session: step.session, new_password: newPassword } }));
  });

  if (step.kind === "mfa") {
    return (
      <Page key="mfa" title="Two-factor sign-in">
        <form onSubmit={onCode} noValidate>
          <Field label="Code from your authenticator app" name="code" value={code} onChange={setCode} autoComplete="one-time-code" inputMode="numeric" pattern="[0-9]{6}" />
          {problem ? <ProblemMessage problem={problem} /> : null}
          <Submit busy={busy}>Sign in</Submit>
        </form>
      </Page>
    );
  }
  if (step.kind === "new-password") {
    return (
      <Page key="new-password" title="Choose your password">
        <p>Your account was made with a temporary password: choose your own to finish signing in.</p>
        <form onSubmit={onNewPassword} noValidate>
          <Field label="New password" name="new_password" type="password" value={newPassword} onChange={setNewPassword} autoComplete="new-password" hint={PASSWORD_RULE} />
          {problem ? <ProblemMessage problem={problem} /> : null}
          <Submit busy={busy}>Set the password and sign in</Submit>
        </form>
      </Page>
    );
  }
  return (
    <Page title="Sign in">
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={onSignIn} noValidate>
        <Field label="Email" name="email" type="email" value={email} onChange={setEmail} autoComplete="email" />
        <Field label="Password" name="password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
        {problem ? <ProblemMessage problem={problem} /> : null}
        <Submit busy={busy}>Sign in</Submit>
      </form>
      <p>
        <a href={href("forgot-password") + (email ? `?${new URLSearchParams({ email }).toString()}` : "")}>Forgot password?</a>
      </p>
      <p>
        New here? <a href={href("sign-up")}>Create an account</a>. Have a code? <a href={href("confirm")}>Confirm your email</a>.
      </p>
    </Page>
  );
}

/** The first step of a reset: the platform emails a code to the address (and answers the same for any). */
export function ForgotPasswordPage({ initialEmail }: { initialEmail: string }): ReactNode {
  const [email, setEmail] = useState(initialEmail);
  const [busy, problem, submit] = useSubmit();
  const onSubmit = submit(async () => {
    await dataOf(api.POST("/auth/forgot-password", { body: { email } }));
    navigate("reset-password", { email });
  });
  return (
    <Page title="Reset your password">
      <p>Enter the address you sign in with: we email it a code to set a new password with.</p>
      <form onSubmit={onSubmit} noValidate>
        <Field label="Email" name="email" type="email" value={email} onChange={setEmail} autoComplete="email" />
        {problem ? <ProblemMessage problem={problem} /> : null}
        <Submit busy={busy}>Send the code</Submit>
      </form>
      <p>
        Have a code already? <a href={href("reset-password")}>Enter it</a>. Remembered it? <a href={href("sign-in")}>Sign in</a>.
      </p>
    </Page>
  );
}

/** The second step: the emailed code and a new password; then sign in with it. */
export function ResetPasswordPage({ initialEmail }: { initialEmail: string }): ReactNode {
  const [email, setEmail] = useState(initialEmail);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [busy, problem, submit] = useSubmit();
  const onSubmit = submit(async () => {
    await dataOf(api.POST("/auth/reset-password", { body: { email, code: code.trim(), new_password: password } }));
    navigate("sign-in", { email, reset: "1" });
  });
  return (
    <Page title="Set a new password">
      <p>If an account has this address, we emailed it a code. Enter it with your new password.</p>
      <form onSubmit={onSubmit} noValidate>
        <Field label="Email" name="email" type="email" value={email} onChange={setEmail} autoComplete="email" />
        <Field label="Code" name="code" value={code} onChange={setCode} autoComplete="one-time-code" inputMode="numeric" />
        <Field label="New password" name="new_password" type="password" value={password} onChange={setPassword} autoComplete="new-password" hint={PASSWORD_RULE} />
        {problem ? <ProblemMessage problem={problem} /> : null}
        <Submit busy={busy}>Set the new password</Submit>
      </form>
      <p>
        No code came? <a href={href("forgot-password") + (email ? `?${new URLSearchParams({ email }).toString()}` : "")}>Send another</a>.
      </p>
    </Page>
  );
}
