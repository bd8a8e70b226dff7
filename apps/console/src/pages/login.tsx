import { useState } from 'preact/hooks';
import { ApiError, api, setCsrfToken } from '../api.js';
import { usePageTitle } from '../components/ui.js';
import type { LoginAnswer, User } from '../types.js';

export function LoginPage({ onLoggedIn, notice }: { onLoggedIn: (user: User) => void; notice?: string }) {
  usePageTitle('Sign in');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      setError(new Error('Enter your username and password.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<LoginAnswer>('/api/auth/login', { username: username.trim(), password }, { isLogin: true });
      setCsrfToken(answer.csrfToken);
      setPassword('');
      onLoggedIn(answer.user);
    } catch (err) {
      setPassword('');
      if (err instanceof ApiError && err.status === 401) setError(new Error('Wrong username or password.'));
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login">
      <h1>Sign in to the gateway console</h1>
      {notice && (
        <p class="notice notice-info" data-testid="login-notice">
          {notice}
        </p>
      )}
      {/* method="post": if scripts fail, the password never lands in a URL. */}
      <form method="post" action="#" onSubmit={submit} class="card-panel" data-testid="login-form" noValidate>
        <div class="field">
          <label for="login-username">Username</label>
          <input id="login-username" name="username" autocomplete="username" autoCapitalize="none" spellcheck={false} required value={username} onInput={(e) => setUsername(e.currentTarget.value)} data-testid="login-username" />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input id="login-password" name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} data-testid="login-password" />
        </div>
        <div aria-live="assertive" role="alert" class="alert-slot" data-testid="login-error">
          {error ? <ErrorAlertInner error={error} /> : null}
        </div>
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="hint">Accounts are created on the gateway host with <code>npm run admin -- create-user &lt;username&gt;</code>.</p>
    </div>
  );
}

/** The alert region stays in the DOM so its content is announced; this is its content. */
function ErrorAlertInner({ error }: { error: unknown }) {
  const e = error instanceof ApiError ? error : null;
  if (e?.status === 429) {
    return (
      <p class="notice notice-error">
        Too many sign-in attempts. {e.retryAfterSeconds ? `Try again in ${e.retryAfterSeconds} seconds.` : 'Wait a moment and try again.'}
      </p>
    );
  }
  return <p class="notice notice-error">{error instanceof Error ? error.message : String(error)}</p>;
}

