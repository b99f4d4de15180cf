/**
 * Arguments that carry credentials (passwords, password hashes, `CONFIG SET` values) and must never
 * reach a trace, whatever `includeValues` says. Applied after the general rules of
 * `sanitize-args.ts`, it only ever replaces shown arguments by `?` (or, for `ACL DRYRUN`, shows the
 * dry-run command as that command itself would be shown).
 */

/** ACL subcommands whose arguments are names, counts or categories, never secrets. */
const ACL_PLAIN = new Set(['CAT', 'DELUSER', 'GETUSER', 'LIST', 'LOAD', 'LOG', 'SAVE', 'USERS', 'WHOAMI', 'GENPASS', 'HELP']);
/** CONFIG subcommands whose arguments are parameter names or patterns. */
const CONFIG_PLAIN = new Set(['GET', 'RESETSTAT', 'REWRITE', 'HELP']);

type Text = (value: unknown) => string;
type Sanitize = (argv: readonly unknown[], includeValues: boolean) => string[];

function upper(text: Text, value: unknown): string {
  return text(value).toUpperCase();
}

/** Replaces `out[from…]` by `redacted`. */
function redactFrom(out: string[], from: number, redacted: string): void {
  for (let i = from; i < out.length; i++) out[i] = redacted;
}

/**
 * Scans the options of `argv` from `from`: after a token of `secrets` (upper case), that many
 * arguments are redacted (and skipped); scanning stops at `stop` (a list of keys follows).
 */
function redactAfter(argv: readonly unknown[], out: string[], from: number, secrets: Readonly<Record<string, number>>, stop: string | undefined, text: Text, redacted: string, skips: Readonly<Record<string, number>> = {}): void {
  for (let i = from; i < argv.length; i++) {
    const token = upper(text, argv[i]);
    if (token === stop) return;
    // An option's own argument is not a keyword (`HELLO 3 SETNAME AUTH AUTH user pass`).
    if (Object.hasOwn(skips, token)) {
      i += skips[token]!;
      continue;
    }
    const count = Object.hasOwn(secrets, token) ? secrets[token]! : 0;
    for (let j = 1; j <= count && i + j < out.length; j++) out[i + j] = redacted;
    i += count;
  }
}

/**
 * Redacts the credential-carrying arguments of `argv` in `out` (its sanitized form, same length).
 * - `AUTH`: every argument.
 * - `HELLO … AUTH user pass`: the user and the password.
 * - `MIGRATE … AUTH pass | AUTH2 user pass`: the password (and the AUTH2 user).
 * - `ACL SETUSER user rule…`: every rule (they hold `>pass`, `<pass`, `#hash`, `!hash`).
 * - `ACL DRYRUN user command arg…`: the command as it would be shown on its own (a nested ACL
 *   command: its name only).
 * - other ACL subcommands: shown unless unknown (then only the subcommand).
 * - `CONFIG SET name value …`: every value (requirepass, masterauth, tls-key-file-pass…).
 * - other CONFIG subcommands: shown unless unknown (then only the subcommand).
 * @internal
 */
export function redactSecrets(argv: readonly unknown[], out: string[], includeValues: boolean, text: Text, sanitize: Sanitize, redacted: string): void {
  const name = out[0]!.toUpperCase();
  if (name === 'AUTH') return redactFrom(out, 1, redacted);
  if (name === 'HELLO') return redactAfter(argv, out, 2, { AUTH: 2 }, undefined, text, redacted, { SETNAME: 1 });
  if (name === 'MIGRATE') return redactAfter(argv, out, 6, { AUTH: 1, AUTH2: 2 }, 'KEYS', text, redacted);
  if (argv.length < 2 || (name !== 'ACL' && name !== 'CONFIG')) return;
  const sub = upper(text, argv[1]);
  if (name === 'ACL') {
    if (sub === 'SETUSER') return redactFrom(out, 3, redacted);
    if (sub === 'DRYRUN') {
      if (argv.length < 4) return;
      // A nested ACL command is not shown (and the recursion stays one level deep).
      if (upper(text, argv[3]) === 'ACL') return redactFrom(out, 4, redacted);
      const inner = sanitize(argv.slice(3), includeValues);
      for (let i = 0; i < inner.length; i++) out[3 + i] = inner[i]!;
      return;
    }
    if (!ACL_PLAIN.has(sub)) redactFrom(out, 2, redacted);
    return;
  }
  if (name === 'CONFIG') {
    if (sub === 'SET') {
      for (let i = 3; i < out.length; i += 2) out[i] = redacted;
      return;
    }
    if (!CONFIG_PLAIN.has(sub)) redactFrom(out, 2, redacted);
  }
}
