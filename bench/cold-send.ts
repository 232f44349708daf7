import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './built-actions';
import type { ColdSendResult, RequireResult } from './cold-send-child';
import { ratioOf, type Section } from './report';
import { median } from './stats';
import { AUTH0_SAMPLE_SOURCE } from './token-reuse';

/**
 * 2b. Cold start of the sending path: a fresh process (nothing loaded) runs the built
 * verify-and-welcome's first verification email, which loads `auth0/tickets` and
 * `@sendgrid/mail` on the way; against the same email once everything is loaded. And the SDK
 * load alone, against loading the SDK the way Auth0's published sample does (`require('auth0')`,
 * the whole package).
 */

function runChild<T>(args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'bench', 'cold-send-child.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`cold-send-child ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}

/** `auth0/tickets` → `auth0`, `@sendgrid/mail` → `@sendgrid/mail`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

export async function measureColdSend(runs: number): Promise<Section> {
  const sends: ColdSendResult[] = [];
  const ours: RequireResult[] = [];
  const whole: RequireResult[] = [];
  let specifiers: string[] = [];
  for (let i = 0; i < runs; i++) {
    const send = await runChild<ColdSendResult>(['send']);
    sends.push(send);
    specifiers = [...new Set(send.sdkModules)];
    const wholeSpecifiers = [...new Set(specifiers.map(packageOf))];
    // Alternate which goes first, so drift in the machine's load hits both alike.
    const pair = [
      () => runChild<RequireResult>(['require', ...specifiers]),
      () => runChild<RequireResult>(['require', ...wholeSpecifiers]),
    ];
    if (i % 2 === 1) {
      whole.push(await pair[1]!());
      ours.push(await pair[0]!());
    } else {
      ours.push(await pair[0]!());
      whole.push(await pair[1]!());
    }
  }
  const sent = sends.every((s) => s.sent === 2);
  const first = median(sends.map((s) => s.firstEmailMs));
  const warm = median(sends.map((s) => s.warmEmailMs));
  const oursMs = median(ours.map((r) => r.requireMs));
  const wholeMs = median(whole.map((r) => r.requireMs));
  const oursFiles = Math.max(...ours.map((r) => r.files));
  const wholeFiles = Math.min(...whole.map((r) => r.files));
  const wholeLabel = [...new Set(specifiers.map(packageOf))].map((s) => `require('${s}')`).join(' + ');
  return {
    id: 'cold-send',
    title: '2b. Cold start of the sending path',
    method:
      `${runs} run(s), each in fresh Node processes (\`node --require tsx/cjs bench/cold-send-child.ts\`, so no module is loaded yet): the built \`verify-and-welcome\` loaded by the local tenant's loader, then its first verification email for an unverified user (token, email-verification ticket, SendGrid send, answered by nock at the HTTP layer; \`auth0\` and \`@sendgrid/mail\` load on this path, and Node loads its own \`fetch\` on first use), then a second one for another user with an empty \`api.cache\` (the same three requests, everything loaded): the warm counterpart, the floor once nothing is left to load. ` +
      `Separately, in processes of their own, alternating: the SDK modules the Action requires (${specifiers.map((s) => `\`${s}\``).join(', ')}) against loading them as Auth0's published samples do (${wholeLabel.replace(/require\('([^']+)'\)/g, "`require('$1')`")}, e.g. ${AUTH0_SAMPLE_SOURCE}). Times are medians; files are the modules Node loaded (require.cache entries added).`,
    figures: [
      {
        id: 'cold-send.first-email',
        figure: 'verify-and-welcome: first verification email of a fresh instance',
        measured: first,
        unit: 'ms',
        counterpart: { label: 'the same email, everything loaded', value: warm, unit: 'ms' },
        ratio: ratioOf(first, warm),
        band: 'none (timing)',
        verdict: sent ? 'reported' : 'fail',
        note: `${(first - warm).toFixed(0)} ms of loading on the first email of an instance; the bundle itself loads in ${median(sends.map((s) => s.loadMs)).toFixed(1)} ms${sent ? '' : '; NOT every email was sent'}`,
      },
      {
        id: 'cold-send.sdk-load',
        figure: `SDK load: ${specifiers.join(' + ')}`,
        measured: oursMs,
        unit: 'ms',
        counterpart: { label: `as Auth0's sample: ${wholeLabel}`, value: wholeMs, unit: 'ms' },
        ratio: ratioOf(oursMs, wholeMs),
        band: 'none (timing)',
        verdict: 'reported',
      },
      {
        id: 'cold-send.sdk-files',
        figure: `SDK module files loaded: ${specifiers.join(' + ')}`,
        measured: oursFiles,
        unit: '',
        counterpart: { label: `as Auth0's sample: ${wholeLabel}`, value: wholeFiles, unit: '' },
        ratio: ratioOf(oursFiles, wholeFiles),
        band: '< counterpart',
        verdict: oursFiles < wholeFiles ? 'pass' : 'fail',
      },
    ],
  };
}
