// Helpers shared by the payload format tests: captured packets on disk, and packetize/depacketize loops.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "rtp/payload/h264.hpp"
#include "rtp/payload/payload.hpp"

namespace medley::rtp::test {

inline std::vector<uint8_t> read_data(const std::string& relative) {
  std::ifstream in(std::string(MEDLEY_TEST_DATA) + "/payload/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Packet {
  std::vector<uint8_t> payload;
  bool marker = false;
};

// A captured RTP datagram (ffmpeg: version 2, no CSRC, no extension, no padding) reduced to its payload.
inline Packet read_rtp(const std::string& relative) {
  std::vector<uint8_t> d = read_data(relative);
  Packet p;
  if (d.size() < 12 || d[0] != 0x80) {
    ADD_FAILURE() << relative << " is not a plain RTP packet";
    return p;
  }
  p.marker = (d[1] & 0x80) != 0;
  p.payload.assign(d.begin() + 12, d.end());
  return p;
}

inline std::vector<Packet> read_rtp_series(const std::string& prefix, int count) {
  std::vector<Packet> out;
  for (int i = 0; i < count; ++i) out.push_back(read_rtp(prefix + "_" + std::to_string(i) + ".bin"));
  return out;
}

// Runs a packetizer over one frame; each payload is written into a buffer of exactly max_payload bytes.
inline std::vector<Packet> packetize(Packetizer& p, const base::EncodedFrame& frame, size_t max_payload) {
  std::vector<Packet> out;
  EXPECT_TRUE(p.begin(frame, max_payload));
  std::vector<uint8_t> buf(max_payload);
  bool marker = false;
  while (auto n = p.next(buf, marker)) {
    EXPECT_LE(*n, max_payload);
    out.push_back({std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n)), marker});
    if (out.size() > 100000) break;  // a runaway packetizer fails below instead of hanging
  }
  return out;
}

// Feeds payloads in order; fails the test at the first rejected one.
inline base::EncodedFrame depacketize(Depacketizer& d, const std::vector<Packet>& packets) {
  base::EncodedFrame frame;
  for (size_t i = 0; i < packets.size(); ++i) {
    EXPECT_TRUE(d.inspect(packets[i].payload).has_value()) << "packet " << i;
    EXPECT_TRUE(d.append(packets[i].payload, frame)) << "packet " << i;
  }
  return frame;
}

inline void expect_marker_only_on_last(const std::vector<Packet>& packets) {
  for (size_t i = 0; i < packets.size(); ++i) EXPECT_EQ(packets[i].marker, i + 1 == packets.size()) << "packet " << i;
}

inline std::vector<uint8_t> pattern(size_t n, uint8_t seed = 1) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed;
  for (auto& b : v) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return v;
}

// Rewrites an Annex B stream with four-byte start codes, the form the H.264 depacketizer produces (x264 writes
// some three-byte ones).
inline std::vector<uint8_t> annex_b_4byte(const std::vector<uint8_t>& stream) {
  std::vector<base::Bytes> nals;
  EXPECT_TRUE(h264::split_annex_b(stream, nals));
  std::vector<uint8_t> out;
  for (auto n : nals) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), n.begin(), n.end());
  }
  return out;
}

}  // namespace medley::rtp::test
