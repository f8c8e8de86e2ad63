// EBML (RFC 8794) encoding for the Matroska writer: element IDs, variable-size integers and elements appended to a
// caller-owned byte vector, which keeps its capacity between uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "rtp/base/bytes.hpp"

namespace medley::mux::ebml {

// RFC 8794 section 6.2: a size of all ones means "unknown"; we always write it 8 bytes long.
constexpr uint64_t kMaxSize = (uint64_t{1} << 56) - 2;
constexpr size_t kUnknownSizeLength = 8;

size_t id_length(uint32_t id);        // 1..4, from the ID's own leading bits
size_t size_length(uint64_t size);    // the shortest vint for size (1..8)
size_t uint_length(uint64_t v);       // bytes of an unsigned integer element's payload (1..8)
// Bytes of a whole element (ID, size, payload) whose payload is n bytes.
inline size_t element_length(uint32_t id, uint64_t n) { return id_length(id) + size_length(n) + n; }

// Appends EBML to a vector. Masters are opened with an 8-byte size placeholder and shrunk to the shortest size
// when closed (the body moves back), so callers never compute sizes ahead.
class Appender {
 public:
  explicit Appender(std::vector<uint8_t>& out) : out_(out) {}

  size_t size() const { return out_.size(); }

  void id(uint32_t id);
  void vint(uint64_t value, size_t length = 0);  // length 0 = shortest
  void unknown_size();
  void raw(base::Bytes b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void u8(uint8_t v) { out_.push_back(v); }
  void be16(uint16_t v);

  void uint_element(uint32_t id, uint64_t v);
  void uint_element_fixed8(uint32_t id, uint64_t v);  // always an 8-byte payload (patched later in place)
  void float_element(uint32_t id, double v);          // 8-byte IEEE 754 payload
  void string_element(uint32_t id, std::string_view s);
  void binary_element(uint32_t id, base::Bytes b);
  // A Void element of exactly total bytes (total >= 2): reserved room for a later patch.
  void void_element(size_t total);

  size_t open_master(uint32_t id);  // returns a token for close_master
  // Returns the length of the size field written (the body now starts at token + that length).
  size_t close_master(size_t token);

 private:
  std::vector<uint8_t>& out_;
};

// Writes the 8-byte big-endian bit pattern of v into p (an EBML float payload).
void store_double(uint8_t* p, double v);

}  // namespace medley::mux::ebml
