import { useEffect, useRef, useState } from 'preact/hooks';
import { api, setCsrfToken, setUnauthenticatedHandler } from './api.js';
import { Announcer, Link, announce } from './components/ui.js';
import { ChannelsPage } from './pages/channels.js';
import { ConversationsPage } from './pages/conversations.js';
import { DashboardPage } from './pages/dashboard.js';
import { LoginPage } from './pages/login.js';
import { NotificationsPage } from './pages/notifications.js';
import { TranscriptPage } from './pages/transcript.js';
import { match, navigate, safeNext, useLocation, type Location } from './router.js';
import { SetupPage } from './setup/setup-page.js';
import type { MeAnswer, User } from './types.js';

const NAV = [
  { to: '/channels', label: 'Channels', testid: 'nav-channels' },
  { to: '/conversations', label: 'Conversations', testid: 'nav-conversations' },
  { to: '/dashboard', label: 'Dashboard', testid: 'nav-dashboard' },
  { to: '/notifications', label: 'Notifications', testid: 'nav-notifications' },
];

type AuthState = { kind: 'checking' } | { kind: 'out'; notice?: string } | { kind: 'in'; user: User };

export function App() {
  const location = useLocation();
  const [auth, setAuth] = useState<AuthState>({ kind: 'checking' });
  // The ingress sends a signed-out browser to /console/login?next=<the page it asked for>.
  const returnTo = useRef<string>(safeNext(location.query.get('next')) ?? '/channels');
  const authRef = useRef(auth);
  authRef.current = auth;

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      // Several requests may fail together: only the first one decides what the login page says.
      if (authRef.current.kind === 'out') return;
      const wasIn = authRef.current.kind === 'in';
      const here = window.location.pathname.replace(/^\/console/, '') + window.location.search;
      if (!here.startsWith('/login')) returnTo.current = here || '/channels';
      const next: AuthState = { kind: 'out', notice: wasIn ? 'Your session ended. Sign in again to continue.' : undefined };
      authRef.current = next;
      setAuth(next);
      navigate('/login', { replace: true });
    });
    api
      .get<MeAnswer>('/api/auth/me')
      .then((me) => {
        if (me.csrfToken) setCsrfToken(me.csrfToken);
        setAuth({ kind: 'in', user: me.user });
      })
      .catch(() => {
        // A 401 already went through the handler; anything else: show the login.
        if (authRef.current.kind === 'checking') {
          setAuth({ kind: 'out' });
          navigate('/login', { replace: true });
        }
      });
    return () => setUnauthenticatedHandler(null);
  }, []);

  // Focus the new page's heading after in-app navigation, so keyboard and screen reader users start there.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const t = setTimeout(() => {
      const h1 = document.querySelector<HTMLElement>('main h1');
      if (h1) {
        h1.setAttribute('tabindex', '-1');
        h1.focus({ preventScroll: false });
      }
    }, 0);
    return () => clearTimeout(t);
  }, [location.path]);

  const onLoggedIn = (user: User) => {
    setAuth({ kind: 'in', user });
    announce(`Signed in as ${user.username}`);
  };

  const logout = async () => {
    try {
      await api.post<void>('/api/auth/logout');
    } catch {
      // The session may already be gone; the result is the same.
    }
    setCsrfToken(null);
    returnTo.current = '/channels';
    setAuth({ kind: 'out', notice: 'You are signed out.' });
    navigate('/login', { replace: true });
  };

  useEffect(() => {
    if (auth.kind === 'in' && (location.path === '/login' || location.path === '/')) {
      navigate(location.path === '/login' && !returnTo.current.startsWith('/login') ? returnTo.current : '/channels', { replace: true });
    }
  }, [auth.kind, location.path]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <header class="site-header">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Genesys Bot Gateway <span class="brand-sub">console</span>
        </div>
        {auth.kind === 'in' && (
          <div class="user">
            <span data-testid="current-user">
              Signed in as <strong>{auth.user.username}</strong>
            </span>
            <button type="button" class="btn btn-secondary btn-small" onClick={() => void logout()} data-testid="logout">
              Sign out
            </button>
          </div>
        )}
      </header>
      {auth.kind === 'in' && (
        <nav class="site-nav" aria-label="Main">
          <ul>
            {NAV.map((n) => {
              const current = location.path === n.to || location.path.startsWith(`${n.to}/`);
              return (
                <li key={n.to}>
                  <Link to={n.to} aria-current={current ? 'page' : undefined} data-testid={n.testid}>
                    {n.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {auth.kind === 'checking' ? (
          <p role="status" class="loading">
            Loading…
          </p>
        ) : auth.kind === 'out' ? (
          <LoginPage onLoggedIn={onLoggedIn} notice={auth.notice} />
        ) : (
          <Routes location={location} />
        )}
      </main>
      <Announcer />
    </>
  );
}

function Routes({ location }: { location: Location }) {
  const p = location.path;
  let m: Record<string, string> | null;
  if (p === '/channels' || p === '/') return <ChannelsPage />;
  if ((m = match('/channels/:id', p))) return <SetupPage key={m.id} channelId={m.id!} />;
  if (p === '/conversations') return <ConversationsPage location={location} />;
  if ((m = match('/conversations/:sid', p))) return <TranscriptPage botSessionId={m.sid!} channelId={location.query.get('channelId') ?? undefined} />;
  if (p === '/dashboard') return <DashboardPage />;
  if (p === '/notifications') return <NotificationsPage />;
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <Link to="/channels">Go to channels</Link>
      </p>
    </>
  );
}

