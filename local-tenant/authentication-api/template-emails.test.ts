// Auth0 renders email templates with LiquidJS and escapes nothing by itself: a template escapes
// user-controlled values with `| escape`. The local tenant (and the email previews) must do the
// same, or a correct template shows `&amp;lt;` and a forgetful one looks safe.
import { renderAuth0Template } from '../../email-templates/engines';
import { templateVariables } from './template-emails';

const variables = templateVariables({
  user: {
    user_id: 'auth0|1',
    connection: 'members',
    email: 'shared@example.com',
    username: "<b>o'brien</b>",
    email_verified: false,
    app_metadata: { invite: true },
    user_metadata: { locale: 'fr' },
  },
  url: 'https://tenant.example.com/lo/reset?ticket=T&x=1#',
  client: { client_id: 'app', name: 'Acme & Co', client_metadata: {} },
  requestLanguage: 'fr-CA',
  tenant: { name: 'acme', friendly_name: 'Acme', support_email: 'support@example.com', support_url: '' },
});

test("the variables are Auth0's names", () => {
  expect(variables).toMatchObject({
    url: 'https://tenant.example.com/lo/reset?ticket=T&x=1#',
    user: { user_id: 'auth0|1', email: 'shared@example.com', username: "<b>o'brien</b>", app_metadata: { invite: true } },
    application: { name: 'Acme & Co', clientID: 'app', metadata: {} },
    connection: { name: 'members' },
    request_language: 'fr-CA',
    tenant: 'acme',
    friendly_name: 'Acme',
    support_email: 'support@example.com',
  });
});

test('a value is escaped once by `| escape`, also through assign, and not at all without it', async () => {
  const rendered = await renderAuth0Template(
    {
      from: '{{ application.name }} <no-reply@example.com>',
      subject: ' Hello {{ user.username }} ',
      body: '{% assign who = user.username | escape %}<p>{{ who }}|{{ user.username | escape }}|{{ user.username }}</p>',
    },
    variables,
  );
  expect(rendered.html).toBe("<p>&lt;b&gt;o&#39;brien&lt;/b&gt;|&lt;b&gt;o&#39;brien&lt;/b&gt;|<b>o'brien</b></p>");
  expect(rendered.subject).toBe("Hello <b>o'brien</b>");
  expect(rendered.from).toBe('Acme & Co <no-reply@example.com>');
});
