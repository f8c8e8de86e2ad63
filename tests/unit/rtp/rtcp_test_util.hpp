// Helpers shared by the RTCP tests: framing one packet, building into a buffer, reading test data files.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "rtp/rtcp/compound.hpp"

namespace medley::rtp::rtcp::test {

using Bytes = std::vector<uint8_t>;

// Frames a buffer holding exactly one packet.
inline PacketView frame(const Bytes& b) {
  CompoundReader r(b);
  auto v = r.next_view();
  EXPECT_TRUE(v.has_value()) << to_string(r.error());
  EXPECT_FALSE(r.next_view().has_value());
  return v.value_or(PacketView{});
}

// Runs write(ByteWriter&) -> bool into a large buffer and returns what it wrote (empty on failure).
template <class F>
Bytes build(F&& write, size_t capacity = 2048) {
  Bytes out(capacity);
  base::ByteWriter w(out);
  if (!write(w) || !w.ok()) return {};
  out.resize(w.size());
  return out;
}

inline Bytes read_data(const std::string& name) {
  std::ifstream in(std::string(MEDLEY_TEST_DATA) + "/rtcp/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace medley::rtp::rtcp::test

