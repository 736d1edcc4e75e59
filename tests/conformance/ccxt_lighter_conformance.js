#!/usr/bin/env node
// Conformance of bpsim's Lighter front-end against an independent Lighter client: ccxt's `lighter` class,
// its public REST calls (the installed version implements markets, tickers and the order book for
// Lighter; it has no public trades call).
//
//   node tests/conformance/ccxt_lighter_conformance.js --bpsim build/bpsim --config tests/conformance/bpsim_lighter_conformance.toml
//
// Starts bpsim (its venues on ephemeral ports), points ccxt's Lighter urls at the Lighter listener and checks
// every value against bpsim's own Lighter REST answers (read here without ccxt) and the market rules of
// the config; the book holds still (no model steps), so the comparisons are exact. Exit 0 = all passed,
// 1 = failures, 77 = skipped (ccxt not installed).
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

// The market rules of bpsim_lighter_conformance.toml.
const RULES = {
  SOL: { id: '2', sizeDecimals: 3, priceDecimals: 3, minBase: 0.05, minQuote: 10 },
  BTC: { id: '1', sizeDecimals: 5, priceDecimals: 1, minBase: 0.0002, minQuote: 10 },
};
const MAKER_FEE = 0.002; // percent, as the venue (and so ccxt) reports it
const TAKER_FEE = 0.02;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(t));
}

// bpsim prints one line per venue; the Lighter one names its REST base.
function startBpsim(bin, config) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['--config', config, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('bpsim did not print its Lighter port within 20 s: ' + out)); }, 20000);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`bpsim exited early with ${code}: ${out}`)); });
    proc.stdout.on('data', (d) => {
      out += d.toString();
      const m = out.match(/bpsim venue \S+ \(lighter\) listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        resolve({ proc, port: Number(m[1]) });
      }
    });
  });
}

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
  const config = arg('--config', path.join(__dirname, 'bpsim_lighter_conformance.toml'));
  if (!bin) {
    console.error('usage: ccxt_lighter_conformance.js --bpsim PATH [--config PATH]');
    process.exit(2);
  }
  const { proc, port } = await startBpsim(bin, config);
  bpsimProc = proc;
  const base = `http://127.0.0.1:${port}`;
  console.log(`bpsim Lighter on ${base}, ccxt ${ccxt.version}`);

  const ex = new ccxt.lighter({ enableRateLimit: false, timeout: 10000 });
  ex.urls.api = { root: base, public: base, private: base };

  const raw = async (p) => {
    const r = await fetch(base + p);
    const text = await r.text();
    assertEq(r.status, 200, `${p} status (${text.slice(0, 200)})`);
    return JSON.parse(text);
  };
  const rawDetails = async (id) => {
    const d = await raw(`/api/v1/orderBookDetails${id === undefined ? '' : `?market_id=${id}`}`);
    return d.order_book_details.concat(d.spot_order_book_details);
  };

  const SOL = 'SOL/USDC:USDC';
  const BTC = 'BTC/USDC:USDC';

  await check('fetchMarkets', async () => {
    const markets = await ex.loadMarkets();
    const details = await rawDetails();
    assertEq(Object.keys(markets).length, details.length, 'market count');
    assertEq(Object.keys(markets).length, Object.keys(RULES).length, 'markets of the config');
    for (const [base, r] of Object.entries(RULES)) {
      const sym = `${base}/USDC:USDC`;
      const m = markets[sym];
      assert(m, `${sym} missing`);
      assertEq(m.id, r.id, `${sym} id`);
      assertEq(m.base, base, `${sym} base`);
      assertEq(m.baseId, base, `${sym} base id (the venue's symbol)`);
      assertEq(m.type, 'swap', `${sym} type`);
      assertEq(m.settle, 'USDC', `${sym} settle`);
      assertEq(m.active, true, `${sym} active`);
      assertEq(m.precision.amount, Number(`1e-${r.sizeDecimals}`), `${sym} amount precision`);
      assertEq(m.precision.price, Number(`1e-${r.priceDecimals}`), `${sym} price precision`);
      assertEq(m.limits.amount.min, r.minBase, `${sym} min amount`);
      assertEq(m.limits.cost.min, r.minQuote, `${sym} min cost`);
      assertEq(m.maker, MAKER_FEE, `${sym} maker fee`);
      assertEq(m.taker, TAKER_FEE, `${sym} taker fee`);
      const d = details.find((x) => String(x.market_id) === r.id);
      assert(d, `raw details of ${r.id}`);
      assertEq(m.contractSize, Number(d.quote_multiplier), `${sym} contract size = quote_multiplier`);
    }
  });

  await check('fetchCurrencies', async () => {
    const cs = await ex.fetchCurrencies();
    const d = (await raw('/api/v1/assetDetails')).asset_details;
    assertEq(Object.keys(cs).length, d.length, 'currency count');
    const usdc = cs.USDC;
    assert(usdc, 'USDC missing');
    const r = d.find((x) => x.symbol === 'USDC');
    assertEq(usdc.id, String(r.asset_id), 'USDC id');
    assertEq(usdc.precision, Number(`1e-${r.decimals}`), 'USDC precision');
  });

  await check('fetchOrderBook', async () => {
    for (const sym of [SOL, BTC]) {
      const id = ex.market(sym).id;
      const ob = await ex.fetchOrderBook(sym, 20);
      const d = await raw(`/api/v1/orderBookOrders?market_id=${id}&limit=20`);
      assert(d.bids.length > 0 && d.asks.length > 0, `${sym}: bpsim's book is empty`);
      assertEq(ob.symbol, sym, 'symbol');
      assertEq(ob.bids.length, d.bids.length, `${sym} bid count`);
      assertEq(ob.asks.length, d.asks.length, `${sym} ask count`);
      for (let i = 0; i < d.bids.length; i++) {
        assertEq(ob.bids[i][0], Number(d.bids[i].price), `${sym} bid ${i} price`);
        assertEq(ob.bids[i][1], Number(d.bids[i].remaining_base_amount), `${sym} bid ${i} size`);
      }
      for (let i = 0; i < d.asks.length; i++) {
        assertEq(ob.asks[i][0], Number(d.asks[i].price), `${sym} ask ${i} price`);
        assertEq(ob.asks[i][1], Number(d.asks[i].remaining_base_amount), `${sym} ask ${i} size`);
      }
      assert(ob.bids[0][0] < ob.asks[0][0], `${sym} crossed book`);
      for (let i = 1; i < ob.bids.length; i++) assert(ob.bids[i][0] < ob.bids[i - 1][0], `${sym} bids best first`);
      for (let i = 1; i < ob.asks.length; i++) assert(ob.asks[i][0] > ob.asks[i - 1][0], `${sym} asks ascending`);
      // Prices on the market's tick.
      const tick = ex.market(sym).precision.price;
      for (const [p] of ob.bids.concat(ob.asks)) {
        const k = p / tick;
        assert(Math.abs(k - Math.round(k)) < 1e-6, `${sym} price ${p} off the tick ${tick}`);
      }
    }
    // A limit above 100 is capped by ccxt; bpsim accepts up to 250 and refuses more, as the venue.
    const big = await fetch(`${base}/api/v1/orderBookOrders?market_id=2&limit=251`);
    assertEq(big.status, 400, 'limit 251 refused');
  });

  await check('fetchTicker', async () => {
    for (const sym of [SOL, BTC]) {
      const t = await ex.fetchTicker(sym);
      const [d] = await rawDetails(ex.market(sym).id);
      assertEq(t.symbol, sym, 'symbol');
      assertEq(t.last, Number(d.last_trade_price), `${sym} last`);
      assertEq(t.high, Number(d.daily_price_high), `${sym} high`);
      assertEq(t.low, Number(d.daily_price_low), `${sym} low`);
      assertEq(t.baseVolume, Number(d.daily_base_token_volume), `${sym} base volume`);
      assertEq(t.quoteVolume, Number(d.daily_quote_token_volume), `${sym} quote volume`);
      const change = Number(d.daily_price_change);
      assertEq(t.percentage, change === 0 ? undefined : change, `${sym} change (percent; ccxt reads 0 as unknown)`);
    }
  });

  await check('fetchTickers', async () => {
    const ts = await ex.fetchTickers();
    const details = await rawDetails();
    assertEq(Object.keys(ts).length, details.length, 'one ticker per market');
    for (const d of details) {
      const m = ex.markets_by_id[String(d.market_id)][0];
      const t = ts[m.symbol];
      assert(t, `ticker of ${m.symbol}`);
      assertEq(t.last, Number(d.last_trade_price), `${m.symbol} last`);
      assertEq(t.baseVolume, Number(d.daily_base_token_volume), `${m.symbol} base volume`);
    }
  });

  console.log(`${passes} passed, ${failures} failed`);
  proc.kill('SIGTERM');
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((e) => {
  console.log(`FAIL - setup: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
