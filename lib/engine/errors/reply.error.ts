import { RedisClusterError } from './base.error.js';
import { redactServerEcho } from './server-echo.js';

/**
 * An error reply from the server (`-ERR ...`, `-WRONGTYPE ...`, a bulk error `!...`). The message
 * is the server's text, except argument values the server quoted back (`unknown command 'x', with
 * args beginning with: …`, `Error in ACL SETUSER modifier '…'`), which are replaced by `?` and not
 * kept anywhere.
 */
export class ReplyError extends RedisClusterError {
  readonly code: string = 'ERR_REDIS_REPLY';
  /** The first word of the reply, e.g. `ERR`, `WRONGTYPE`, `MOVED`, `NOSCRIPT`. */
  readonly prefix: string;

  constructor(message: string) {
    message = redactServerEcho(message);
    super(message);
    const space = message.indexOf(' ');
    this.prefix = space === -1 ? message : message.slice(0, space);
  }
}

/** `-MOVED <slot> <host:port>`: the slot lives elsewhere now. */
export class MovedError extends ReplyError {
  override readonly code = 'ERR_REDIS_MOVED';
  constructor(message: string, readonly slot: number, readonly address: string) {
    super(message);
  }
}

/** `-ASK <slot> <host:port>`: the key is being imported by another node; ask it once with ASKING. */
export class AskError extends ReplyError {
  override readonly code = 'ERR_REDIS_ASK';
  constructor(message: string, readonly slot: number, readonly address: string) {
    super(message);
  }
}

/** `-TRYAGAIN`: a multi-key command met a slot being migrated; retry after a short delay. */
export class TryAgainError extends ReplyError {
  override readonly code = 'ERR_REDIS_TRYAGAIN';
}

/** `-CLUSTERDOWN`: the cluster (or this slot) is not served right now. */
export class ClusterDownError extends ReplyError {
  override readonly code = 'ERR_REDIS_CLUSTERDOWN';
}

/** `-CROSSSLOT` from the server (the client normally refuses such commands before sending). */
export class ServerCrossSlotError extends ReplyError {
  override readonly code = 'ERR_REDIS_SERVER_CROSSSLOT';
}

/** `-EXECABORT`: the transaction was discarded because a queued command was rejected. */
export class ExecAbortError extends ReplyError {
  override readonly code = 'ERR_REDIS_EXECABORT';
}

/** `-READONLY`, `-LOADING`, `-MASTERDOWN`: the node cannot serve this right now; topology may be stale. */
export class NodeUnavailableReplyError extends ReplyError {
  override readonly code = 'ERR_REDIS_NODE_UNAVAILABLE';
}

function parseRedirect(message: string): { slot: number; address: string } | undefined {
  const parts = message.split(' ');
  if (parts.length !== 3) return undefined;
  const slot = Number(parts[1]);
  if (!Number.isInteger(slot) || slot < 0 || slot > 16383) return undefined;
  return { slot, address: parts[2]! };
}

/**
 * Classify an error reply once, by its prefix, into the typed error users and the router act on.
 * A MOVED/ASK with a malformed slot stays a plain ReplyError (never trusted for routing).
 */
export function replyErrorFromMessage(message: string): ReplyError {
  // A stack captured inside the decoder says nothing useful and costs ~7 µs per error (it would
  // dominate a MOVED storm), so reply errors are built without one.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return classify(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function classify(message: string): ReplyError {
  const space = message.indexOf(' ');
  const prefix = space === -1 ? message : message.slice(0, space);
  switch (prefix) {
    case 'MOVED': {
      const r = parseRedirect(message);
      return r ? new MovedError(message, r.slot, r.address) : new ReplyError(message);
    }
    case 'ASK': {
      const r = parseRedirect(message);
      return r ? new AskError(message, r.slot, r.address) : new ReplyError(message);
    }
    case 'TRYAGAIN':
      return new TryAgainError(message);
    case 'CLUSTERDOWN':
      return new ClusterDownError(message);
    case 'CROSSSLOT':
      return new ServerCrossSlotError(message);
    case 'EXECABORT':
      return new ExecAbortError(message);
    case 'READONLY':
    case 'LOADING':
    case 'MASTERDOWN':
      return new NodeUnavailableReplyError(message);
    default:
      return new ReplyError(message);
  }
}
