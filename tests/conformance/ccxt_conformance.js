#!/usr/bin/env node
// Conformance of bpsim against an independent Backpack client: ccxt (REST + ccxt.pro WebSocket).
//
//   node tests/conformance/ccxt_conformance.js --bpsim build/bpsim --config tests/conformance/bpsim_conformance.toml
//
// Starts bpsim on port 0, points ccxt's `backpack` urls at it (test key of docs/backpack.md §1.5, which the
// config registers as an account) and checks every call against what bpsim's state must be — mostly
// by comparing with bpsim's own public REST answers, which the static book (no automatic model steps)
// makes exact. Exit 0 = all passed, 1 = failures, 77 = skipped (ccxt not installed).
'use strict';

const path = require('path');
const { spawn } = require('child_process');

const SKIP = 77;
let ccxt;
try {
  ccxt = require('ccxt'); // resolved from this script's folder: tests/conformance/node_modules
} catch (e) {
  console.log(`SKIP: ccxt is not installed under ${path.join(__dirname, 'node_modules')} (${e.message.split('\n')[0]})`);
  process.exit(SKIP);
}

const API_KEY = 'A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=';
const SECRET = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const FUNDING_BOUNDARY_US = 1767225600000000; // from bpsim_conformance.toml: start 2 min before

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(t));
}

function startBpsim(bin, config) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['--config', config, '--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('bpsim did not print its port within 20 s: ' + out)); }, 20000);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`bpsim exited early with ${code}: ${out}`)); });
    proc.stdout.on('data', (d) => {
      out += d.toString();
      const m = out.match(/bpsim listening on http:\/\/127\.0\.0\.1:(\d+) \(ws:\/\/127\.0\.0\.1:(\d+)\)/);
      if (m) {
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        resolve({ proc, port: Number(m[1]) });
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------

let failures = 0;
let passes = 0;
let bpsimProc = null;
process.on('exit', () => { if (bpsimProc && bpsimProc.exitCode === null) bpsimProc.kill('SIGKILL'); });

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function assertEq(actual, expected, msg) {
  if (actual !== expected) throw new Error(`${msg}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
function assertNear(actual, expected, tol, msg) {
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${msg}: expected ${expected} ± ${tol}, got ${actual}`);
}

async function check(name, fn) {
  try {
    await withTimeout(fn(), 30000, name);
    passes++;
    console.log(`ok   - ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL - ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  }
}

async function main() {
  const bin = arg('--bpsim');
  const config = arg('--config', path.join(__dirname, 'bpsim_conformance.toml'));
  if (!bin) {
    console.error('usage: ccxt_conformance.js --bpsim PATH [--config PATH]');
    process.exit(2);
  }
  const { proc, port } = await startBpsim(bin, config);
  bpsimProc = proc;
  const base = `http://127.0.0.1:${port}`;
  const wsBase = `ws://127.0.0.1:${port}`;
  console.log(`bpsim on ${base}, ccxt ${ccxt.version}`);

  const ex = new ccxt.pro.backpack({ apiKey: API_KEY, secret: SECRET, enableRateLimit: false, timeout: 10000 });
  ex.urls.api = { public: base, private: base, ws: { public: wsBase, private: wsBase } };
  await ex.loadHttpProxyAgent(); // ccxt refuses plain ws:// URLs until its http agent is loaded

  const raw = async (p, init) => {
    const r = await fetch(base + p, init);
    const text = await r.text();
    return { status: r.status, text, json: () => JSON.parse(text) };
  };
  const rawDepth = async (sym) => (await raw(`/api/v1/depth?symbol=${sym}&limit=1000`)).json();

  const PERP = 'SOL/USDC:USDC';
  const SPOT = 'SOL/USDC';
  let perpOrder;
  let perpFees = 0;

  await check('loadMarkets', async () => {
    const markets = await ex.loadMarkets();
    const rawMarkets = (await raw('/api/v1/markets')).json();
    assertEq(Object.keys(markets).length, rawMarkets.length, 'market count');
    const p = markets[PERP];
    assert(p, 'SOL/USDC:USDC missing');
    assertEq(p.id, 'SOL_USDC_PERP', 'perp id');
    assertEq(p.type, 'swap', 'perp type');
    assertEq(p.settle, 'USDC', 'settle');
    assertEq(p.precision.price, 0.01, 'price precision');
    assertEq(p.precision.amount, 0.01, 'amount precision');
    assertEq(p.limits.amount.min, 0.01, 'min amount');
    assertEq(p.active, true, 'active');
    const s = markets[SPOT];
    assertEq(s.type, 'spot', 'spot type');
    assertEq(markets['BTC/USDC'].precision.price, 0.1, 'BTC tick');
  });

  // Early: the perp position must exist before the funding boundary (~6 s after start-up).
  await check('createOrder market (perp)', async () => {
    perpOrder = await ex.createOrder(PERP, 'market', 'buy', 2);
    assertEq(perpOrder.info.status, 'Filled', 'raw status');
    assertEq(perpOrder.status, 'closed', 'ccxt status');
    assertEq(perpOrder.filled, 2, 'filled');
    assertEq(perpOrder.side, 'buy', 'side');
    assert(perpOrder.cost > 250 && perpOrder.cost < 350, `cost ${perpOrder.cost}`);
  });

  await check('fetchPositions', async () => {
    const ps = await ex.fetchPositions([PERP]);
    assertEq(ps.length, 1, 'one position');
    const p = ps[0];
    assertEq(p.symbol, PERP, 'symbol');
    assertEq(Number(p.contracts), 2, 'contracts');
    assertEq(p.side, 'long', 'side');
    assertNear(p.entryPrice, perpOrder.cost / 2, 1e-9, 'entry price = average fill');
  });

  await check('fetchMyTrades', async () => {
    const trades = await ex.fetchMyTrades(PERP);
    assert(trades.length >= 1, 'no trades');
    let amount = 0;
    let cost = 0;
    for (const t of trades) {
      assertEq(t.order, perpOrder.id, 'order id');
      assertEq(t.side, 'buy', 'side');
      assertEq(t.takerOrMaker, 'taker', 'taker');
      assertEq(t.fee.currency, 'USDC', 'fee currency');
      assertNear(t.fee.cost, t.price * t.amount * 0.0005, 1e-6, 'fee = 5 bps taker');
      amount += t.amount;
      cost += t.price * t.amount;
      perpFees += t.fee.cost;
    }
    assertNear(amount, 2, 1e-9, 'sum of fills');
    assertNear(cost, perpOrder.cost, 1e-6, 'sum of notionals');
  });

  await check('fetchBalance', async () => {
    const b = await ex.fetchBalance();
    assertNear(b.USDC.total, 100000 - perpFees, 1e-6, 'USDC total = deposit - fees (P&L not realized yet)');
    assertEq(b.USDC.used, 0, 'USDC used');
    assertEq(b.SOL.total, 50, 'SOL total');
    assertEq(b.SOL.free, 50, 'SOL free');
  });

  await check('fetchOrderBook', async () => {
    const ob = await ex.fetchOrderBook(SPOT, 20);
    const d = await rawDepth('SOL_USDC');
    assertEq(ob.nonce, Number(d.lastUpdateId), 'nonce = lastUpdateId');
    const bestBid = d.bids[d.bids.length - 1];
    assertEq(ob.bids[0][0], Number(bestBid[0]), 'best bid (last of ascending bids)');
    assertEq(ob.bids[0][1], Number(bestBid[1]), 'best bid size');
    assertEq(ob.asks[0][0], Number(d.asks[0][0]), 'best ask');
    assert(ob.bids[0][0] < ob.asks[0][0], 'crossed book');
    assertEq(ob.bids.length, Math.min(20, d.bids.length), 'depth limit');
  });

  await check('fetchTicker', async () => {
    const t = await ex.fetchTicker(SPOT);
    const r = (await raw('/api/v1/ticker?symbol=SOL_USDC')).json();
    assertEq(t.symbol, SPOT, 'symbol');
    assertEq(t.last, Number(r.lastPrice), 'last');
    assertEq(t.high, Number(r.high), 'high');
    assertEq(t.baseVolume, Number(r.volume), 'volume');
  });

  let limitId;
  await check('createOrder limit + fetchOpenOrders + balance lock', async () => {
    const o = await ex.createOrder(SPOT, 'limit', 'buy', 1, 100);
    assertEq(o.status, 'open', 'status');
    assertEq(o.price, 100, 'price');
    assertEq(o.amount, 1, 'amount');
    limitId = o.id;
    const open = await ex.fetchOpenOrders(SPOT);
    const mine = open.find((x) => x.id === limitId);
    assert(mine, 'order not in open orders');
    assertEq(mine.remaining, 1, 'remaining');
    const b = await ex.fetchBalance();
    assertEq(b.USDC.used, 100, 'USDC locked by the order');
  });

  await check('createOrder post-only', async () => {
    const o = await ex.createOrder(SPOT, 'limit', 'buy', 1, 101, { postOnly: true });
    assertEq(o.status, 'open', 'resting post-only');
    assertEq(o.info.postOnly, true, 'postOnly echoed');
    const d = await rawDepth('SOL_USDC');
    const crossing = Number(d.asks[0][0]) + 1;
    const x = await ex.createOrder(SPOT, 'limit', 'buy', 1, crossing, { postOnly: true });
    assertEq(x.info.status, 'Expired', 'crossing post-only never rests');
    assertEq(x.filled, 0, 'crossing post-only never trades');
    const after = await rawDepth('SOL_USDC');
    assertEq(after.asks[0][0], d.asks[0][0], 'book untouched');
    await ex.cancelOrder(o.id, SPOT);
  });

  await check('cancelOrder', async () => {
    const c = await ex.cancelOrder(limitId, SPOT);
    assertEq(c.status, 'canceled', 'status');
    assertEq(c.id, limitId, 'id');
    const open = await ex.fetchOpenOrders(SPOT);
    assert(!open.find((x) => x.id === limitId), 'cancelled order still open');
  });

  await check('createOrders (batch)', async () => {
    const orders = await ex.createOrders([
      { symbol: SPOT, type: 'limit', side: 'buy', amount: 1, price: 98 },
      { symbol: SPOT, type: 'limit', side: 'buy', amount: 2, price: 97 },
    ]);
    assertEq(orders.length, 2, 'two results');
    for (const o of orders) {
      assert(o.id, 'id');
      assertEq(o.status, 'open', 'status');
    }
    const open = await ex.fetchOpenOrders(SPOT);
    for (const o of orders) assert(open.find((x) => x.id === o.id), `batch order ${o.id} not open`);
    await ex.cancelAllOrders(SPOT);
    assertEq((await ex.fetchOpenOrders(SPOT)).length, 0, 'cancelAllOrders');
  });

  await check('watchOrderBook', async () => {
    const first = ex.watchOrderBook(SPOT);
    first.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
    await sleep(300); // subscribed before the deltas below
    // ccxt buffers 10 deltas before fetching the REST snapshot: make 14 book changes.
    for (let i = 0; i < 14; i++) await ex.createOrder(SPOT, 'limit', 'buy', 0.1, 90 + i * 0.01);
    const ob = await withTimeout(first, 10000, 'first watchOrderBook update');
    assert(ob.bids.length > 0 && ob.asks.length > 0, 'empty book');
    await sleep(300); // let the remaining deltas arrive
    const cached = ex.orderbooks[SPOT];
    const d = await rawDepth('SOL_USDC');
    assertEq(cached.nonce, Number(d.lastUpdateId), 'watched book nonce = REST lastUpdateId');
    const restBids = d.bids.slice().reverse().slice(0, 10).map((l) => [Number(l[0]), Number(l[1])]);
    const restAsks = d.asks.slice(0, 10).map((l) => [Number(l[0]), Number(l[1])]);
    assertEq(JSON.stringify(cached.bids.slice(0, 10).map((l) => [l[0], l[1]])), JSON.stringify(restBids), 'bids');
    assertEq(JSON.stringify(cached.asks.slice(0, 10).map((l) => [l[0], l[1]])), JSON.stringify(restAsks), 'asks');
    assert(cached.bids.find((l) => l[0] === 90.13), 'our order level 90.13 missing');
    await ex.cancelAllOrders(SPOT);
  });

  await check('watchOrders', async () => {
    const w = ex.watchOrders(SPOT);
    w.catch(() => {});
    await sleep(300); // signed subscription processed
    const o = await ex.createOrder(SPOT, 'limit', 'buy', 1, 95);
    const got = await withTimeout(w, 10000, 'watchOrders (accept)');
    const mine = got.find((x) => x.id === o.id);
    assert(mine, 'accepted order not streamed');
    assertEq(mine.status, 'open', 'streamed status');
    assertEq(mine.price, 95, 'streamed price');
    assertEq(mine.amount, 1, 'streamed amount');
    const w2 = ex.watchOrders(SPOT);
    w2.catch(() => {});
    await ex.cancelOrder(o.id, SPOT);
    const got2 = await withTimeout(w2, 10000, 'watchOrders (cancel)');
    const c = got2.find((x) => x.id === o.id);
    assert(c, 'cancelled order not streamed');
    assertEq(c.status, 'canceled', 'streamed cancel');
  });

  await check('fetchFundingHistory', async () => {
    // Wait until simulated time passed the funding boundary, then let the exchange settle it.
    for (let i = 0; i < 200; i++) {
      const s = (await raw('/_bpsim/scenario')).json();
      if (s.sim_time_us > FUNDING_BOUNDARY_US + 1000000) break;
      await sleep(100);
    }
    const stepped = await raw('/_bpsim/scenario', { method: 'POST', body: '{"step":true}' });
    assertEq(stepped.status, 200, 'step');
    const h = await ex.fetchFundingHistory(PERP);
    assert(h.length >= 1, 'no funding payment recorded');
    const f = h[0];
    assertEq(f.symbol, PERP, 'symbol');
    assertEq(f.timestamp, FUNDING_BOUNDARY_US / 1000, 'interval end = boundary');
    const rates = (await raw('/api/v1/fundingRates?symbol=SOL_USDC_PERP')).json();
    const r = rates.find((x) => Date.parse(x.intervalEndTimestamp + 'Z') === f.timestamp);
    assert(r, 'fundingRates has no row for the interval');
    assertEq(f.rate, Number(r.fundingRate), 'rate');
    // Long 2 SOL pays rate x notional when the rate is positive (receives when negative).
    const expected = -2 * (perpOrder.cost / 2) * f.rate;
    assert(f.rate !== 0, 'funding rate is exactly 0: nothing is being checked');
    assertNear(f.amount, expected, Math.abs(expected) * 0.05 + 1e-6, 'payment = -qty x mark x rate');
    console.log(`     funding: rate ${f.rate}, amount ${f.amount} (expected ~${expected.toFixed(6)})`);
  });

  await ex.close();
  proc.kill('SIGTERM');
  await Promise.race([new Promise((r) => proc.on('exit', r)), sleep(5000)]);
  console.log(`${passes} passed, ${failures} failed`);
  process.exit(failures === 0 ? 0 : 1);
}

process.on('unhandledRejection', (e) => {
  console.error('unhandled rejection:', e);
  process.exit(1);
});

main().catch((e) => {
  console.error('conformance run aborted:', e);
  process.exit(1);
});
