/**
 * Argument parsing for the command-line tools: `--help`/`-h` prints the usage and exits 0;
 * an unknown flag or a bad value prints what is wrong and the usage, and exits 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandLine<const O extends Options>(usage: string, options: O, args = process.argv.slice(2)) {
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    return usageError(usage, error instanceof Error ? error.message : String(error));
  }
}

/** Prints `problem` and the usage to stderr and exits 2. */
export function usageError(usage: string, problem: string): never {
  process.stderr.write(`${problem}\n\n${usage.trim()}\n`);
  process.exit(2);
}
