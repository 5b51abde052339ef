// node-redis (redis@5) against Larder: node node_redis.mjs <default|resp3>
//
//   default  no RESP option: node-redis 5 speaks RESP2 and sends no HELLO
//            (CLIENT SETNAME, SELECT, CLIENT SETINFO at connect).
//   resp3    RESP: 3: HELLO 3 SETNAME <name> at connect.
import { createClient, WatchError } from 'redis';
import {
  assert, assertTtl, clientErrors, FakeDb, parseInfo, portFromEnv, recordClientError, runSteps, fail,
} from './common.mjs';

const MODES = {
  default: { options: {}, protocol: 2 },
  resp3: { options: { RESP: 3 }, protocol: 3 },
};

const mode = process.argv[2] ?? 'default';
const cfg = MODES[mode];
if (!cfg) fail(`unknown mode ${mode}; one of ${Object.keys(MODES).join(', ')}`);
const port = portFromEnv();
const NAME = `node-redis-${mode}`;


function client(extra = {}) {
  const c = createClient({
    socket: { host: '127.0.0.1', port, connectTimeout: 2000, reconnectStrategy: false },
    disableOfflineQueue: true,
    ...cfg.options,
    ...extra,
  });
  c.on('error', (err) => recordClientError(extra.name ?? 'client', err));
  return c;
}

let r; // main client
let other; // second client (concurrent writer)
const db = new FakeDb();

async function cachedUser(id) {
  const key = `cache:user:${id}`;
  const hit = await r.get(key);
  if (hit !== null) return { value: JSON.parse(hit), hit: true };
  const row = await db.load(`user:${id}`);
  if (row !== null) assert.equal(await r.set(key, row, { expiration: { type: 'EX', value: 60 } }), 'OK');
  return { value: row === null ? null : JSON.parse(row), hit: false };
}

await runSteps(NAME, [
  ['connect with client name', async () => {
    r = client({ name: `${NAME}-main` });
    await r.connect();
    assert.ok(r.isReady);
    assert.equal(await r.clientGetName(), `${NAME}-main`);
    assert.equal(await r.ping(), 'PONG');
    assert.equal(await r.flushAll(), 'OK');
  }],

  ['negotiated protocol (CLIENT INFO resp=, raw CONFIG GET shape)', async () => {
    const info = await r.clientInfo();
    assert.equal(info.name, `${NAME}-main`, `CLIENT INFO: ${JSON.stringify(info)}`);
    assert.equal(info.resp, cfg.protocol,
      `expected RESP${cfg.protocol}, CLIENT INFO says resp=${info.resp}`);
    // Raw replies keep the wire shape: a RESP3 map becomes an object.
    const raw = await r.sendCommand(['CONFIG', 'GET', 'maxmemory']);
    if (cfg.protocol === 3) {
      assert.deepEqual({ ...raw }, { maxmemory: '0' }, `raw RESP3 CONFIG GET: ${JSON.stringify(raw)}`);
      assert.ok(!Array.isArray(raw), 'RESP3 CONFIG GET should be a map, got an array');
    } else {
      assert.deepEqual(raw, ['maxmemory', '0']);
    }
  }],

  ['INFO and CONFIG GET', async () => {
    await r.set('info:probe', '1');
    const info = parseInfo(await r.info());
    assert.ok(info.server?.redis_version, `INFO has no server.redis_version: ${JSON.stringify(info.server)}`);
    assert.match(info.keyspace?.db0 ?? '', /^keys=1,expires=0/, `INFO keyspace: ${JSON.stringify(info.keyspace)}`);
    const ks = parseInfo(await r.info('keyspace'));
    assert.ok(ks.keyspace && !ks.server, `INFO keyspace returned other sections: ${Object.keys(ks)}`);
    assert.deepEqual({ ...(await r.configGet('maxmemory')) }, { maxmemory: '0' });
    assert.equal(await r.del('info:probe'), 1);
  }],

  ['cache-aside: miss, SET EX, hit, DEL on update', async () => {
    assert.equal(await r.get('cache:user:7'), null);
    let res = await cachedUser(7);
    assert.deepEqual(res, { value: { id: 7, name: 'name-7' }, hit: false });
    assert.equal(db.reads, 1);
    assertTtl(await r.ttl('cache:user:7'), 58, 60, 'cache entry');
    res = await cachedUser(7);
    assert.deepEqual(res, { value: { id: 7, name: 'name-7' }, hit: true });
    assert.equal(db.reads, 1);
    db.rows.set('user:7', JSON.stringify({ id: 7, name: 'renamed' }));
    assert.equal(await r.del('cache:user:7'), 1);
    assert.equal(await r.exists('cache:user:7'), 0);
    res = await cachedUser(7);
    assert.deepEqual(res, { value: { id: 7, name: 'renamed' }, hit: false });
    assert.equal(db.reads, 2);
    assert.deepEqual(await cachedUser(999), { value: null, hit: false });
    assert.equal(await r.exists('cache:user:999'), 0);
  }],

  ['pipeline warming (execAsPipeline and auto-pipelined Promise.all)', async () => {
    const m = r.multi();
    for (let i = 0; i < 500; i++) m.set(`warm:${i}`, `v${i}`, { EX: 600 });
    const out = await m.execAsPipeline();
    assert.equal(out.length, 500);
    assert.ok(out.every((x) => x === 'OK'), `pipeline SET replies: ${[...new Set(out)]}`);
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, n) => Promise.all([r.get(`warm:${n * 5}`), r.ttl(`warm:${n * 5}`)])));
    replies.forEach(([v, ttl], n) => {
      assert.equal(v, `v${n * 5}`);
      assertTtl(ttl, 598, 600, `warm:${n * 5}`);
    });
    assert.equal(await r.dbSize(), 501);
  }],

  ['pattern invalidation: SCAN MATCH + UNLINK/DEL', async () => {
    const m = r.multi();
    for (let i = 0; i < 120; i++) {
      m.set(`cache:product:${i}`, `p${i}`, { EX: 300 });
      m.set(`cache:order:${i}`, `o${i}`, { EX: 300 });
    }
    await m.execAsPipeline();
    const seen = new Set();
    for await (const keys of r.scanIterator({ MATCH: 'cache:product:*', COUNT: 25 })) {
      for (const k of keys) seen.add(k);
      if (keys.length) await r.unlink(keys);
    }
    assert.equal(seen.size, 120, `SCAN found ${seen.size} of 120 product keys`);
    for (const k of seen) assert.match(k, /^cache:product:\d+$/);
    let cursor = '0';
    let deleted = 0;
    do {
      const reply = await r.scan(cursor, { MATCH: 'cache:order:1*', COUNT: 50 });
      cursor = reply.cursor;
      if (reply.keys.length) deleted += await r.del(reply.keys);
    } while (cursor !== '0');
    assert.equal(deleted, 31, 'cache:order:1* keys deleted');
    assert.equal(await r.exists(['cache:product:5', 'cache:product:119']), 0);
    assert.equal(await r.exists(['cache:order:2', 'cache:order:99']), 2);
    assert.equal(await r.dbSize(), 590);
  }],

  ['MULTI/EXEC transaction', async () => {
    const out = await r.multi()
      .set('tx:a', '1')
      .incrBy('tx:a', 41)
      .get('tx:a')
      .expire('tx:a', 100)
      .exec();
    assert.deepEqual(out, ['OK', 42, '42', 1]);
    assertTtl(await r.ttl('tx:a'), 99, 100, 'tx:a');
    await r.set('tx:s', 'not-a-number');
    await assert.rejects(r.multi().incr('tx:s').set('tx:b', 'x').exec(), (err) => {
      // node-redis rejects with MultiErrorReply, keeping the other replies
      assert.equal(err.constructor.name, 'MultiErrorReply', String(err));
      assert.equal(err.replies[1], 'OK');
      assert.match(String(err.replies[0]), /not an integer/);
      return true;
    });
    assert.equal(await r.get('tx:b'), 'x');
  }],

  ['WATCH: concurrent modification aborts EXEC (WatchError), retry succeeds', async () => {
    other = client({ name: `${NAME}-other` });
    await other.connect();
    await r.set('stock', '10');
    let attempts = 0;
    let result = null;
    while (result === null && attempts < 5) {
      attempts++;
      assert.equal(await r.watch('stock'), 'OK');
      const stock = Number(await r.get('stock'));
      if (attempts === 1) assert.equal(await other.decrBy('stock', 3), 7); // concurrent buyer
      try {
        result = await r.multi().set('stock', String(stock - 1)).exec();
        if (attempts === 1) assert.fail(`EXEC after a concurrent write succeeded: ${JSON.stringify(result)}`);
      } catch (err) {
        if (!(err instanceof WatchError)) throw err;
        assert.equal(attempts, 1, 'WatchError without a concurrent write');
      }
    }
    assert.equal(attempts, 2);
    assert.deepEqual(result, ['OK']);
    assert.equal(await r.get('stock'), '6');
    await r.watch('stock');
    assert.equal(await r.unwatch(), 'OK');
    await other.set('stock', '100');
    assert.deepEqual(await r.multi().incr('stock').exec(), [101]);
  }],

  ['INCR/INCRBY/INCRBYFLOAT/DECR', async () => {
    assert.equal(await r.incr('counter'), 1);
    assert.equal(await r.incrBy('counter', 10), 11);
    assert.equal(await r.decr('counter'), 10);
    assert.equal(await r.decrBy('counter', 4), 6);
    assert.equal(String(await r.incrByFloat('counter', 1.5)), '7.5');
    await assert.rejects(r.incr('cache:order:2'), /not an integer/);
  }],

  ['MSET/MGET', async () => {
    assert.equal(await r.mSet({ 'm:a': '1', 'm:b': 'two', 'm:c': '' }), 'OK');
    assert.deepEqual(await r.mGet(['m:a', 'm:b', 'm:c', 'm:missing']), ['1', 'two', '', null]);
    assert.equal(await r.mSet([['m:a', 'x'], ['m:d', 'y']]), 'OK');
    assert.deepEqual(await r.mGet(['m:a', 'm:d']), ['x', 'y']);
  }],

  ['TTL checks', async () => {
    await r.set('t:plain', 'v');
    assert.equal(await r.ttl('t:plain'), -1);
    assert.equal(await r.ttl('t:missing'), -2);
    assert.equal(await r.pTTL('t:missing'), -2);
    assert.equal(await r.setEx('t:ex', 100, 'v'), 'OK');
    assertTtl(await r.ttl('t:ex'), 99, 100, 't:ex');
    assert.equal(await r.expire('t:plain', 50), 1);
    assertTtl(await r.ttl('t:plain'), 49, 50, 't:plain');
    assert.equal(await r.persist('t:plain'), 1);
    assert.equal(await r.ttl('t:plain'), -1);
    assert.equal(await r.pExpire('t:plain', 300000), 1);
    assertTtl(await r.pTTL('t:plain'), 299000, 300000, 't:plain pttl');
    // PX 500: the NX SET must still find it on a loaded machine.
    assert.equal(await r.set('t:short', 'v', { PX: 500 }), 'OK');
    assert.equal(await r.set('t:short', 'w', { PX: 500, NX: true }), null);
    await new Promise((res) => setTimeout(res, 700));
    assert.equal(await r.get('t:short'), null, 'key with PX 500 still there after 700 ms');
    assert.equal(await r.exists('t:short'), 0);
  }],

  ['stream work queue: XADD MAXLEN ~, blocking XREADGROUP, XACK, a crashed worker\'s jobs retried', async () => {
    // node-redis 5 marks XREAD/XREADGROUP's RESP3 reply unstable: in RESP3 the
    // read goes through sendCommand and its map is read as it comes.
    const resp3 = cfg.protocol === 3;
    const read = (c, consumer, block) => (resp3
      ? c.sendCommand(['XREADGROUP', 'GROUP', 'workers', consumer, 'COUNT', '10', 'BLOCK', String(block),
        'STREAMS', 'jobs', '>'])
      : c.xReadGroup('workers', consumer, { key: 'jobs', id: '>' }, { COUNT: 10, BLOCK: block }));
    const entries = (reply) => {
      if (reply === null) return null;
      if (resp3) {
        const raw = reply instanceof Map ? reply.get('jobs') : reply.jobs;
        return raw.map(([id, fv]) => [String(id), Object.fromEntries(
          fv.map(String).reduce((acc, x, i, all) => (i % 2 ? acc : [...acc, [x, all[i + 1]]]), []))]);
      }
      assert.equal(reply.length, 1);
      assert.equal(reply[0].name, 'jobs');
      return reply[0].messages.map((m) => [m.id, { ...m.message }]);
    };
    assert.equal(await r.xGroupCreate('jobs', 'workers', '$', { MKSTREAM: true }), 'OK');
    const worker = client({ name: `${NAME}-worker` });
    await worker.connect();
    // A worker blocks for work; a producer's XADD on another connection wakes it.
    const waiting = read(worker, 'w1', 5000);
    await new Promise((res) => setTimeout(res, 100));
    const id1 = await other.xAdd('jobs', '*', { job: 'resize', img: '1' },
      { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: 1000 } });
    assert.match(id1, /^\d+-\d+$/);
    assert.deepEqual(entries(await waiting), [[id1, { job: 'resize', img: '1' }]]);
    assert.equal(await worker.xAck('jobs', 'workers', id1), 1);
    assert.equal(entries(await read(worker, 'w1', 50)), null, 'nothing left: the read times out');
    // A worker that crashes after reading leaves its jobs pending; another retries them.
    const id2 = await r.xAdd('jobs', '*', { job: 'email', to: 'a' });
    const id3 = await r.xAdd('jobs', '*', { job: 'email', to: 'b' });
    assert.deepEqual(entries(await read(r, 'crashed', 100)).map(([id]) => id), [id2, id3]);
    const summary = await r.xPending('jobs', 'workers');
    assert.equal(summary.pending, 2);
    assert.deepEqual(summary.consumers.map((c) => [c.name, c.deliveriesCounter]), [['crashed', 2]]);
    const claimed = await worker.xAutoClaim('jobs', 'workers', 'w1', 0, '0-0');
    assert.equal(claimed.nextId, '0-0');
    assert.deepEqual(claimed.messages.map((m) => [m.id, { ...m.message }]),
      [[id2, { job: 'email', to: 'a' }], [id3, { job: 'email', to: 'b' }]]);
    assert.deepEqual(claimed.deletedMessages, []);
    const ranges = await r.xPendingRange('jobs', 'workers', '-', '+', 10);
    assert.deepEqual(ranges.map((p) => [p.id, p.consumer, p.deliveriesCounter]), [[id2, 'w1', 2], [id3, 'w1', 2]]);
    assert.equal(await worker.xAck('jobs', 'workers', [id2, id3]), 2);
    assert.equal((await r.xPending('jobs', 'workers')).pending, 0);
    assert.equal(await r.xLen('jobs'), 3);
    assert.deepEqual((await r.xRange('jobs', '-', '+', { COUNT: 1 })).map((m) => m.id), [id1]);
    assert.equal(await worker.quit(), 'OK');
  }],

  ['SELECT another database', async () => {
    const d1 = client({ name: `${NAME}-db1`, database: 1 });
    await d1.connect();
    assert.equal(await d1.dbSize(), 0);
    assert.equal(await d1.set('only-in-1', 'one'), 'OK');
    assert.equal(await r.exists('only-in-1'), 0);
    await r.select(1);
    assert.equal(await r.get('only-in-1'), 'one');
    await r.select(2);
    assert.equal(await r.get('only-in-1'), null);
    await r.select(0);
    assert.equal(await r.get('counter'), '7.5');
    await assert.rejects(r.select(99999), /DB index is out of range/);
    assert.equal(await d1.quit(), 'OK');
  }],

  ['SUBSCRIBE / PSUBSCRIBE / PUBLISH', async () => {
    const sub = client({ name: `${NAME}-sub` });
    await sub.connect();
    const got = [];
    let done;
    const all = new Promise((res) => { done = res; });
    const note = (entry) => { got.push(entry); if (got.length === 3) done(); };
    await sub.subscribe(['news', 'alerts'], (message, channel) => note(['message', channel, message]));
    await sub.pSubscribe('news.*', (message, channel) => note(['pmessage', channel, message]));
    assert.deepEqual({ ...(await r.pubSubNumSub(['news', 'none'])) }, { news: 1, none: 0 });
    assert.equal(await r.pubSubNumPat(), 1);
    assert.deepEqual((await r.pubSubChannels('n*')).sort(), ['news']);
    assert.equal(await r.publish('news', 'first'), 1);
    assert.equal(await r.publish('news.tech', 'second'), 1);
    assert.equal(await r.publish('alerts', 'third'), 1);
    assert.equal(await r.publish('nobody', 'x'), 0);
    await all;
    assert.deepEqual(got, [
      ['message', 'news', 'first'],
      ['pmessage', 'news.tech', 'second'],
      ['message', 'alerts', 'third'],
    ]);
    await sub.unsubscribe('news');
    await sub.pUnsubscribe('news.*');
    assert.equal(await r.publish('news', 'gone'), 0);
    assert.equal(await r.publish('alerts', 'still'), 1);
    await sub.unsubscribe('alerts');
    sub.destroy();
  }],

  ['clean disconnect (QUIT)', async () => {
    for (const c of [other, r]) {
      const ended = new Promise((res) => c.once('end', res));
      assert.equal(await c.quit(), 'OK');
      await ended;
      assert.equal(c.isOpen, false);
    }
    assert.deepEqual(clientErrors, [], 'unexpected client error events');
  }],
]);
process.exit(0);
