#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <utility>

namespace larder::util {

namespace detail {

// Sorts all[base, base + n) as far as positions first..last of `all` need.
template <typename T, typename Cmp>
void pqsort_range(std::span<T> all, std::ptrdiff_t base, std::ptrdiff_t n, std::ptrdiff_t first,
                  std::ptrdiff_t last, Cmp& cmp) {
  using std::swap;
  const auto at = [&](std::ptrdiff_t i) -> T& { return all[static_cast<std::size_t>(base + i)]; };
  const auto c = [&](std::ptrdiff_t i, std::ptrdiff_t j) { return cmp(at(i), at(j)); };
  const auto med3 = [&](std::ptrdiff_t a, std::ptrdiff_t b, std::ptrdiff_t d) {
    return c(a, b) < 0 ? (c(b, d) < 0 ? b : (c(a, d) < 0 ? d : a)) : (c(b, d) > 0 ? b : (c(a, d) < 0 ? a : d));
  };
  const auto vecswap = [&](std::ptrdiff_t i, std::ptrdiff_t j, std::ptrdiff_t count) {
    for (std::ptrdiff_t k = 0; k < count; ++k) swap(at(i + k), at(j + k));
  };
  // Whether all[from, from + count) holds any of the positions wanted.
  const auto wanted = [&](std::ptrdiff_t from, std::ptrdiff_t count) { return last >= from && first < from + count; };
  for (;;) {
    if (n < 7) {  // insertion sort
      for (std::ptrdiff_t m = 1; m < n; ++m) {
        for (std::ptrdiff_t l = m; l > 0 && c(l - 1, l) > 0; --l) swap(at(l), at(l - 1));
      }
      return;
    }
    std::ptrdiff_t pm = n / 2;
    if (n > 7) {
      std::ptrdiff_t pl = 0, pn = n - 1;
      if (n > 40) {  // the ninther
        const std::ptrdiff_t d = n / 8;
        pl = med3(pl, pl + d, pl + 2 * d);
        pm = med3(pm - d, pm, pm + d);
        pn = med3(pn - 2 * d, pn - d, pn);
      }
      pm = med3(pl, pm, pn);
    }
    swap(at(0), at(pm));
    // Split-end partitioning: equal keys gather at both ends, then move to
    // the middle.
    std::ptrdiff_t pa = 1, pb = 1, pc = n - 1, pd = n - 1;
    for (;;) {
      int r;
      while (pb <= pc && (r = c(pb, 0)) <= 0) {
        if (r == 0) swap(at(pa++), at(pb));
        ++pb;
      }
      while (pb <= pc && (r = c(pc, 0)) >= 0) {
        if (r == 0) swap(at(pc), at(pd--));
        --pc;
      }
      if (pb > pc) break;
      swap(at(pb++), at(pc--));
    }
    std::ptrdiff_t r = std::min(pa, pb - pa);
    vecswap(0, pb - r, r);
    r = std::min(pd - pc, n - pd - 1);
    vecswap(pb, n - r, r);
    if ((r = pb - pa) > 1 && wanted(base, r)) pqsort_range(all, base, r, first, last, cmp);
    if ((r = pd - pc) <= 1) return;
    base += n - r;  // iterate on the right-hand partition
    n = r;
    if (!wanted(base, n)) return;
  }
}

}  // namespace detail

// Redis's pqsort: the BSD quicksort (Bentley and McIlroy, "Engineering a Sort
// Function", 1993) that skips the partitions outside [first, last]. Those
// positions end up holding what a full sort puts there, and elements that
// compare equal end up where this algorithm leaves them, which replies show:
// Redis's GEOSEARCH ... COUNT picks among equally distant points this way.
// `cmp(a, b)` answers <0, 0 or >0. Requires first <= last < v.size().
template <typename T, typename Cmp>
void pqsort(std::span<T> v, std::size_t first, std::size_t last, Cmp cmp) {
  detail::pqsort_range(v, 0, static_cast<std::ptrdiff_t>(v.size()), static_cast<std::ptrdiff_t>(first),
                       static_cast<std::ptrdiff_t>(last), cmp);
}

}  // namespace larder::util
