// Loaded with `node --import` by bench/bundles.ts: prints the process's CPU time (user + system)
// as it exits, so a cold import is measured in CPU time, which other work on the machine
// barely moves, rather than in wall time, which it does.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\ncpu-ms:${(user + system) / 1000}\n`);
});
