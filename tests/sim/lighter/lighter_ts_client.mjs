#!/usr/bin/env node
// Test-only independent client for bpsim's Lighter front-end: the npm lighter-ts-sdk's SignerClient
// (its REST calls and the official Lighter signer compiled to WebAssembly) creates a resting order and
// cancels it against a running server. Prints one JSON line per step; the C++ test
// (conformance_test.cpp) checks them and the server's state. Exit status: 0 ok, 1 a step failed,
// 3 the package is not installed (the test then skips).
//
//   node lighter_ts_client.mjs --url http://127.0.0.1:PORT --key HEX --account N --api-key K \
//        --node-modules DIR --client-order-index C --base-amount B --price P
//
// Only the lighter-ts-sdk build is used: its signer holds market ids in 8 bits, so the test uses a
// perp market id below 256.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const sdkDir = path.join(args['node-modules'] || '', 'lighter-ts-sdk');
if (!fs.existsSync(path.join(sdkDir, 'wasm', 'lighter-signer.wasm'))) {
  console.log(JSON.stringify({ step: 'skip', reason: 'lighter-ts-sdk not installed' }));
  process.exit(3);
}
const require = createRequire(path.join(sdkDir, 'package.json'));
const sdk = require(sdkDir);

// The SDK logs progress with console.log: keep stdout for our JSON lines only.
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
console.log = (...a) => process.stderr.write(a.join(' ') + '\n');

async function main() {
  const account = Number(args.account);
  const client = new sdk.SignerClient({
    url: args.url,
    privateKey: args.key,
    accountIndex: account,
    apiKeyIndex: Number(args['api-key']),
    wasmConfig: {
      wasmPath: path.join(sdkDir, 'wasm', 'lighter-signer.wasm'),
      wasmExecPath: path.join(sdkDir, 'wasm', 'wasm_exec.js'),
    },
  });
  await client.initialize();
  await client.ensureWasmClient();

  const coi = Number(args['client-order-index']);
  const [info, hash, err] = await client.createOrder({
    marketIndex: 0,
    clientOrderIndex: coi,
    baseAmount: Number(args['base-amount']),
    price: Number(args.price),
    isAsk: false,
    orderType: sdk.SignerClient.ORDER_TYPE_LIMIT,
    timeInForce: sdk.SignerClient.ORDER_TIME_IN_FORCE_GOOD_TILL_TIME,
    orderExpiry: Date.now() + 24 * 3600 * 1000,
  });
  out({ step: 'create', tx_hash: hash, error: err, nonce: info ? info.Nonce : null });
  if (err || !hash) return 1;

  // The account's active orders, read with an auth token from the same official signer.
  const token = await client.createAuthTokenWithExpiry(600);
  const res = await fetch(`${args.url}/api/v1/accountActiveOrders?account_index=${account}&market_id=0`, {
    headers: { Authorization: token },
  });
  const body = await res.json();
  const orders = body.orders || [];
  out({ step: 'active', http: res.status, count: orders.length,
        client_order_index: orders.length ? orders[0].client_order_index : null,
        remaining: orders.length ? orders[0].remaining_base_amount : null,
        price: orders.length ? orders[0].price : null });

  const [cinfo, chash, cerr] = await client.cancelOrder({ marketIndex: 0, orderIndex: coi });
  out({ step: 'cancel', tx_hash: chash, error: cerr, nonce: cinfo ? cinfo.Nonce : null });
  if (cerr || !chash) return 1;
  const res2 = await fetch(`${args.url}/api/v1/accountActiveOrders?account_index=${account}&market_id=0`, {
    headers: { Authorization: token },
  });
  const body2 = await res2.json();
  out({ step: 'after_cancel', http: res2.status, count: (body2.orders || []).length });
  return 0;
}

main().then((code) => process.exit(code), (e) => {
  out({ step: 'error', error: String(e && e.stack || e) });
  process.exit(1);
});
