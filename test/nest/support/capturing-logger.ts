/** A Nest LoggerService that keeps what it is given, for tests that check what the app or the module logs. */
import type { LoggerService } from '@nestjs/common';

export interface CapturedLine {
  level: 'log' | 'warn' | 'error' | 'debug';
  message: string;
}

/** Keeps every log, warn, error and debug line (the message as text, without its context); drops verbose. */
export class CapturingLogger implements LoggerService {
  readonly lines: CapturedLine[] = [];

  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  debug(message: unknown): void {
    this.lines.push({ level: 'debug', message: String(message) });
  }
  verbose(): void {}

  /** The messages logged at `level`, in order. */
  of(level: CapturedLine['level']): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}
