// Loaded into the app by the bench (`--import`): on SIGUSR2 the process writes where its
// memory is (process.memoryUsage(): V8's heap, memory outside it such as Buffers and
// PGlite's WebAssembly memory, and RSS) to its log as one line, for the runner to read.
process.on('SIGUSR2', () => {
  console.error(`bench-memory ${JSON.stringify(process.memoryUsage())}`);
});
