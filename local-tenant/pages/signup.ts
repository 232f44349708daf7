import { html } from 'hono/html';
import { page } from './layout';

interface SignupPageOptions {
  clientId: string;
  /** The connections offered: one is sent as is, several are a choice. */
  connections: readonly string[];
  /** Asks for a username too (a connection with the username as identifier). */
  askUsername?: boolean;
  /** The email filled in (the authorization request's `login_hint`). */
  email?: string | undefined;
  /**
   * Universal Login's sign-up (`screen_hint=signup`): once signed up, the person is logged in
   * through `/u/login` for this authorization request. Without it the page says to log in.
   */
  loginState?: string;
}

/**
 * The sign-up page: its script posts the form to the real `/dbconnections/signup`, as Auth0's
 * Lock and Universal Login do, so post-user-registration runs as for an API call; Auth0's
 * refusal (`description`, else `message`) is shown as it comes.
 */
export function signupPage(options: SignupPageOptions) {
  const [only] = options.connections;
  const connection =
    options.connections.length === 1 && only !== undefined
      ? html`<input type="hidden" name="connection" value="${only}" />`
      : html`<label
          >Connection
          <select name="connection">
            ${options.connections.map((name) => html`<option>${name}</option>`)}
          </select></label
        >`;
  return page(
    'Sign up',
    html`<p class="error" id="error" hidden></p>
      <form id="signup">
        <input type="hidden" name="client_id" value="${options.clientId}" />
        ${connection}
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="email" value="${options.email ?? ''}" required />
        ${
          options.askUsername === true
            ? html`<label for="username">Username</label><input id="username" name="username" autocomplete="username" required />`
            : ''
        }
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required />
        <button type="submit">Sign up</button>
      </form>
      <p id="result" class="note" hidden></p>
      ${
        options.loginState === undefined
          ? ''
          : html`<form id="login" method="post" action="/u/login" hidden>
              <input type="hidden" name="state" value="${options.loginState}" />
              <input type="hidden" name="connection" value="${only ?? ''}" />
              <input type="hidden" name="identifier" />
              <input type="hidden" name="password" />
            </form>`
      }
      <script>
        document.getElementById('signup').addEventListener('submit', async (event) => {
          event.preventDefault();
          const body = Object.fromEntries(new FormData(event.target));
          const response = await fetch('/dbconnections/signup', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          const error = document.getElementById('error');
          if (!response.ok) {
            const answer = await response.json().catch(() => ({}));
            error.textContent = answer.description || answer.message || 'Sign-up failed.';
            error.hidden = false;
            return;
          }
          error.hidden = true;
          const login = document.getElementById('login');
          if (login) {
            login.elements.identifier.value = body.username || body.email;
            login.elements.password.value = body.password;
            login.submit();
            return;
          }
          const result = document.getElementById('result');
          result.textContent = 'Signed up. Now log in: the verification email is sent at the first login.';
          const link = document.createElement('a');
          link.href = '/login?client_id=' + encodeURIComponent(body.client_id);
          link.textContent = ' Log in';
          result.append(link);
          result.hidden = false;
        });
      </script>`,
  );
}
