// ccxt's Lighter order-book handler (ccxt.pro.lighter handleMessage) on the frames bparb's
// benchmark writes, for the ratio in BENCHMARKS.md. ccxt comes from tests/conformance (npm ci there).
//   build/tests/bench/bparb_bench_lighter_book --write-frames=/tmp/lighter_frames.txt
//   node tests/bench/lighter_ccxt_book.mjs /tmp/lighter_frames.txt [passes]
// Per frame: JSON.parse (ccxt's WebSocket client parses every message) + handleMessage. Prints one
// JSON line: frames, wall and process-CPU frames/s, and the resulting best bid/ask as a sanity check.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'conformance', 'package.json'));
const ccxt = require('ccxt');

const file = process.argv[2];
const passes = Number(process.argv[3] ?? 5);
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);

const exchange = new ccxt.pro.lighter({});
const client = { resolve() {}, reject() {}, futures: {}, subscriptions: {} };

function run() {
  for (const line of lines) exchange.handleMessage(client, JSON.parse(line));
}

run(); // warm-up (JIT)
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let i = 0; i < passes; ++i) run();
const wallNs = Number(process.hrtime.bigint() - t0);
const cpu = process.cpuUsage(cpu0);
const cpuNs = (cpu.user + cpu.system) * 1000;
const n = lines.length * passes;
const book = Object.values(exchange.orderbooks)[0];
console.log(JSON.stringify({
  frames: n,
  wall_frames_per_s: Math.round(n / (wallNs / 1e9)),
  cpu_frames_per_s: Math.round(n / (cpuNs / 1e9)),
  best_bid: book ? book.bids[0] : null,
  best_ask: book ? book.asks[0] : null,
}));
