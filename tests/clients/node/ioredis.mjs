// ioredis (v6) against Larder: node ioredis.mjs <default|resp2|resp3>
//
//   default  no protocol option: ioredis 6 sends HELLO 3 (falling back to
//            RESP2 only if the server does not know HELLO); the test expects
//            RESP3 to be negotiated.
//   resp2    protocol: 2 (no HELLO; CLIENT SETNAME, INFO ready check).
//   resp3    protocol: 3 with replyMapping "resp3" (maps become objects).
//
// Each connection also runs ioredis's INFO ready check and CLIENT SETINFO
// (errors of the latter are ignored by ioredis).
import Redis from 'ioredis';
import {
  assert, assertTtl, clientErrors, FakeDb, parseClientInfo, parseInfo, portFromEnv, recordClientError, runSteps, fail,
} from './common.mjs';

const MODES = {
  default: { options: {}, protocol: 3, mapping: 'legacy' },
  resp2: { options: { protocol: 2 }, protocol: 2, mapping: 'legacy' },
  resp3: { options: { protocol: 3, replyMapping: 'resp3' }, protocol: 3, mapping: 'resp3' },
};

const mode = process.argv[2] ?? 'default';
const cfg = MODES[mode];
if (!cfg) fail(`unknown mode ${mode}; one of ${Object.keys(MODES).join(', ')}`);
const port = portFromEnv();
const NAME = `ioredis-${mode}`;

const clients = [];

function connect(extra = {}) {
  const r = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null, // no reconnects: a dropped connection is a failure
    enableReadyCheck: true,
    ...cfg.options,
    ...extra,
  });
  r.on('error', (err) => recordClientError(extra.connectionName ?? 'client', err));
  clients.push(r);
  return r;
}

let r; // main client
let other; // second client (concurrent writer)
const db = new FakeDb();

async function cachedUser(id) {
  const key = `cache:user:${id}`;
  const hit = await r.get(key);
  if (hit !== null) return { value: JSON.parse(hit), hit: true };
  const row = await db.load(`user:${id}`);
  if (row !== null) assert.equal(await r.set(key, row, 'EX', 60), 'OK');
  return { value: row === null ? null : JSON.parse(row), hit: false };
}

await runSteps(NAME, [
  ['connect with client name (HELLO/SETNAME, INFO ready check)', async () => {
    r = connect({ connectionName: `${NAME}-main` });
    await r.connect();
    assert.equal(r.status, 'ready');
    assert.equal(await r.client('GETNAME'), `${NAME}-main`);
    assert.equal(await r.ping(), 'PONG');
    assert.equal(await r.flushall(), 'OK');
  }],

  ['negotiated protocol (CLIENT INFO resp=)', async () => {
    const info = parseClientInfo(await r.client('INFO'));
    assert.equal(info.name, `${NAME}-main`, `CLIENT INFO name: ${JSON.stringify(info)}`);
    assert.equal(Number(info.resp), cfg.protocol,
      `expected RESP${cfg.protocol} to be negotiated, CLIENT INFO says resp=${info.resp}`);
  }],

  ['INFO and CONFIG GET', async () => {
    await r.set('info:probe', '1');
    const info = parseInfo(await r.info());
    assert.ok(info.server?.redis_version, `INFO has no server.redis_version: ${JSON.stringify(info.server)}`);
    assert.match(info.keyspace?.db0 ?? '', /^keys=1,expires=0/, `INFO keyspace: ${JSON.stringify(info.keyspace)}`);
    const conf = await r.config('GET', 'maxmemory');
    if (cfg.mapping === 'resp3') {
      assert.deepEqual(conf, { maxmemory: '0' }, 'RESP3 map reply for CONFIG GET');
    } else {
      assert.deepEqual(conf, ['maxmemory', '0'], 'flat array reply for CONFIG GET');
    }
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
    // update: write the database, delete the cache entry
    db.rows.set('user:7', JSON.stringify({ id: 7, name: 'renamed' }));
    assert.equal(await r.del('cache:user:7'), 1);
    assert.equal(await r.exists('cache:user:7'), 0);
    res = await cachedUser(7);
    assert.deepEqual(res, { value: { id: 7, name: 'renamed' }, hit: false });
    assert.equal(db.reads, 2);
    // not in the database: nothing cached
    assert.deepEqual(await cachedUser(999), { value: null, hit: false });
    assert.equal(await r.exists('cache:user:999'), 0);
  }],

  ['pipeline warming (SET EX, then GET/TTL)', async () => {
    let p = r.pipeline();
    for (let i = 0; i < 500; i++) p.set(`warm:${i}`, `v${i}`, 'EX', 600);
    let out = await p.exec();
    assert.equal(out.length, 500);
    for (const [err, res] of out) {
      assert.equal(err, null);
      assert.equal(res, 'OK');
    }
    p = r.pipeline();
    for (let i = 0; i < 500; i += 5) p.get(`warm:${i}`).ttl(`warm:${i}`);
    out = await p.exec();
    for (let n = 0, i = 0; i < 500; i += 5, n += 2) {
      assert.deepEqual(out[n], [null, `v${i}`]);
      assert.equal(out[n + 1][0], null);
      assertTtl(out[n + 1][1], 598, 600, `warm:${i}`);
    }
    assert.equal(await r.dbsize(), 501); // 500 warm keys + cache:user:7
  }],

  ['pattern invalidation: SCAN MATCH + UNLINK/DEL', async () => {
    const p = r.pipeline();
    for (let i = 0; i < 120; i++) {
      p.set(`cache:product:${i}`, `p${i}`, 'EX', 300);
      p.set(`cache:order:${i}`, `o${i}`, 'EX', 300);
    }
    await p.exec();
    const seen = new Set();
    const stream = r.scanStream({ match: 'cache:product:*', count: 25 });
    for await (const keys of stream) {
      for (const k of keys) seen.add(k);
      if (keys.length) await r.unlink(...keys);
    }
    assert.equal(seen.size, 120, `SCAN found ${seen.size} of 120 product keys`);
    for (const k of seen) assert.match(k, /^cache:product:\d+$/);
    // manual SCAN loop + DEL for the other family
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', 'cache:order:1*', 'COUNT', 50);
      assert.equal(typeof next, 'string');
      cursor = next;
      if (keys.length) deleted += await r.del(...keys);
    } while (cursor !== '0');
    assert.equal(deleted, 1 + 10 + 20, 'cache:order:1* keys deleted'); // 1, 10-19, 100-119
    assert.equal(await r.exists('cache:product:5', 'cache:product:119'), 0);
    assert.equal(await r.exists('cache:order:2', 'cache:order:99'), 2);
    assert.equal(await r.dbsize(), 501 + 120 - 31);
  }],

  ['MULTI/EXEC transaction', async () => {
    const out = await r.multi()
      .set('tx:a', '1')
      .incrby('tx:a', 41)
      .get('tx:a')
      .expire('tx:a', 100)
      .exec();
    assert.deepEqual(out, [[null, 'OK'], [null, 42], [null, '42'], [null, 1]]);
    assertTtl(await r.ttl('tx:a'), 99, 100, 'tx:a');
    // a command that fails at EXEC time does not abort the others
    await r.set('tx:s', 'not-a-number');
    const out2 = await r.multi().incr('tx:s').set('tx:b', 'x').exec();
    assert.ok(out2[0][0] instanceof Error, `INCR on a string inside EXEC: ${JSON.stringify(out2)}`);
    assert.match(out2[0][0].message, /not an integer/);
    assert.deepEqual(out2[1], [null, 'OK']);
    // DISCARD
    assert.equal(await r.multi({ pipeline: false }), 'OK');
    assert.equal(await r.set('tx:discarded', 'x'), 'QUEUED');
    assert.equal(await r.discard(), 'OK');
    assert.equal(await r.exists('tx:discarded'), 0);
  }],

  ['WATCH: concurrent modification makes EXEC return null, retry succeeds', async () => {
    other = connect({ connectionName: `${NAME}-other` });
    await other.connect();
    await r.set('stock', '10');
    let attempts = 0;
    let result = null;
    while (result === null && attempts < 5) {
      attempts++;
      assert.equal(await r.watch('stock'), 'OK');
      const stock = Number(await r.get('stock'));
      if (attempts === 1) assert.equal(await other.decrby('stock', 3), 7); // concurrent buyer
      result = await r.multi().set('stock', String(stock - 1)).exec();
      if (attempts === 1) assert.equal(result, null, `EXEC after a concurrent write: ${JSON.stringify(result)}`);
    }
    assert.equal(attempts, 2);
    assert.deepEqual(result, [[null, 'OK']]);
    assert.equal(await r.get('stock'), '6');
    // UNWATCH: a later write no longer aborts the transaction
    await r.watch('stock');
    assert.equal(await r.unwatch(), 'OK');
    await other.set('stock', '100');
    assert.deepEqual(await r.multi().incr('stock').exec(), [[null, 101]]);
  }],

  ['INCR/INCRBY/INCRBYFLOAT/DECR', async () => {
    assert.equal(await r.incr('counter'), 1);
    assert.equal(await r.incrby('counter', 10), 11);
    assert.equal(await r.decr('counter'), 10);
    assert.equal(await r.decrby('counter', 4), 6);
    assert.equal(await r.incrbyfloat('counter', '1.5'), '7.5');
    await assert.rejects(r.incr('cache:order:2'), /not an integer/);
  }],

  ['MSET/MGET', async () => {
    assert.equal(await r.mset({ 'm:a': '1', 'm:b': 'two', 'm:c': '' }), 'OK');
    assert.deepEqual(await r.mget('m:a', 'm:b', 'm:c', 'm:missing'), ['1', 'two', '', null]);
    assert.equal(await r.mset('m:a', 'x', 'm:d', 'y'), 'OK');
    assert.deepEqual(await r.mget(['m:a', 'm:d']), ['x', 'y']);
    const buf = await r.mgetBuffer('m:b');
    assert.ok(Buffer.isBuffer(buf[0]) && buf[0].toString() === 'two');
  }],

  ['TTL checks', async () => {
    await r.set('t:plain', 'v');
    assert.equal(await r.ttl('t:plain'), -1);
    assert.equal(await r.ttl('t:missing'), -2);
    assert.equal(await r.pttl('t:missing'), -2);
    assert.equal(await r.setex('t:ex', 100, 'v'), 'OK');
    assertTtl(await r.ttl('t:ex'), 99, 100, 't:ex');
    assert.equal(await r.expire('t:plain', 50), 1);
    assertTtl(await r.ttl('t:plain'), 49, 50, 't:plain');
    assert.equal(await r.persist('t:plain'), 1);
    assert.equal(await r.ttl('t:plain'), -1);
    assert.equal(await r.pexpire('t:plain', 300000), 1);
    assertTtl(await r.pttl('t:plain'), 299000, 300000, 't:plain pttl');
    // PX 500: the NX SET must still find it on a loaded machine.
    assert.equal(await r.set('t:short', 'v', 'PX', 500), 'OK');
    assert.equal(await r.set('t:short', 'w', 'PX', 500, 'NX'), null);
    await new Promise((res) => setTimeout(res, 700));
    assert.equal(await r.get('t:short'), null, 'key with PX 500 still there after 700 ms');
    assert.equal(await r.exists('t:short'), 0);
  }],

  ['defineCommand Lua scripts (EVALSHA, NOSCRIPT then EVAL, pipelines)', async () => {
    r.defineCommand('getOrSetEx', {
      numberOfKeys: 1,
      lua: "local v = redis.call('GET', KEYS[1]) if v then return v end "
        + "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return ARGV[1]",
    });
    r.defineCommand('incrWindow', {
      numberOfKeys: 1,
      lua: "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n",
    });
    assert.equal(await r.getOrSetEx('lua:k', 'first', 60), 'first');
    assert.equal(await r.getOrSetEx('lua:k', 'second', 60), 'first');
    assertTtl(await r.ttl('lua:k'), 59, 60, 'lua:k');
    assert.equal(await r.script('FLUSH'), 'OK'); // the next call meets NOSCRIPT and falls back to EVAL
    assert.equal(await r.incrWindow('lua:rate', 10), 1);
    assert.equal(await r.incrWindow('lua:rate', 10), 2);
    assertTtl(await r.ttl('lua:rate'), 9, 10, 'lua:rate');
    const res = await r.pipeline().incrWindow('lua:rate', 10).getOrSetEx('lua:k', 'x', 5).exec();
    assert.deepEqual(res, [[null, 3], [null, 'first']]);
    await assert.rejects(r.eval("return redis.call('INCR', KEYS[1])", 1, 'lua:k'), /value is not an integer/);
    assert.deepEqual(await r.eval('return {KEYS[1], ARGV[1], 3}', 1, 'k', 'a'), ['k', 'a', 3]);
  }],

  ['SELECT another database', async () => {
    const d1 = connect({ connectionName: `${NAME}-db1`, db: 1 });
    await d1.connect();
    assert.equal(await d1.dbsize(), 0);
    assert.equal(await d1.set('only-in-1', 'one'), 'OK');
    assert.equal(await r.exists('only-in-1'), 0);
    assert.equal(await r.select(1), 'OK');
    assert.equal(await r.get('only-in-1'), 'one');
    assert.equal(await r.select(2), 'OK');
    assert.equal(await r.get('only-in-1'), null);
    assert.equal(await r.select(0), 'OK');
    assert.equal(await r.get('counter'), '7.5');
    await assert.rejects(r.select(99999), /DB index is out of range/);
    assert.equal(await d1.quit(), 'OK');
  }],

  ['SUBSCRIBE / PSUBSCRIBE / PUBLISH', async () => {
    const sub = connect({ connectionName: `${NAME}-sub` });
    await sub.connect();
    const got = [];
    const all = new Promise((res) => {
      const note = (entry) => { got.push(entry); if (got.length === 3) res(); };
      sub.on('message', (channel, message) => note(['message', channel, message]));
      sub.on('pmessage', (pattern, channel, message) => note(['pmessage', pattern, channel, message]));
    });
    assert.equal(await sub.subscribe('news', 'alerts'), 2);
    assert.equal(await sub.psubscribe('news.*'), 3);
    assert.deepEqual(await r.pubsub('NUMSUB', 'news', 'none'), ['news', 1, 'none', 0]);
    assert.equal(await r.pubsub('NUMPAT'), 1);
    assert.equal(await r.publish('news', 'first'), 1);
    assert.equal(await r.publish('news.tech', 'second'), 1);
    assert.equal(await r.publish('alerts', 'third'), 1);
    assert.equal(await r.publish('nobody', 'x'), 0);
    await all;
    assert.deepEqual(got, [
      ['message', 'news', 'first'],
      ['pmessage', 'news.*', 'news.tech', 'second'],
      ['message', 'alerts', 'third'],
    ]);
    assert.equal(await sub.unsubscribe('news'), 2);
    assert.equal(await sub.punsubscribe('news.*'), 1);
    assert.equal(await r.publish('news', 'gone'), 0);
    assert.equal(await sub.quit(), 'OK');
  }],

  ['clean disconnect (QUIT)', async () => {
    for (const c of [other, r]) {
      const ended = new Promise((res) => c.once('end', res));
      assert.equal(await c.quit(), 'OK');
      await ended;
      assert.equal(c.status, 'end');
    }
    assert.deepEqual(clientErrors, [], 'unexpected client error events');
  }],
]);
process.exit(0);
