#pragma once
// The bytes a compact encoding edits in place: an entry's inline value (the
// Db write handle) or a std::string (building a value, tests). An edit is one
// splice, so the owner reallocates and moves bytes once per edit.

#include <cstddef>
#include <string>
#include <string_view>

namespace larder::storage {

class SpliceBuffer {
 public:
  virtual std::string_view view() const = 0;
  virtual char* data() = 0;
  // Replaces bytes [pos, pos + remove) with `insert`, which must not point
  // into this buffer. Throws std::bad_alloc and leaves the bytes as they were
  // when growing fails.
  virtual void splice(std::size_t pos, std::size_t remove, std::string_view insert) = 0;

 protected:
  ~SpliceBuffer() = default;
};

class StringSpliceBuffer final : public SpliceBuffer {
 public:
  explicit StringSpliceBuffer(std::string& bytes) : bytes_(bytes) {}
  std::string_view view() const override { return bytes_; }
  char* data() override { return bytes_.data(); }
  void splice(std::size_t pos, std::size_t remove, std::string_view insert) override {
    bytes_.replace(pos, remove, insert);
  }

 private:
  std::string& bytes_;
};

}  // namespace larder::storage
