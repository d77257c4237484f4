// The same modules run per call by Node.js's built-in WASI (node:wasi), as a peer of the sidecar's
// in-process bench (InProcessBench) and the native builds: the module is compiled once, and every
// call gets a fresh WASI and instance (fresh memory), as the sidecar does. node:wasi takes STDIN
// and STDOUT only as file descriptors, so each call writes its input to a file on tmpfs
// (/dev/shm) and reads its output back from one: part of each call's cost here.
// Prints one line per case in InProcessBench's format (p50/p99/mean wall per call, CPU per call of
// the whole process) and checks the outputs (HELLO, and the SHA-256 computed by node:crypto).
// V8 reserves address space per instance memory and frees it only when the instance is collected:
// thousands of calls without a collection crash node (seen: a segfault after ~2,000), so the loop
// runs a full GC every 100 calls, outside the timed part (hence --expose-gc).
// Usage: node --expose-gc scripts/bench-node-wasi.mjs TINY.wasm SHA256.wasm   (scripts/bench-sidecar.sh)
import { WASI } from 'node:wasi';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const [tinyPath, shaPath] = process.argv.slice(2);
const dir = mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : '/tmp', 'wasi-bench-'));
const inPath = join(dir, 'stdin');
const outPath = join(dir, 'stdout');

function call(module, input) {
  writeFileSync(inPath, input);
  const stdin = openSync(inPath, 'r');
  const stdout = openSync(outPath, 'w+');
  try {
    const wasi = new WASI({ version: 'preview1', args: ['guest'], env: {}, stdin, stdout, stderr: 2, returnOnExit: true });
    const instance = new WebAssembly.Instance(module, wasi.getImportObject());
    const code = wasi.start(instance);
    if (code !== undefined && code !== 0) throw new Error(`guest exited with ${code}`); // undefined: returned from _start
  } finally {
    closeSync(stdin);
    closeSync(stdout);
  }
  return readFileSync(outPath);
}

function measure(name, module, input, warmup, calls) {
  for (let i = 0; i < warmup; i++) {
    call(module, input);
    if (i % 100 === 99) globalThis.gc();
  }
  globalThis.gc();
  const nanos = new Array(calls);
  let cpuMicros = 0;
  for (let i = 0; i < calls; i++) {
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    call(module, input);
    nanos[i] = Number(process.hrtime.bigint() - start);
    const cpu = process.cpuUsage(cpu0);
    cpuMicros += cpu.user + cpu.system;
    if (i % 100 === 99) globalThis.gc();
  }
  nanos.sort((a, b) => a - b);
  const mean = nanos.reduce((a, b) => a + b, 0) / calls;
  const us = (n) => (n / 1000).toFixed(1);
  console.log(
    `${name.padEnd(40)} calls=${calls} p50=${us(nanos[calls >> 1])}us p99=${us(nanos[Math.ceil(calls * 0.99) - 1])}us` +
      ` mean=${us(mean)}us cpu=${(cpuMicros / calls).toFixed(1)}us`,
  );
}

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
try {
  const tiny = await WebAssembly.compile(readFileSync(tinyPath));
  const sha = await WebAssembly.compile(readFileSync(shaPath));
  const hello = Buffer.from('"hello"');
  const upper = call(tiny, hello).toString();
  if (upper !== '"HELLO"') throw new Error(`tiny answered ${upper}`);
  const mebibyte = randomBytes(1 << 20);
  const digest = call(sha, mebibyte).toString().trim();
  const expected = createHash('sha256').update(mebibyte).digest('hex');
  if (digest !== expected) throw new Error(`sha256 answered ${digest}, expected ${expected}`);

  measure(`tiny execute, node:wasi ${process.version}`, tiny, hello, 5000, 10000);
  measure(`sha256 1MiB, node:wasi ${process.version}`, sha, mebibyte, 20, 100);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
