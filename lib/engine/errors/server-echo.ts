/**
 * Server error texts that quote a command's arguments back, and the part of each that is replaced
 * by `?` before the text becomes a ReplyError message (argument values may be secrets or personal
 * data; command and subcommand names are kept). Only texts holding a quote are looked at, so a
 * MOVED storm pays one `indexOf` per reply.
 */
const ECHOES: ReadonlyArray<readonly [pattern: RegExp, replacement: string]> = [
  // ERR unknown command 'x', with args beginning with: 'a' 'b'
  [/(with args beginning with:)[\s\S]*$/, '$1 ?'],
  // ERR Error in ACL SETUSER modifier '>pass…': Syntax error (the modifier may hold a password or hash)
  [/(ACL SETUSER modifier ')[\s\S]*(': )/, '$1?$2'],
  // Redis 6: ERR Invalid argument 'value' for CONFIG SET 'requirepass'
  [/(Invalid argument ')[\s\S]*(' for CONFIG SET)/, '$1?$2'],
];

/** `message` with the argument values a server echoed replaced by `?`. @internal */
export function redactServerEcho(message: string): string {
  if (message.indexOf("'") === -1) return message;
  let out = message;
  for (const [pattern, replacement] of ECHOES) out = out.replace(pattern, replacement);
  return out;
}
