// Helpers shared by the STUN tests: reading tests/data/stun files, hex, the RFC 5769 parameters.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ice/stun_message.hpp"

namespace medley::ice::test {

inline std::vector<uint8_t> read_stun_data(const std::string& name) {
  const std::string path = std::string(MEDLEY_TEST_DATA) + "/stun/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline base::Bytes bytes_of(std::string_view s) {
  return base::Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// RFC 5769 §2.1-2.3.
inline constexpr std::string_view kRfcPassword = "VOkJxbRl1RmTxUk/WvJxBt";
inline constexpr StunTransactionId kRfcTxid = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
// RFC 5769 §2.4: the username is U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9 in UTF-8; the password after SASLprep.
inline constexpr std::string_view kRfcLongTermUser =
    "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
inline constexpr std::string_view kRfcLongTermRealm = "example.org";
inline constexpr std::string_view kRfcLongTermNonce = "f//499k954d6OL34oL9FSTvy64sA";
inline constexpr std::string_view kRfcLongTermPassword = "TheMatrIX";
inline constexpr StunTransactionId kRfcLongTermTxid = {0x78, 0xad, 0x34, 0x33, 0xc6, 0xad,
                                                       0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};

inline std::optional<StunMessageView> parse_ok(base::Bytes bytes) {
  auto r = StunMessageView::parse(bytes);
  if (!r.ok()) {
    ADD_FAILURE() << "parse: " << to_string(r.error());
    return std::nullopt;
  }
  return *r;
}

}  // namespace medley::ice::test
