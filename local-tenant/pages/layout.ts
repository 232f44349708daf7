import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Content = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A small server-rendered page; every interpolated value is escaped by hono/html. */
export function page(title: string, body: Content): Content {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · local tenant</title>
        <style>
          body {
            font-family: system-ui, sans-serif;
            max-width: 28rem;
            margin: 3rem auto;
            padding: 0 1rem;
            color: #1f2328;
          }
          label {
            display: block;
            margin: 0.8rem 0 0.2rem;
          }
          input,
          select {
            width: 100%;
            padding: 0.5rem;
            box-sizing: border-box;
          }
          button {
            margin-top: 1rem;
            padding: 0.5rem 1rem;
          }
          .error {
            color: #b42318;
            background: #fef3f2;
            padding: 0.5rem;
            border-radius: 4px;
          }
          .note {
            color: #57606a;
            font-size: 0.9rem;
          }
        </style>
      </head>
      <body>
        <h1>${title}</h1>
        ${body}
        <p class="note"><a href="/outbox">Outbox</a> · <a href="/login">Log in</a></p>
      </body>
    </html>`;
}
