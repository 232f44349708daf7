// A minimal Express app that logs in with Auth0's own SDK, express-openid-connect, unmodified.
// Against the local tenant: `npm start` in one terminal, `npm run example` in another, then open
// http://localhost:4000. Against a real tenant: the same variables with your tenant's values.
'use strict';
const express = require('express');
const { auth, requiresAuth } = require('express-openid-connect');

const required = ['ISSUER_BASE_URL', 'BASE_URL', 'CLIENT_ID', 'CLIENT_SECRET', 'SECRET'];
const missing = required.filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.error(`Missing ${missing.join(', ')}: run \`npm start\` first (it writes dist/local-tenant/app.env), or set them.`);
  process.exit(2);
}

// AUTH0_AUDIENCE (optional): the identifier of one of your APIs; the login then also asks for an
// access token for it (docs/local-tenant.md, "API audiences"), shown decoded at /access-token.
const audience = process.env.AUTH0_AUDIENCE || undefined;

const app = express();
app.use(
  auth({
    issuerBaseURL: process.env.ISSUER_BASE_URL,
    baseURL: process.env.BASE_URL,
    clientID: process.env.CLIENT_ID,
    clientSecret: process.env.CLIENT_SECRET,
    secret: process.env.SECRET,
    authRequired: false,
    idpLogout: true,
    authorizationParams: { response_type: 'code', scope: 'openid profile email', ...(audience ? { audience } : {}) },
  }),
);

const escapeHtml = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

app.get('/', (req, res) => {
  if (!req.oidc.isAuthenticated()) {
    res.send('<p>Logged out.</p><p><a href="/login">Log in</a> · <a href="/signup">Sign up</a></p>');
    return;
  }
  const { email, email_verified: verified } = req.oidc.user;
  res.send(
    `<p id="who">Logged in as ${escapeHtml(email)} (email ${verified ? 'verified' : 'not verified'}).</p><p><a href="/profile">Profile</a> · <a href="/logout">Log out</a></p>`,
  );
});

// Universal Login's sign-up screen (screen_hint=signup).
app.get('/signup', (req, res) => res.oidc.login({ returnTo: '/', authorizationParams: { screen_hint: 'signup' } }));

app.get('/profile', requiresAuth(), (req, res) => res.json(req.oidc.user));

// The access token's claims, decoded for reading only: your API verifies it against the JWKS.
app.get('/access-token', requiresAuth(), (req, res) => {
  const token = req.oidc.accessToken;
  if (!token || !audience) {
    res.status(404).json({ error: 'Set AUTH0_AUDIENCE to an API identifier to get an access token for it.' });
    return;
  }
  const payload = JSON.parse(Buffer.from(token.access_token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  res.json({ token_type: token.token_type, expires_in: token.expires_in, claims: payload });
});

const port = Number(new URL(process.env.BASE_URL).port || 80);
app.listen(port, '127.0.0.1', () => console.log(`Example app on ${process.env.BASE_URL}`));
