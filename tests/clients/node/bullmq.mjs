// BullMQ (a job queue built on Lua scripts, streams, sorted sets and lists)
// against Larder in its default configuration: node bullmq.mjs default
//
// Jobs are added, processed and completed; a delayed job runs only after its
// delay; a job that fails is retried with backoff and then completes; a job
// that keeps failing ends up failed after its attempts; the queue's counts and
// its events stream agree.
import { Queue, QueueEvents, Worker } from 'bullmq';
import { assert, fail, portFromEnv, recordClientError, runSteps } from './common.mjs';

const mode = process.argv[2] ?? 'default';
if (mode !== 'default') fail(`unknown mode ${mode}; only default`);
const port = portFromEnv();
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };

let queue;
let events;
let worker;
const processed = [];
let flakyAttempts = 0;
const finished = new Map(); // jobId -> 'completed' | 'failed'

function waitFor(predicate, what) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - t0 > 10000) return reject(new Error(`waited too long for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

await runSteps(`bullmq-${mode}`, [
  ['queue, events and worker connect', async () => {
    queue = new Queue('larder-jobs', { connection });
    queue.on('error', (e) => recordClientError('queue', e));
    events = new QueueEvents('larder-jobs', { connection });
    events.on('error', (e) => recordClientError('events', e));
    events.on('completed', ({ jobId }) => finished.set(jobId, 'completed'));
    events.on('failed', ({ jobId }) => finished.set(jobId, 'failed'));
    await events.waitUntilReady();
    worker = new Worker('larder-jobs', async (job) => {
      if (job.name === 'flaky' && ++flakyAttempts < 2) throw new Error('first attempt fails');
      if (job.name === 'doomed') throw new Error('always fails');
      processed.push(job.name);
      return { doubled: job.data.n * 2 };
    }, { connection, concurrency: 2 });
    worker.on('error', (e) => recordClientError('worker', e));
    await worker.waitUntilReady();
  }],
  ['a job is processed and its result kept', async () => {
    const job = await queue.add('plain', { n: 21 });
    await waitFor(() => finished.get(job.id) === 'completed', 'plain to complete');
    const done = await queue.getJob(job.id);
    assert.deepEqual(done.returnvalue, { doubled: 42 });
    assert.equal(await done.getState(), 'completed');
  }],
  ['a delayed job waits for its delay', async () => {
    const t0 = Date.now();
    const job = await queue.add('delayed', { n: 1 }, { delay: 600 });
    assert.equal(await job.getState(), 'delayed');
    await waitFor(() => finished.get(job.id) === 'completed', 'delayed to complete');
    assert.ok(Date.now() - t0 >= 550, `delayed job ran after ${Date.now() - t0} ms`);
  }],
  ['a failing job is retried, then completes', async () => {
    const job = await queue.add('flaky', { n: 3 }, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
    await waitFor(() => finished.get(job.id) === 'completed', 'flaky to complete');
    assert.equal(flakyAttempts, 2);
    assert.equal((await queue.getJob(job.id)).attemptsMade, 2);
  }],
  ['a job that keeps failing ends up failed', async () => {
    const job = await queue.add('doomed', { n: 4 }, { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    await waitFor(() => finished.get(job.id) === 'failed', 'doomed to fail');
    const failed = await queue.getJob(job.id);
    assert.equal(failed.failedReason, 'always fails');
    assert.equal(failed.attemptsMade, 2);
  }],
  ['counts add up', async () => {
    const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'waiting', 'active');
    assert.deepEqual(counts, { completed: 3, failed: 1, delayed: 0, waiting: 0, active: 0 });
    assert.deepEqual(processed.sort(), ['delayed', 'flaky', 'plain']);
  }],
  ['close', async () => {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }],
]);
process.exit(0);
