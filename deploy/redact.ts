/**
 * deploy-cli's output is printed (and kept by CI), so it passes through this first: email
 * addresses (deploy-cli logs the tenant settings, `support_email` included) and the values of
 * secrets become `[redacted]`. Values shorter than 6 characters are left, as masking them
 * would mangle ordinary words.
 */
const EMAIL_ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

export function outputRedactor(secrets: readonly string[]): (text: string) => string {
  const values = [...new Set(secrets.filter((secret) => secret.length >= 6))].sort((a, b) => b.length - a.length);
  return (text) => {
    let result = text;
    for (const value of values) result = result.split(value).join('[redacted]');
    return result.replace(EMAIL_ADDRESS, '[email]');
  };
}

/** Environment variable names that hold secrets, by convention (and every deploy credential). */
export function looksSecret(variable: string): boolean {
  return /SECRET|KEY|TOKEN|PASSWORD/i.test(variable);
}

/** Passes text on line by line, redacted, so a value split across two chunks is still caught. */
export function redactingLineWriter(
  redact: (text: string) => string,
  write: (text: string) => void,
): { write(chunk: string): void; end(): void } {
  let pending = '';
  return {
    write(chunk) {
      pending += chunk;
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      write(redact(pending.slice(0, cut + 1)));
      pending = pending.slice(cut + 1);
    },
    end() {
      if (pending !== '') write(redact(pending));
      pending = '';
    },
  };
}
