import { inspect } from 'node:util';

const REDACTED = '<redacted>';

/**
 * A password held in a private field: `util.inspect` (at any depth, `showHidden` included),
 * `JSON.stringify`, `Object.entries`, string conversion and object spread of whatever holds it
 * show `<redacted>`, never the value. Only {@link Secret.reveal} returns it (for AUTH/HELLO).
 * Engine plumbing (the type of the resolved options' `password`), not a supported API.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** Wraps a defined value; `undefined` stays `undefined`. */
  static of(value: string | undefined): Secret | undefined {
    return value === undefined ? undefined : new Secret(value);
  }

  /** The value itself, for the handshake only. */
  reveal(): string {
    return this.#value;
  }

  [inspect.custom](): string {
    return `Secret { ${REDACTED} }`;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }
}
