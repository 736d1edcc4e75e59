#!/usr/bin/env node
// Regenerates tests/venue/backpack/data/ccxt_signing_vectors.json: signatures computed by an
// independent client (npm ccxt, installed under tests/conformance/node_modules) for a fixed key and a
// pinned timestamp, so our C++ RequestWriter/signer can be checked against them byte for byte.
//
//   node scripts/gen_signing_vectors.js            # writes the JSON file
//   node scripts/gen_signing_vectors.js --check    # exits 1 if the checked-in file differs
//
// Only ccxt's public `sign()` entry point is used; the signing string is captured by wrapping the
// instance's `encode()` (ccxt encodes exactly the string it signs right before signing it).
'use strict';

const fs = require('fs');
const path = require('path');

// A bare `require('ccxt')` resolved from tests/conformance: ccxt's package.json only has "exports"
// (no "main"), so requiring the directory path directly does not work.
const { createRequire } = require('module');
const ccxt = createRequire(path.join(__dirname, '../tests/conformance/package.json'))('ccxt');

// docs/backpack.md §1.5 test key (seed = bytes 00..1f). Test-only; not a real account.
const SECRET = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const API_KEY = 'A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=';
const TIMESTAMP = 1614550000000;

const ex = new ccxt.backpack({ apiKey: API_KEY, secret: SECRET });
ex.milliseconds = () => TIMESTAMP;  // pins nonce() too (nonce = milliseconds - timeDifference)
ex.options['timeDifference'] = 0;

let lastEncoded = null;
const origEncode = ex.encode.bind(ex);
ex.encode = (s) => {
  lastEncoded = s;
  return origEncode(s);
};

const vectors = [
  {
    description: 'limit order with every field type (strings, bools, int clientId)',
    path: 'api/v1/order', method: 'POST',
    params: {
      symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '150.25', quantity: '0.5', postOnly: true,
      timeInForce: 'GTC', clientId: 42, selfTradePrevention: 'RejectTaker', reduceOnly: false, autoLend: true,
      autoLendRedeem: false, autoBorrow: false, autoBorrowRepay: true,
    },
  },
  {
    description: 'test key limit order example',
    path: 'api/v1/order', method: 'POST',
    params: {
      symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '150.25', quantity: '0.5', postOnly: true,
      timeInForce: 'GTC', clientId: 42,
    },
  },
  {
    description: 'market order with quoteQuantity',
    path: 'api/v1/order', method: 'POST',
    params: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Market', quoteQuantity: '100.50', clientId: 7 },
  },
  {
    description: 'post-only limit ask on a perp (price with trailing zero kept)',
    path: 'api/v1/order', method: 'POST',
    params: { symbol: 'SOL_USDC_PERP', side: 'Ask', orderType: 'Limit', price: '180.10', quantity: '1.25', postOnly: true },
  },
  {
    description: 'reduce-only IOC market order',
    path: 'api/v1/order', method: 'POST',
    params: {
      symbol: 'BTC_USDC_PERP', side: 'Bid', orderType: 'Market', quantity: '0.00123', reduceOnly: true,
      timeInForce: 'IOC', clientId: 4294967295,
    },
  },
  {
    description: 'batch of 3 orders',
    path: 'api/v1/orders', method: 'POST',
    params: [
      { symbol: 'SOL_USDC_PERP', side: 'Bid', orderType: 'Limit', price: '141', quantity: '12' },
      { symbol: 'SOL_USDC_PERP', side: 'Bid', orderType: 'Limit', price: '140', quantity: '11', postOnly: true, clientId: 2 },
      { symbol: 'SOL_USDC', side: 'Ask', orderType: 'Market', quantity: '11', timeInForce: 'IOC' },
    ],
  },
  {
    description: 'cancel by orderId',
    path: 'api/v1/order', method: 'DELETE',
    params: { symbol: 'SOL_USDC_PERP', orderId: '4227701917' },
  },
  {
    description: 'cancel by clientId',
    path: 'api/v1/order', method: 'DELETE',
    params: { symbol: 'SOL_USDC_PERP', clientId: 42 },
  },
  {
    description: 'cancel all orders on a market',
    path: 'api/v1/orders', method: 'DELETE',
    params: { symbol: 'SOL_USDC_PERP' },
  },
  {
    description: 'cancel all resting limit orders on a market',
    path: 'api/v1/orders', method: 'DELETE',
    params: { symbol: 'SOL_USDC', orderType: 'RestingLimitOrder' },
  },
  {
    description: 'fills history with from/to/limit/fillType',
    path: 'wapi/v1/history/fills', method: 'GET',
    params: { symbol: 'SOL_USDC_PERP', from: 1614540000000, to: 1614550000000, limit: 1000, fillType: 'User' },
  },
  {
    description: 'open orders',
    path: 'api/v1/orders', method: 'GET',
    params: { symbol: 'SOL_USDC_PERP', marketType: 'PERP' },
  },
  {
    description: 'order query by clientId',
    path: 'api/v1/order', method: 'GET',
    params: { symbol: 'SOL_USDC', clientId: 42 },
  },
  {
    description: 'funding history',
    path: 'wapi/v1/history/funding', method: 'GET',
    params: { symbol: 'SOL_USDC_PERP', limit: 100, offset: 0 },
  },
  {
    description: 'balance query (no params)',
    path: 'api/v1/capital', method: 'GET',
    params: {},
  },
  {
    description: 'positions',
    path: 'api/v1/position', method: 'GET',
    params: {},
  },
];

const out = {
  generator: 'scripts/gen_signing_vectors.js',
  ccxt_version: ccxt.version,
  secret: SECRET,
  api_key: API_KEY,
  timestamp: TIMESTAMP,
  note: 'ccxt also sends X-Broker-Id: 1400; it is not part of the signature and our client does not send it.',
  vectors: [],
};

for (const v of vectors) {
  lastEncoded = null;
  const r = ex.sign(v.path, 'private', v.method, v.params);
  const url = new URL(r.url);
  const instructions = ex.options['instructions'][v.path] || {};
  out.vectors.push({
    description: v.description,
    method: v.method,
    path: '/' + v.path,
    instruction: instructions[v.method] || '',
    params: v.params,
    body: r.body === undefined ? null : r.body,
    query: url.search.startsWith('?') ? url.search.slice(1) : url.search,
    signing_string: lastEncoded,
    headers: {
      'X-API-Key': r.headers['X-API-Key'],
      'X-Signature': r.headers['X-Signature'],
      'X-Timestamp': r.headers['X-Timestamp'],
      'X-Window': r.headers['X-Window'],
    },
    extra_headers_ignored: { 'X-Broker-Id': r.headers['X-Broker-Id'] },
  });
}

const target = path.join(__dirname, '../tests/venue/backpack/data/ccxt_signing_vectors.json');
const text = JSON.stringify(out, null, 2) + '\n';
if (process.argv.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error('ccxt_signing_vectors.json is out of date; run: node scripts/gen_signing_vectors.js');
    process.exit(1);
  }
  console.log('ccxt_signing_vectors.json is up to date');
} else {
  fs.writeFileSync(target, text);
  console.log(`wrote ${out.vectors.length} vectors to ${path.relative(process.cwd(), target)}`);
}
