/**
 * Loaded first into every process the launcher starts (`node --import …`). The launcher stops its
 * children itself, in order; but if it goes away without doing so (killed with SIGKILL, or its
 * terminal closed), its IPC channel to each child closes, and the child then stops as though it
 * had been sent SIGTERM: no Loupe or service is left behind holding its port.
 */
if (process.send) {
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // The channel must not be what keeps the process alive.
  process.channel?.unref();
}
