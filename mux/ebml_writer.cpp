// EBML element encoding (RFC 8794 sections 4-7): IDs keep their marker bits, sizes are vints, integers big-endian.
#include "mux/ebml_writer.hpp"

#include <bit>
#include <cassert>
#include <cstring>

namespace medley::mux::ebml {

size_t id_length(uint32_t id) {
  if (id >= 0x1000000) return 4;
  if (id >= 0x10000) return 3;
  if (id >= 0x100) return 2;
  return 1;
}

size_t size_length(uint64_t size) {
  // A vint of length L carries 7L bits; the all-ones value is reserved for "unknown" (RFC 8794 6.2).
  for (size_t len = 1; len < 8; ++len) {
    if (size < (uint64_t{1} << (7 * len)) - 1) return len;
  }
  return 8;
}

size_t uint_length(uint64_t v) {
  size_t len = 1;
  while (len < 8 && (v >> (8 * len)) != 0) ++len;
  return len;
}

void Appender::id(uint32_t id) {
  for (size_t i = id_length(id); i > 0; --i) out_.push_back(static_cast<uint8_t>(id >> (8 * (i - 1))));
}

void Appender::vint(uint64_t value, size_t length) {
  if (length == 0) length = size_length(value);
  assert(length >= 1 && length <= 8 && value <= kMaxSize);
  uint64_t coded = value | (uint64_t{1} << (7 * length));
  for (size_t i = length; i > 0; --i) out_.push_back(static_cast<uint8_t>(coded >> (8 * (i - 1))));
}

void Appender::unknown_size() {
  out_.push_back(0x01);
  out_.insert(out_.end(), 7, 0xff);
}

void Appender::be16(uint16_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void Appender::uint_element(uint32_t element, uint64_t v) {
  size_t len = uint_length(v);
  id(element);
  vint(len);
  for (size_t i = len; i > 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * (i - 1))));
}

void Appender::uint_element_fixed8(uint32_t element, uint64_t v) {
  id(element);
  vint(8);
  for (size_t i = 8; i > 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * (i - 1))));
}

void store_double(uint8_t* p, double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  for (size_t i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(bits >> (8 * (7 - i)));
}

void Appender::float_element(uint32_t element, double v) {
  id(element);
  vint(8);
  size_t at = out_.size();
  out_.resize(at + 8);
  store_double(out_.data() + at, v);
}

void Appender::string_element(uint32_t element, std::string_view s) {
  id(element);
  vint(s.size());
  out_.insert(out_.end(), s.begin(), s.end());
}

void Appender::binary_element(uint32_t element, base::Bytes b) {
  id(element);
  vint(b.size());
  raw(b);
}

void Appender::void_element(size_t total) {
  assert(total >= 2);
  // One size byte covers bodies up to 126 bytes; beyond that use an 8-byte size so the total stays exact.
  size_t size_len = total - 1 - 1 <= 126 ? 1 : 8;
  assert(total >= 1 + size_len);
  size_t body = total - 1 - size_len;
  out_.push_back(0xEC);
  vint(body, size_len);
  out_.insert(out_.end(), body, 0);
}

size_t Appender::open_master(uint32_t element) {
  id(element);
  size_t token = out_.size();
  out_.insert(out_.end(), 8, 0);
  return token;
}

size_t Appender::close_master(size_t token) {
  assert(token + 8 <= out_.size());
  uint64_t body = out_.size() - token - 8;
  size_t len = size_length(body);
  uint64_t coded = body | (uint64_t{1} << (7 * len));
  for (size_t i = 0; i < len; ++i) out_[token + i] = static_cast<uint8_t>(coded >> (8 * (len - 1 - i)));
  if (len < 8) {
    std::memmove(out_.data() + token + len, out_.data() + token + 8, body);
    out_.resize(out_.size() - (8 - len));
  }
  return len;
}

}  // namespace medley::mux::ebml
