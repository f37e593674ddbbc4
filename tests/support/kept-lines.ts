import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

/**
 * A real Powertools logger whose lines are kept in `entries` (each line's attributes) instead of
 * printed: a test reads what a function logs without spying on the process's streams.
 */
export class KeptLines extends Logger {
  readonly entries: Record<string, unknown>[] = [];
  protected override printLog(_level: number, log: LogItem): void {
    this.entries.push(log.getAttributes());
  }
}
