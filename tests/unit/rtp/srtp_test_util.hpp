// Helpers shared by the SRTP tests: hex, RTP/RTCP packet builders, and session pairs for both backends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/base/bytes.hpp"
#include "rtp/srtp/srtp_session.hpp"

namespace medley::rtp::test {

inline std::vector<uint8_t> unhex(std::string_view s) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : s) {
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (v < 0) continue;  // spaces and line breaks as the RFCs print them
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

inline std::string hex(base::Bytes b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

struct RtpShape {
  uint32_t ssrc = 0x11223344;
  uint16_t seq = 1;
  uint32_t timestamp = 0x01020304;
  uint8_t payload_type = 96;
  size_t payload_len = 160;
  uint8_t csrc_count = 0;
  size_t extension_words = 0;  // 0: no extension; else a one-byte-header (0xBEDE) block of this many words
  uint8_t padding = 0;         // padding bytes at the end (P bit), counted in payload_len's tail
};

// An RTP packet; the vector has kSrtpMaxRtpOverhead spare bytes of capacity in size() beyond the packet.
inline std::vector<uint8_t> make_rtp(const RtpShape& s, uint8_t fill = 0) {
  std::vector<uint8_t> p;
  p.push_back(static_cast<uint8_t>(0x80 | (s.padding ? 0x20 : 0) | (s.extension_words ? 0x10 : 0) | s.csrc_count));
  p.push_back(s.payload_type);
  p.push_back(static_cast<uint8_t>(s.seq >> 8));
  p.push_back(static_cast<uint8_t>(s.seq));
  for (int i = 3; i >= 0; --i) p.push_back(static_cast<uint8_t>(s.timestamp >> (8 * i)));
  for (int i = 3; i >= 0; --i) p.push_back(static_cast<uint8_t>(s.ssrc >> (8 * i)));
  for (uint8_t c = 0; c < s.csrc_count; ++c)
    for (int i = 0; i < 4; ++i) p.push_back(static_cast<uint8_t>(0xC0 + c * 4 + i));
  if (s.extension_words) {
    p.insert(p.end(), {0xBE, 0xDE, static_cast<uint8_t>(s.extension_words >> 8), static_cast<uint8_t>(s.extension_words)});
    for (size_t i = 0; i < s.extension_words * 4; ++i) p.push_back(static_cast<uint8_t>(0x10 + i));
  }
  for (size_t i = 0; i < s.payload_len; ++i) p.push_back(static_cast<uint8_t>(fill + i * 7));
  if (s.padding && s.payload_len >= s.padding) p.back() = s.padding;
  return p;
}

// An RTCP compound: SR (with report_blocks report blocks) + SDES CNAME, sender ssrc.
inline std::vector<uint8_t> make_rtcp(uint32_t ssrc, uint8_t report_blocks = 1) {
  std::vector<uint8_t> p;
  auto u32 = [&](uint32_t v) {
    for (int i = 3; i >= 0; --i) p.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  const uint16_t words = static_cast<uint16_t>(6 + 6 * report_blocks);
  p.insert(p.end(), {static_cast<uint8_t>(0x80 | report_blocks), 200, static_cast<uint8_t>(words >> 8),
                     static_cast<uint8_t>(words)});
  u32(ssrc);
  u32(0xE1234567);  // NTP
  u32(0x89ABCDEF);
  u32(0x00012345);  // RTP ts
  u32(1000);        // packets
  u32(160000);      // octets
  for (uint8_t b = 0; b < report_blocks; ++b) {
    u32(0xA0000000u + b);
    u32(0x01000002);
    u32(0x00010000u + b);
    u32(40);
    u32(0x12345678);
    u32(0x00000100);
  }
  // SDES with one chunk
  p.insert(p.end(), {0x81, 202, 0x00, 0x03});
  u32(ssrc);
  p.insert(p.end(), {1, 5, 'm', 'e', 'd', 'l', 'e', 0});  // CNAME "medle", END
  return p;
}

// Keys for tests: distinct per profile and direction, deterministic.
struct TestKeys {
  std::vector<uint8_t> key;
  std::vector<uint8_t> salt;
  SrtpMasterKey master() const { return {key, salt}; }
};
inline TestKeys test_keys(SrtpProfile p, uint8_t seed) {
  const auto& info = profile_info(p);
  TestKeys k;
  for (size_t i = 0; i < info.master_key_len; ++i) k.key.push_back(static_cast<uint8_t>(seed * 31 + i * 13 + 1));
  for (size_t i = 0; i < info.master_salt_len; ++i) k.salt.push_back(static_cast<uint8_t>(seed * 17 + i * 5 + 3));
  return k;
}

// A sender (outbound only) or receiver (inbound only) session keyed with k.
inline SrtpSession make_sender(SrtpProfile p, SrtpBackend b, const TestKeys& k, size_t window = 1024,
                               size_t max_ssrcs = 64) {
  SrtpConfig c{p, b, window, max_ssrcs};
  auto s = SrtpSession::create(c, k.master(), {});
  if (!s) std::abort();
  return std::move(*s);
}
inline SrtpSession make_receiver(SrtpProfile p, SrtpBackend b, const TestKeys& k, size_t window = 1024,
                                 size_t max_ssrcs = 64) {
  SrtpConfig c{p, b, window, max_ssrcs};
  auto s = SrtpSession::create(c, {}, k.master());
  if (!s) std::abort();
  return std::move(*s);
}

// A packet buffer with room for any SRTP/SRTCP trailer.
struct Packet {
  std::vector<uint8_t> buf;
  size_t len = 0;
  explicit Packet(const std::vector<uint8_t>& bytes) : buf(bytes), len(bytes.size()) {
    buf.resize(len + kSrtpMaxRtcpOverhead, 0xEE);
  }
  base::MutableBytes span() { return buf; }
  std::vector<uint8_t> bytes() const { return {buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(len)}; }
};

}  // namespace medley::rtp::test
