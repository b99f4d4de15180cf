import { ConfigError } from '../errors/base.error.js';

/** The parts of a `redis[s]://[[username][:password]@][host][:port]` URL. */
export interface ParsedRedisUrl {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
}

/**
 * Parses a Redis URL. Anything but `redis:` or `rediss:` with an optional user, password, host
 * and port (no path other than `/` or `/0`, no query) is a ConfigError naming `option`.
 * The error never quotes the URL, which may hold a password.
 */
export function parseRedisUrl(url: string, option: string): ParsedRedisUrl {
  if (typeof url !== 'string') throw new ConfigError(option, 'must be a string URL (redis[s]://[[username][:password]@][host][:port])');
  // No `cause`: Node's ERR_INVALID_URL keeps the whole URL (password included) in its `input`
  // field, which console.error and util.inspect would print.
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed) throw new ConfigError(option, 'is not a valid URL (expected redis[s]://[[username][:password]@][host][:port])');
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(option, `has scheme "${parsed.protocol}"; expected "redis:" or "rediss:"`);
  }
  if (parsed.search || parsed.hash) throw new ConfigError(option, 'must not have a query or fragment');
  if (parsed.pathname && parsed.pathname !== '/' && parsed.pathname !== '/0') {
    throw new ConfigError(option, 'must not select a database other than 0 (Redis Cluster has only database 0)');
  }
  const port = parsed.port ? Number(parsed.port) : 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(option, 'has an invalid port');
  let host = parsed.hostname || '127.0.0.1';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const result: ParsedRedisUrl = { host, port, tls: parsed.protocol === 'rediss:' };
  if (parsed.username) result.username = decodePart(parsed.username, option, 'username');
  if (parsed.password) result.password = decodePart(parsed.password, option, 'password');
  return result;
}

/** Percent-decodes a user or password; a malformed escape is a ConfigError that does not quote it. */
function decodePart(text: string, option: string, part: 'username' | 'password'): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConfigError(option, `has a malformed percent-escape in its ${part}`);
  }
}
