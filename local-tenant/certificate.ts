import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The certificate (its own CA) and key every local tenant serves HTTPS with. */
interface LocalhostCertificate {
  cert: string;
  private: string;
  /** When the certificate expires (ms since the epoch). */
  notAfter: number;
}

const CERTIFICATE_DAYS = 30;
/** A cached certificate is used while it has at least this long to live. */
const CERTIFICATE_MIN_REMAINING_MS = 24 * 3600 * 1000;
/** Bump when the generation options below change, so no older certificate is reused. */
const CERTIFICATE_CACHE_FILE = 'localhost-ca-v1.json';

let certificateInProcess: Promise<LocalhostCertificate> | undefined;

/**
 * One self-signed certificate for localhost, shared by every local tenant: generating a 2048-bit
 * RSA key costs ~0.2 s of CPU, and the tests start a tenant dozens of times. Kept in this process
 * and in a private directory of the temporary folder (a throwaway localhost certificate, no
 * secret of the project); a file that is not ours alone, unreadable or near its end is replaced.
 */
export function localhostCertificate(): Promise<LocalhostCertificate> {
  certificateInProcess ??= cachedOrNewCertificate().catch((error: unknown) => {
    certificateInProcess = undefined;
    throw error;
  });
  return certificateInProcess;
}

async function cachedOrNewCertificate(): Promise<LocalhostCertificate> {
  const dir = privateCacheDir();
  const file = dir === undefined ? undefined : join(dir, CERTIFICATE_CACHE_FILE);
  if (file !== undefined) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalhostCertificate>;
      if (
        typeof cached.cert === 'string' &&
        typeof cached.private === 'string' &&
        typeof cached.notAfter === 'number' &&
        cached.notAfter - Date.now() > CERTIFICATE_MIN_REMAINING_MS
      ) {
        return { cert: cached.cert, private: cached.private, notAfter: cached.notAfter };
      }
    } catch {
      // No usable cached certificate: make one.
    }
  }
  const notAfter = Date.now() + CERTIFICATE_DAYS * 24 * 3600 * 1000;
  // Loaded only to make a certificate: selfsigned and the X.509 libraries under it are ~0.2 s of CPU
  // loading in each process or jest suite that starts a tenant, and the cached one serves nearly always.
  const { generate } = require('selfsigned') as typeof import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(notAfter),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const certificate = { cert: pems.cert, private: pems.private, notAfter };
  if (file !== undefined) {
    // Written whole then renamed: a process reading at the same time sees the old file or the new one.
    const partial = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(partial, JSON.stringify(certificate), { mode: 0o600 });
      renameSync(partial, file);
    } catch {
      rmSync(partial, { force: true });
    }
  }
  return certificate;
}

/** `<tmp>/local-tenant-cert-<uid>`, when it is a directory only this user can read and write. */
function privateCacheDir(): string | undefined {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid === undefined) return undefined;
  const dir = join(tmpdir(), `local-tenant-cert-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700, recursive: true });
    const stat = statSync(dir);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}
