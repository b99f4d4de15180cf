export { RedisClusterError, ConfigError, ProtocolError, CommandTimeoutError, ClientClosedError, ClientOfflineError, QueueFullError, CrossSlotError, WatchError, CommandTimeoutDuringMaintenanceError, UnsupportedCommandError, ArgumentError, describeArgumentKind } from './base.error.js';
export { ConnectionError, ConnectionClosedError, ConnectTimeoutError, AuthError, TlsError, ReconnectStrategyError, NodeRemovedError, HandshakeRefusedError, SocketTimeoutDuringMaintenanceError } from './connection.error.js';
export { ReplyError, MovedError, AskError, TryAgainError, ClusterDownError, ServerCrossSlotError, ExecAbortError, NodeUnavailableReplyError, replyErrorFromMessage } from './reply.error.js';
export { TopologyError, RedirectionLimitError, PartialFailureError } from './cluster.error.js';
export type { SeedFailure, RedirectStep, SlotOutcome } from './cluster.error.js';
export { AlreadyExecutedError } from './already-executed.error.js';
export { NodeFanOutError } from './fan-out.error.js';
export type { NodeOutcome } from './fan-out.error.js';
