#include "larder/storage/eviction.h"

#include <algorithm>
#include <array>

#include "larder/util/prefetch.h"

namespace larder::storage {

namespace {

// How many buckets a sample may walk through to find its entries.
constexpr std::size_t kBucketsPerSample = 4;

struct PolicyName {
  std::string_view name;
  EvictionPolicy policy;
};

constexpr std::array<PolicyName, 11> kPolicies{{
    {"noeviction", EvictionPolicy::kNoEviction},
    {"allkeys-lru", EvictionPolicy::kAllKeysLru},
    {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
    {"allkeys-random", EvictionPolicy::kAllKeysRandom},
    {"allkeys-sieve", EvictionPolicy::kAllKeysSieve},
    {"allkeys-tinylfu", EvictionPolicy::kAllKeysTinyLfu},
    {"volatile-lru", EvictionPolicy::kVolatileLru},
    {"volatile-lfu", EvictionPolicy::kVolatileLfu},
    {"volatile-random", EvictionPolicy::kVolatileRandom},
    {"volatile-ttl", EvictionPolicy::kVolatileTtl},
    {"volatile-tinylfu", EvictionPolicy::kVolatileTinyLfu},
}};

bool volatile_only(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl ||
         p == EvictionPolicy::kVolatileTinyLfu;
}

// Offers `keep` entries of `table` from a random bucket on until it accepted
// `n` of them or kBucketsPerSample * n buckets were walked; no entry twice.
// With `sparse` (a volatile policy, whose keys may be few among many) a walk
// that found none goes on over the whole table, as Redis samples its
// expires dict. Returns how many it accepted.
template <class Keep>
std::size_t sample(const Table& table, std::size_t n, std::uint64_t start, bool sparse, Keep&& keep) {
  std::size_t found = 0;
  auto visit = [&](const Entry& e) {
    if (keep(e)) ++found;
    return found < n;
  };
  const std::size_t walked = std::min(n * kBucketsPerSample, table.bucket_count());
  table.visit_from(start, walked, visit);
  if (found == 0 && sparse) table.visit_from(start + walked, table.bucket_count() - walked, visit);
  return found;
}

}  // namespace

std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name) {
  for (const auto& p : kPolicies) {
    if (p.name == name) return p.policy;
  }
  return std::nullopt;
}

AccessMode access_mode_for(EvictionPolicy policy) {
  switch (policy) {
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return AccessMode::kLfu;
    case EvictionPolicy::kAllKeysSieve:
      return AccessMode::kSieve;
    case EvictionPolicy::kAllKeysTinyLfu:
    case EvictionPolicy::kVolatileTinyLfu:
      return AccessMode::kTinyLfu;
    default:
      return AccessMode::kLru;
  }
}

Evictor::Evictor(Keyspace& keyspace) : keyspace_(keyspace), rng_(std::random_device{}()) {}

std::size_t Evictor::random_shard() { return rng_() % kShardCount; }

Evictor::SampleStart Evictor::next_sample_start() {
  if (!keyspace_.single_owner()) return {random_shard(), rng_()};
  if (!ahead_drawn_) {
    for (SampleStart& a : ahead_) a = {random_shard(), rng_()};
    ahead_drawn_ = true;
  }
  const SampleStart now = ahead_[0];
  std::copy(ahead_.begin() + 1, ahead_.end(), ahead_.begin());
  ahead_.back() = {random_shard(), rng_()};
  // Each step reads only what the step before fetched one eviction ago.
  static_assert(kLookahead == 3, "one step per upcoming sample");
  Shard& far = keyspace_.shard(ahead_[2].shard);
  util::prefetch_read(&far);  // its first line holds database 0's table
  util::prefetch_read(&far.sketch());
  keyspace_.shard(ahead_[1].shard).table(0).prefetch_slots(ahead_[1].bucket);
  keyspace_.shard(ahead_[0].shard).table(0).prefetch_heads(ahead_[0].bucket);
  return now;
}

bool Evictor::evict_one(std::int64_t now_ms, const EvictionSettings& settings) {
  switch (settings.policy) {
    case EvictionPolicy::kNoEviction:
      return false;
    case EvictionPolicy::kAllKeysRandom:
    case EvictionPolicy::kVolatileRandom:
      return evict_random(now_ms, volatile_only(settings.policy));
    case EvictionPolicy::kAllKeysSieve:
      return evict_sieve(now_ms, settings);
    case EvictionPolicy::kAllKeysTinyLfu:
    case EvictionPolicy::kVolatileTinyLfu:
      return evict_tinylfu(now_ms, settings);
    default:
      break;
  }
  // Sampled policies, as Redis: every eviction adds fresh samples to the pool,
  // then takes its best; stale candidates (deleted or changed since they were
  // sampled) are skipped.
  for (int attempt = 0; attempt < 16; ++attempt) {
    fill_pool(now_ms, settings);
    while (!pool_.empty()) {
      Candidate best = std::move(pool_.back());
      pool_.pop_back();
      if (delete_key(best.db, best.key, Table::hash_of(best.key), volatile_only(settings.policy), now_ms)) {
        return true;
      }
    }
  }
  return false;
}

void Evictor::fill_pool(std::int64_t now_ms, const EvictionSettings& settings) {
  const bool only_volatile = volatile_only(settings.policy);
  const std::uint32_t lru_now = static_cast<std::uint32_t>(now_ms / 1000) & 0xffffff;
  // `samples` entries per refill, as Redis takes per eviction: from shards
  // in turn from a random one (each entry is a cache miss, so no more).
  const std::size_t wanted = static_cast<std::size_t>(settings.samples);
  std::size_t found = 0;
  const SampleStart from = next_sample_start();
  for (std::size_t n = 0; n < kShardCount && found < wanted; ++n) {
    Shard& shard = keyspace_.shard((from.shard + n) % kShardCount);
    const auto lock = keyspace_.lock_shard(shard);
    for (int db = 0; db < shard.table_count() && found < wanted; ++db) {
      Table& table = shard.table(db);
      if (table.size() == 0 || (only_volatile && table.volatile_count() == 0)) continue;
      const std::uint64_t start = n == 0 && db == 0 ? from.bucket : rng_();
      found += sample(table, wanted - found, start, only_volatile, [&](const Entry& e) {
        if (only_volatile && !e.has_expire()) return false;
        std::uint64_t score = 0;
        switch (settings.policy) {
          case EvictionPolicy::kAllKeysLru:
          case EvictionPolicy::kVolatileLru:
            score = (lru_now - e.access()) & 0xffffff;
            break;
          case EvictionPolicy::kAllKeysLfu:
          case EvictionPolicy::kVolatileLfu:
            score = 255 - lfu::decayed(e.access(), now_ms, settings.lfu_decay_time);
            break;
          case EvictionPolicy::kVolatileTtl:
            score = UINT64_MAX - static_cast<std::uint64_t>(e.expire_at());
            break;
          default:
            break;
        }
        for (const Candidate& c : pool_) {
          if (c.entry == &e) return true;
        }
        if (pool_.size() >= kPoolSize) {
          if (score <= pool_.front().score) return true;
          pool_.erase(pool_.begin());
        }
        auto at = std::lower_bound(pool_.begin(), pool_.end(), score,
                                   [](const Candidate& c, std::uint64_t s) { return c.score < s; });
        pool_.insert(at, Candidate{score, db, std::string(e.key()), &e});
        return true;
      });
    }
  }
}

bool Evictor::delete_key(int db, const std::string& key, std::uint64_t hash, bool only_volatile,
                         std::int64_t now_ms, Area area) {
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  const auto lock = keyspace_.lock_shard(shard);
  Table& table = shard.table(db);
  Entry* e = table.find(key, hash);
  if (e == nullptr || (only_volatile && !e->has_expire())) return false;
  if (area != Area::kAny && e->in_window() != (area == Area::kWindow)) return false;
  if (e->expired(now_ms)) {
    ++shard.stats().expired_keys;
  } else {
    ++shard.stats().evicted_keys;
    keyspace_.before_change(db, *e);
    if (area == Area::kWindow) ++shard.stats().evicted_window_keys;
    if (area == Area::kMain) ++shard.stats().evicted_main_keys;
  }
  shard.touch(db, key);
  keyspace_.key_events().emit(e->expired(now_ms) ? KeyEvent::kExpired : KeyEvent::kEvicted, db, key);
  table.remove(key, hash);
  return true;
}

bool Evictor::evict_random(std::int64_t now_ms, bool only_volatile) {
  const std::size_t first = random_shard();
  for (std::size_t n = 0; n < kShardCount; ++n) {
    Shard& shard = keyspace_.shard((first + n) % kShardCount);
    std::string key;
    int victim_db = -1;
    {
      const auto lock = keyspace_.lock_shard(shard);
      const int databases = shard.table_count();
      const int start = static_cast<int>(rng_() % static_cast<std::uint64_t>(databases));
      for (int i = 0; i < databases && victim_db < 0; ++i) {
        const int db = (start + i) % databases;
        Table& table = shard.table(db);
        if (table.size() == 0 || (only_volatile && table.volatile_count() == 0)) continue;
        sample(table, 1, rng_(), only_volatile, [&](const Entry& e) {
          if (only_volatile && !e.has_expire()) return false;
          key = e.key();
          victim_db = db;
          return true;
        });
      }
    }
    if (victim_db >= 0 && delete_key(victim_db, key, Table::hash_of(key), only_volatile, now_ms)) return true;
  }
  return false;
}

// SIEVE over a sample: the oldest inserted entry that was not visited since
// the hand last passed it is the victim; visited entries older than it lose
// their mark (the hand passes them), as SIEVE's hand does along its queue.
bool Evictor::evict_sieve(std::int64_t now_ms, const EvictionSettings& settings) {
  const std::size_t first = random_shard();
  for (std::size_t n = 0; n < 2 * kShardCount; ++n) {
    const bool last_lap = n >= kShardCount;  // every mark was cleared once: take the oldest
    Shard& shard = keyspace_.shard((first + n) % kShardCount);
    const auto lock = keyspace_.lock_shard(shard);
    const int databases = shard.table_count();
    const int start = static_cast<int>(rng_() % static_cast<std::uint64_t>(databases));
    for (int i = 0; i < databases; ++i) {
      const int db = (start + i) % databases;
      Table& table = shard.table(db);
      if (table.size() == 0) continue;
      std::vector<Entry*> picked;
      const std::size_t n = static_cast<std::size_t>(settings.samples) * 2;
      sample(table, n, rng_(), false, [&](const Entry& e) {
        picked.push_back(const_cast<Entry*>(&e));
        return true;
      });
      if (picked.empty()) continue;
      // Walk the sample in queue order from the shard's hand (oldest first,
      // wrapping): visited entries lose their mark, the first unvisited one
      // is the victim and the hand stops there.
      const std::uint32_t hand = shard.sieve_hand();
      auto distance = [&](const Entry* e) { return (e->access() - hand) & 0xffffff; };
      std::sort(picked.begin(), picked.end(), [&](auto* a, auto* b) { return distance(a) < distance(b); });
      Entry* victim = nullptr;
      for (Entry* e : picked) {
        if (!e->visited()) {
          victim = e;
          break;
        }
        e->set_visited(false);
      }
      if (victim == nullptr) {
        shard.set_sieve_hand(picked.back()->access() + 1);
        if (!last_lap) continue;
        victim = picked.front();
      }
      shard.set_sieve_hand(victim->access());
      std::string key(victim->key());
      if (victim->expired(now_ms)) {
        ++shard.stats().expired_keys;
      } else {
        ++shard.stats().evicted_keys;
        keyspace_.before_change(db, *victim);
      }
      shard.touch(db, key);
      keyspace_.key_events().emit(victim->expired(now_ms) ? KeyEvent::kExpired : KeyEvent::kEvicted, db, key);
      table.remove(key, Table::hash_of(key));
      return true;
    }
  }
  return false;
}

std::size_t Evictor::window_target() {
  if (until_recount_ == 0) {
    total_keys_ = 0;
    for (std::size_t i = 0; i < kShardCount; ++i) {
      Shard& shard = keyspace_.shard(i);
      const auto lock = keyspace_.lock_shard(shard);
      for (int db = 0; db < shard.table_count(); ++db) total_keys_ += shard.table(db).size();
    }
    until_recount_ = kRecountEvery;
  }
  --until_recount_;
  const std::uint32_t period = keyspace_.contest_log().period_scaled();
  // At the longest period the share is 3%, so it needs no lower bound.
  static_assert(kWindowScale * ContestLog::kPeriodScale / ContestLog::kMaxPeriod >= 1);
  const std::size_t percent = std::min<std::size_t>(kWindowScale * ContestLog::kPeriodScale / period,
                                                    kMaxWindowPercent);
  return std::clamp(total_keys_ * percent / 100, kMinWindow, kMaxWindow);
}

bool Evictor::main_victim(std::int64_t now_ms, const EvictionSettings& settings) {
  const bool only_volatile = volatile_only(settings.policy);
  const std::uint32_t lru_now = static_cast<std::uint32_t>(now_ms / 1000) & 0xffffff;
  const std::size_t wanted = static_cast<std::size_t>(settings.samples);
  std::size_t found = 0;
  const SampleStart from = next_sample_start();
  for (std::size_t n = 0; n < kShardCount && found < wanted; ++n) {
    Shard& shard = keyspace_.shard((from.shard + n) % kShardCount);
    const auto lock = keyspace_.lock_shard(shard);
    for (int db = 0; db < shard.table_count() && found < wanted; ++db) {
      Table& table = shard.table(db);
      if (table.size() == 0 || (only_volatile && table.volatile_count() == 0)) continue;
      // Sampled first, scored after, so that their sketch reads overlap.
      sampled_.clear();
      const std::uint64_t start = n == 0 && db == 0 ? from.bucket : rng_();
      // No walk on for sparse volatile keys here: volatile_count() counts
      // the window's keys too, which this sample rejects, so a table whose
      // TTL keys are all in the window would be walked whole every contest.
      sample(table, wanted - found, start, false, [&](const Entry& e) {
        if (e.in_window() || (only_volatile && !e.has_expire())) return false;
        const std::uint64_t hash = Table::hash_of(e.key());
        shard.sketch().prefetch(hash);
        sampled_.push_back({&e, hash});
        return true;
      });
      for (const auto& [e, hash] : sampled_) {
        const std::uint32_t count = shard.sketch().frequency(hash);
        const std::uint64_t score = (std::uint64_t{FrequencySketch::kMaxCount - count} << 24) |
                                    ((lru_now - e->access()) & 0xffffff);
        if (found == 0 || score > victim_.score) {
          victim_.score = score;
          victim_.db = db;
          victim_.hash = hash;
          victim_.key.assign(e->key());
        }
        ++found;
      }
    }
  }
  return found > 0;
}

// W-TinyLFU (eviction.h). Keys leave the window oldest first while it is
// over its target; a key found gone or rewritten since it entered is skipped.
bool Evictor::evict_tinylfu(std::int64_t now_ms, const EvictionSettings& settings) {
  const bool only_volatile = volatile_only(settings.policy);
  AdmissionWindow& window = keyspace_.admission_window();
  const std::size_t target = window_target();
  // The window's key `hash` leaves it: gone (deleted or rewritten since),
  // joined the main area (when `join_main`, or not evictable under a
  // volatile policy), or to meet the main area's victim (its database, key
  // and sketch count are set).
  enum class Left { kGone, kJoinedMain, kContest };
  auto join_main_area = [](Shard& shard, Entry& e) {
    e.set_in_window(false);
    ++shard.stats().window_promoted_keys;
  };
  auto leave_window = [&](std::uint64_t hash, bool join_main, int& db, std::string& key, std::uint32_t& count) {
    Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
    const auto lock = keyspace_.lock_shard(shard);
    // Any database: SWAPDB and MOVE take keys along with their window bit.
    for (db = 0; db < shard.table_count(); ++db) {
      Entry* e = shard.table(db).find_in_bucket(
          hash, [&](const Entry& x) { return x.in_window() && Table::hash_of(x.key()) == hash; });
      if (e == nullptr) continue;
      if (join_main || (only_volatile && !e->has_expire())) {
        join_main_area(shard, *e);
        return Left::kJoinedMain;
      }
      key = e->key();
      count = shard.sketch().frequency(hash);
      return Left::kContest;
    }
    return Left::kGone;
  };
  auto promote = [&](int db, const std::string& key, std::uint64_t hash) {
    Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
    const auto lock = keyspace_.lock_shard(shard);
    if (Entry* e = shard.table(db).find(key, hash); e != nullptr && e->in_window()) join_main_area(shard, *e);
  };
  if (keyspace_.single_owner()) {
    // Keys usually leave the window one per eviction, oldest first: fetch
    // one step of each of the next three's lookups (as next_sample_start).
    auto owner = [&](std::uint64_t hash) -> Shard& { return keyspace_.shard(Keyspace::shard_index(hash)); };
    if (const auto h = window.peek(3)) util::prefetch_read(&owner(*h));
    if (const auto h = window.peek(2)) owner(*h).table(0).prefetch_bucket(*h);
    if (const auto h = window.peek(1)) owner(*h).table(0).prefetch_head(*h);
  }
  bool drained = false;
  while (window.size() > target) {
    const std::optional<std::uint64_t> hash = window.pop();
    if (!hash) break;
    // Over its target by more than the key just written, the window grew
    // while the cache was not full (or maxmemory fell): one key per call
    // joins the main area without a contest, as in a cache that is not full
    // yet, so the window shrinks by one key per eviction down to its target.
    // At its largest target the window's oldest key joins the main area
    // without a contest too (see kMaxWindow).
    const bool join_main = !drained && (window.size() > target || target == kMaxWindow);
    int db = 0;
    std::string key;
    std::uint32_t count = 0;
    const Left left = leave_window(*hash, join_main, db, key, count);
    if (left != Left::kContest) {
      drained = drained || (join_main && left == Left::kJoinedMain);
      continue;
    }
    // An empty main area takes the key without a contest, as a cache that
    // is not full yet.
    const bool found = main_victim(now_ms, settings);
    Shard& shard = keyspace_.shard(Keyspace::shard_index(*hash));
    if (!found || count > FrequencySketch::kMaxCount - (victim_.score >> 24)) {
      promote(db, key, *hash);
      if (found && delete_key(victim_.db, victim_.key, victim_.hash, only_volatile, now_ms, Area::kMain)) {
        keyspace_.contest_log().record(victim_.hash, *hash, false);
        return true;
      }
      continue;
    }
    if (delete_key(db, key, *hash, only_volatile, now_ms, Area::kWindow)) {
      keyspace_.contest_log().record(*hash, victim_.hash, true);
      const auto lock = keyspace_.lock_shard(shard);
      ++shard.stats().window_rejected_keys;
      return true;
    }
  }
  if (main_victim(now_ms, settings) &&
      delete_key(victim_.db, victim_.key, victim_.hash, only_volatile, now_ms, Area::kMain)) {
    return true;
  }
  // Only window keys are left: the oldest goes.
  while (const std::optional<std::uint64_t> hash = window.pop()) {
    int db = 0;
    std::string key;
    std::uint32_t count = 0;
    if (leave_window(*hash, false, db, key, count) == Left::kContest &&
        delete_key(db, key, *hash, only_volatile, now_ms, Area::kWindow)) {
      return true;
    }
  }
  return false;
}

}  // namespace larder::storage
