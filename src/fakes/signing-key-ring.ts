// The dev identity provider's signing keys. The newest signs; rotating keeps the previous key
// published, so the tokens it signed stay valid until they expire (how real IdPs rotate).
import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import type { JWK } from "jose";

export const SIGNING_ALGORITHM = "RS256";

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

export function generateSigningKey(): SigningKey {
  // 2048 bits: the RS256 minimum of RFC 7518 and what production IdPs use, so the signature
  // check the service pays per request is the real one.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const publicJwk: JWK = {
    ...(publicKey.export({ format: "jwk" }) as JWK),
    kid,
    alg: SIGNING_ALGORITHM,
    use: "sig",
  };
  return { kid, privateKey, publicJwk };
}

export class SigningKeyRing {
  #keys: readonly SigningKey[];

  constructor(first: SigningKey = generateSigningKey()) {
    this.#keys = [first];
  }

  get current(): SigningKey {
    return this.#keys[0]!;
  }

  /** The public half of every published key, as a JWK Set (RFC 7517). */
  get jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((key) => key.publicJwk) };
  }

  /** A new key signs from now on; the one before stays published, older ones are dropped. */
  rotate(): SigningKey {
    this.#keys = [generateSigningKey(), this.current];
    return this.current;
  }
}
