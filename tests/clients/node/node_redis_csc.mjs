// node-redis 5 client-side caching against Larder: node node_redis_csc.mjs resp3
//
// RESP: 3 with clientSideCache: the client sends CLIENT TRACKING ON at connect,
// serves repeated reads from its local cache, and drops an entry when Larder
// pushes `invalidate`. A value another client changes must be read again, not
// served stale: once a round trip on the caching connection has completed
// after the other client's write (so the push, sent before the write's reply,
// has been read), the next read returns the new value.
import { createClient } from 'redis';
import { assert, clientErrors, fail, parseInfo, portFromEnv, recordClientError, runSteps } from './common.mjs';

const mode = process.argv[2] ?? 'resp3';
if (mode !== 'resp3') fail(`unknown mode ${mode}; only resp3`);
const port = portFromEnv();
const NAME = 'node-redis-csc';

function client(extra = {}) {
  const c = createClient({
    socket: { host: '127.0.0.1', port, connectTimeout: 2000, reconnectStrategy: false },
    disableOfflineQueue: true,
    RESP: 3,
    ...extra,
  });
  c.on('error', (err) => recordClientError(extra.name ?? 'client', err));
  return c;
}

let cached; // with clientSideCache
let writer; // plain client

const hits = () => cached.clientSideCache.stats().hitCount;

await runSteps(NAME, [
  ['connect (CLIENT TRACKING ON at connect)', async () => {
    cached = client({ name: `${NAME}-cached`, clientSideCache: { ttl: 0, maxEntries: 0 } });
    writer = client({ name: `${NAME}-writer` });
    await cached.connect();
    await writer.connect();
    assert.equal(await writer.flushAll(), 'OK');
    const info = parseInfo(await writer.info('clients'));
    assert.equal(info.clients.tracking_clients, '1', `INFO clients: ${JSON.stringify(info.clients)}`);
  }],

  ['a repeated read is served from the local cache', async () => {
    assert.equal(await writer.set('csc:k', 'v1'), 'OK');
    assert.equal(await cached.get('csc:k'), 'v1');
    const before = hits();
    assert.equal(await cached.get('csc:k'), 'v1');
    assert.equal(hits(), before + 1, 'second GET was not a cache hit');
    assert.equal(cached.clientSideCache.size(), 1);
  }],

  ['a value changed by another client is read again, not served stale', async () => {
    for (let i = 2; i <= 20; i++) {
      assert.equal(await writer.set('csc:k', `v${i}`), 'OK');
      assert.equal(await cached.ping(), 'PONG');  // the invalidation came before this reply
      assert.equal(await cached.get('csc:k'), `v${i}`, `stale value in round ${i}`);
      assert.equal(await cached.get('csc:k'), `v${i}`);  // and cached again
    }
  }],

  ['hashes, deletes and expiry', async () => {
    await writer.hSet('csc:h', { a: '1', b: '2' });
    assert.deepEqual({ ...(await cached.hGetAll('csc:h')) }, { a: '1', b: '2' });
    await writer.hSet('csc:h', 'a', '10');
    await cached.ping();
    assert.deepEqual({ ...(await cached.hGetAll('csc:h')) }, { a: '10', b: '2' });
    await writer.del('csc:h');
    await cached.ping();
    assert.deepEqual({ ...(await cached.hGetAll('csc:h')) }, {});
    // PX 500: the GET must still find it on a loaded machine.
    await writer.set('csc:ttl', 'soon', { expiration: { type: 'PX', value: 500 } });
    assert.equal(await cached.get('csc:ttl'), 'soon');
    await new Promise((res) => setTimeout(res, 700));
    assert.equal(await writer.exists('csc:ttl'), 0);  // expired now, by the sweep or this lookup
    await cached.ping();
    assert.equal(await cached.get('csc:ttl'), null);
  }],

  ['FLUSHALL empties the local cache', async () => {
    assert.equal(await cached.get('csc:k'), 'v20');
    assert.ok(cached.clientSideCache.size() > 0);
    assert.equal(await writer.flushAll(), 'OK');
    await cached.ping();
    assert.equal(cached.clientSideCache.size(), 0);
    assert.equal(await cached.get('csc:k'), null);
  }],

  ['its own writes invalidate its cache too', async () => {
    assert.equal(await cached.set('csc:own', 'a'), 'OK');
    assert.equal(await cached.get('csc:own'), 'a');
    assert.equal(await cached.set('csc:own', 'b'), 'OK');
    await cached.ping();
    assert.equal(await cached.get('csc:own'), 'b');
  }],

  ['clean disconnect (QUIT)', async () => {
    for (const c of [writer, cached]) assert.equal(await c.quit(), 'OK');
    assert.deepEqual(clientErrors, [], 'unexpected client error events');
  }],
]);
process.exit(0);
