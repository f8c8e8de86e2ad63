// Tests for RTX wrap/unwrap (RFC 4588) with byte-exact packets.
#include "rtp/rtx.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/header_extensions.hpp"
#include "rtp/packet_writer.hpp"

using namespace medley;
using namespace medley::rtp;
using ::testing::ElementsAreArray;

namespace {
// V=2 P=0 X=1 CC=1 | M=1 PT=96 | seq 0x1234 | ts 0xdeadbeef | ssrc 0x11111111 | csrc 0x22222222 |
// one-byte extension block (0xBEDE, 1 word): id 3 len 1 value 0xab 0xcd, one padding byte | payload "media"
const std::vector<uint8_t> kOriginal = {
    0x91, 0xe0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
    0xbe, 0xde, 0x00, 0x01, 0x31, 0xab, 0xcd, 0x00, 'm',  'e',  'd',  'i',  'a'};
// The RTX packet for it: PT 97, seq 0x0007, ssrc 0x33333333, same CSRC and extensions, OSN 0x1234, payload.
const std::vector<uint8_t> kRtx = {
    0x91, 0xe1, 0x00, 0x07, 0xde, 0xad, 0xbe, 0xef, 0x33, 0x33, 0x33, 0x33, 0x22, 0x22, 0x22, 0x22,
    0xbe, 0xde, 0x00, 0x01, 0x31, 0xab, 0xcd, 0x00, 0x12, 0x34, 'm',  'e',  'd',  'i',  'a'};
}  // namespace

TEST(Rtx, WrapIsByteExact) {
  auto view = RtpPacketView::parse(kOriginal);
  ASSERT_TRUE(view);
  std::array<uint8_t, 64> out{};
  auto n = rtx_wrap(*view, Ssrc{0x33333333}, PayloadType{97}, 7, out);
  ASSERT_TRUE(n);
  EXPECT_THAT(std::vector<uint8_t>(out.begin(), out.begin() + static_cast<long>(*n)), ElementsAreArray(kRtx));
}

TEST(Rtx, UnwrapRestoresOriginal) {
  auto view = RtpPacketView::parse(kRtx);
  ASSERT_TRUE(view);
  std::array<uint8_t, 64> out{};
  auto n = rtx_unwrap(*view, Ssrc{0x11111111}, PayloadType{96}, out);
  ASSERT_TRUE(n);
  EXPECT_THAT(std::vector<uint8_t>(out.begin(), out.begin() + static_cast<long>(*n)), ElementsAreArray(kOriginal));
}

TEST(Rtx, PaddingIsDroppedOnWrap) {
  std::vector<uint8_t> padded = kOriginal;
  padded[0] |= 0x20;
  padded.insert(padded.end(), {0x00, 0x00, 0x03});  // three bytes of padding
  auto view = RtpPacketView::parse(padded);
  ASSERT_TRUE(view);
  std::array<uint8_t, 64> out{};
  auto n = rtx_wrap(*view, Ssrc{0x33333333}, PayloadType{97}, 7, out);
  ASSERT_TRUE(n);
  EXPECT_THAT(std::vector<uint8_t>(out.begin(), out.begin() + static_cast<long>(*n)), ElementsAreArray(kRtx));
}

TEST(Rtx, PaddingOnlyProbeHasNothingToUnwrap) {
  // An RTX probe: header + padding only (libwebrtc sends these for bandwidth probing).
  const std::vector<uint8_t> probe = {0xa0, 0x61, 0x00, 0x08, 0, 0, 0, 1, 0x33, 0x33, 0x33, 0x33, 0, 0, 0, 4};
  auto view = RtpPacketView::parse(probe);
  ASSERT_TRUE(view);
  std::array<uint8_t, 64> out{};
  EXPECT_FALSE(rtx_unwrap(*view, Ssrc{1}, PayloadType{96}, out));
}

TEST(Rtx, RefusesSmallOutput) {
  auto view = RtpPacketView::parse(kOriginal);
  ASSERT_TRUE(view);
  std::array<uint8_t, 30> small{};  // needs 31
  EXPECT_FALSE(rtx_wrap(*view, Ssrc{1}, PayloadType{97}, 1, small));
  auto rtx = RtpPacketView::parse(kRtx);
  std::array<uint8_t, 28> small2{};  // needs 29
  EXPECT_FALSE(rtx_unwrap(*rtx, Ssrc{1}, PayloadType{96}, small2));
}
