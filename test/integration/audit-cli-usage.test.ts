/** The audit commands answer --help with their usage (exit 0) and a bad command line with usage on stderr (exit 2). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** What `npm run <command> -- args` runs (package.json), without npm's own start-up. */
function runCommand(command: string, ...args: string[]) {
  const script = `bin/${command.replace(':', '-')}.ts`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each(['audit:export', 'audit:verify', 'audit:query'])('npm run %s', (command) => {
  it.each(['--help', '-h'])('answers %s with its usage on stdout and exit 0', (flag) => {
    const result = runCommand(command, flag);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: npm run ${command}`));
    expect(result.stdout).toContain('--data-dir');
    expect(result.stderr).not.toMatch(/\bat \S+ \(/); // no stack trace
  });

  it('answers an unknown flag with what is wrong and the usage on stderr, exit 2', () => {
    const result = runCommand(command, '--no-such-flag');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("Unknown option '--no-such-flag'");
    expect(result.stderr).toContain(`usage: npm run ${command}`);
    expect(result.stderr).not.toMatch(/\bat \S+ \(/);
  });
});
