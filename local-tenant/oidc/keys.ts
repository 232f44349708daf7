import { exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { randomId } from '../state/store';

/**
 * The tenant's token signing key: RS256, as Auth0 signs ID tokens and API access tokens by default,
 * published at /.well-known/jwks.json with its `kid`. Made once per tenant (on first use); a restart
 * makes a new one, so tokens of an earlier run no longer verify (Auth0 keeps keys until rotated).
 */
interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicKey: KeyLike;
  publicJwk: JWK;
}

export class SigningKeys {
  private key: Promise<SigningKey> | undefined;

  current(): Promise<SigningKey> {
    this.key ??= (async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
      const kid = randomId('', 16);
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
      return { kid, privateKey, publicKey, publicJwk };
    })();
    return this.key;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.current()).publicJwk] };
  }
}
