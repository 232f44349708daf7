import { build } from 'esbuild';
import { ACTION_SIZE_TARGET_BYTES, AUTH0_CODE_LIMIT_BYTES } from '../build/bundle-actions';
import type { BuiltAction } from './built-actions';
import { ratioOf, type Figure, type Section } from './report';

/**
 * 1. Size of each Action's code.js against Auth0's 100 kB limit, and against the same Action
 * bundled with its npm dependencies inlined (what the code would weigh if they were not
 * declared dependencies).
 */

/** The same esbuild settings as build/bundle-actions.ts, with nothing external. */
async function inlinedBytes(entryPoint: string): Promise<number> {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${entryPoint}`);
  return output.contents.byteLength;
}

interface BundleSizeOptions {
  /** Bundling with the SDKs inlined takes a few seconds per Action; the quick run skips it. */
  inlined: boolean;
}

export async function measureBundleSize(actions: readonly BuiltAction[], options: BundleSizeOptions): Promise<Section> {
  const figures: Figure[] = [];
  const kB = (bytes: number) => bytes / 1024;
  for (const action of actions) {
    const within = action.bytes <= ACTION_SIZE_TARGET_BYTES && action.bytes <= AUTH0_CODE_LIMIT_BYTES;
    figures.push({
      id: `bundle-size.${action.name}.limit`,
      figure: `${action.name} code.js vs Auth0's limit`,
      measured: kB(action.bytes),
      unit: 'kB',
      counterpart: { label: "Auth0's limit", value: kB(AUTH0_CODE_LIMIT_BYTES), unit: 'kB' },
      ratio: ratioOf(action.bytes, AUTH0_CODE_LIMIT_BYTES),
      band: `<= ${ACTION_SIZE_TARGET_BYTES / 1024} kB`,
      verdict: within ? 'pass' : 'fail',
    });
    if (options.inlined) {
      const inlined = await inlinedBytes(action.entryPoint);
      figures.push({
        id: `bundle-size.${action.name}.inlined`,
        figure: `${action.name} code.js vs dependencies inlined`,
        measured: kB(action.bytes),
        unit: 'kB',
        counterpart: { label: `inlined (${action.dependencies.map((d) => d.name).join(', ')})`, value: kB(inlined), unit: 'kB' },
        ratio: ratioOf(action.bytes, inlined),
        band: 'none',
        verdict: 'reported',
        note:
          inlined > AUTH0_CODE_LIMIT_BYTES
            ? `inlined it would be ${(inlined / AUTH0_CODE_LIMIT_BYTES).toFixed(1)}× Auth0's limit, so it could not be deployed`
            : "inlined it would still fit Auth0's limit",
      });
    }
  }
  return {
    id: 'bundle-size',
    title: '1. Action bundle size',
    method:
      "Bytes of each `dist/tenant/actions/<name>/code.js` (minified, `auth0` and `@sendgrid/mail` external), against Auth0's 100 kB code limit and against the same entry point bundled by esbuild with the same settings and nothing external. 1 kB = 1024 bytes. Band: this project's 15 kB target.",
    figures,
  };
}
