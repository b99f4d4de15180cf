import dc from 'node:diagnostics_channel';
import { CHANNELS } from './channels.js';
import { errorType } from './error-type.js';
import type { CommandTraceContext, ConnectTraceContext } from './trace-context.js';

/** Attribute values of a span. */
export type SpanAttributes = Record<string, string | number | boolean | string[]>;

/** The part of an OpenTelemetry `Span` used here (a real one fits). */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean | string[]): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error): unknown;
  end(): void;
}

/** The part of an OpenTelemetry `Tracer` used here (a real one fits). */
export interface TracerLike {
  /** Starts a span whose parent is the active context (OpenTelemetry's default). */
  startSpan(name: string, options?: { kind?: number; attributes?: SpanAttributes }): SpanLike;
}

/** Options of {@link traceWithOpenTelemetry}. */
export interface OpenTelemetryTracingOptions {
  /** Also trace connection attempts (`nest-redis-cluster:connect`) as `redis.connect` spans. @default true */
  connect?: boolean;
  /** Put the traced arguments (already redacted per `observability.tracing.includeValues`) in `db.query.text`. @default true */
  queryText?: boolean;
}

const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/**
 * Turns the client's TracingChannels into OpenTelemetry spans: one CLIENT span per command
 * (named after the command, parented to the context active when the command was issued) with
 * database semantic-convention attributes (`db.system.name`, `db.operation.name`,
 * `db.query.text`, `db.namespace`, `server.address`, `server.port`, `db.operation.batch.size`,
 * `error.type`) and the cluster's own (`redis.cluster.slot`, `redis.cluster.redirections`,
 * `redis.cluster.retries`, `redis.cluster.node.role`), and one `redis.connect` span per
 * connection attempt. Returns a function that unsubscribes.
 *
 * Needs nothing but a Tracer: `traceWithOpenTelemetry(trace.getTracer('redis'))`.
 */
export function traceWithOpenTelemetry(tracer: TracerLike, options: OpenTelemetryTracingOptions = {}): () => void {
  const spans = new WeakMap<object, SpanLike>();
  const queryText = options.queryText ?? true;

  const fail = (context: { error?: unknown }): void => {
    const span = spans.get(context);
    if (!span) return;
    const error = context.error;
    span.setAttribute('error.type', errorType(error));
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: STATUS_ERROR, message: error instanceof Error ? error.message : undefined });
  };
  const finish = (context: object): void => {
    spans.get(context)?.end();
    spans.delete(context);
  };

  const command = dc.tracingChannel<unknown, CommandTraceContext & object>(CHANNELS.COMMAND);
  const commandHandlers = {
    start(context: CommandTraceContext & object) {
      const attributes: SpanAttributes = { 'db.system.name': 'redis', 'db.operation.name': context.command, 'db.namespace': String(context.database) };
      if (queryText) attributes['db.query.text'] = context.args.join(' ');
      if (context.serverAddress !== undefined) attributes['server.address'] = context.serverAddress;
      if (context.serverPort !== undefined) attributes['server.port'] = context.serverPort;
      if (context.slot !== undefined) attributes['redis.cluster.slot'] = context.slot;
      if (context.batchSize !== undefined) attributes['db.operation.batch.size'] = context.batchSize;
      if (context.batchMode !== undefined) attributes['redis.batch.mode'] = context.batchMode;
      spans.set(context, tracer.startSpan(context.command, { kind: SPAN_KIND_CLIENT, attributes }));
    },
    end(context: CommandTraceContext & object) {
      // A synchronous throw ends the trace here (no asyncEnd follows).
      if (context.error !== undefined && spans.has(context)) finishCommand(context);
    },
    asyncStart() {},
    asyncEnd(context: CommandTraceContext & object) {
      finishCommand(context);
    },
    error: fail,
  };
  const finishCommand = (context: CommandTraceContext & object): void => {
    const span = spans.get(context);
    if (!span) return;
    // Redirects may have moved the command to another node.
    if (context.serverAddress !== undefined) span.setAttribute('server.address', context.serverAddress);
    if (context.serverPort !== undefined) span.setAttribute('server.port', context.serverPort);
    if (context.nodeRole !== undefined) span.setAttribute('redis.cluster.node.role', context.nodeRole);
    span.setAttribute('redis.cluster.redirections', context.redirections);
    span.setAttribute('redis.cluster.retries', context.retries);
    finish(context);
  };
  command.subscribe(commandHandlers);

  const connect = dc.tracingChannel<unknown, ConnectTraceContext & object>(CHANNELS.CONNECT);
  const connectHandlers = {
    start(context: ConnectTraceContext & object) {
      const attributes: SpanAttributes = {
        'db.system.name': 'redis',
        'server.address': context.serverAddress,
        'server.port': context.serverPort,
        'redis.connect.attempt': context.attempt,
        'redis.connect.reconnect': context.reconnect,
        'redis.connect.dedicated': context.dedicated,
        'redis.connect.seed': context.seed,
      };
      if (context.nodeRole !== undefined) attributes['redis.cluster.node.role'] = context.nodeRole;
      spans.set(context, tracer.startSpan('redis.connect', { kind: SPAN_KIND_CLIENT, attributes }));
    },
    end(context: ConnectTraceContext & object) {
      if (context.error !== undefined && spans.has(context)) finish(context);
    },
    asyncStart() {},
    asyncEnd: finish,
    error: fail,
  };
  const traceConnect = options.connect ?? true;
  if (traceConnect) connect.subscribe(connectHandlers);

  return () => {
    command.unsubscribe(commandHandlers);
    if (traceConnect) connect.unsubscribe(connectHandlers);
  };
}
