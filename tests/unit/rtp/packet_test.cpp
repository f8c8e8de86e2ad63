// Tests for RtpPacketView, RtpPacketWriter and the in-place rewriters: hand-built RFC 3550/8285 vectors,
// negative cases, round trips, and packets captured from libwebrtc, Chromium and ffmpeg (tests/data/rtp).
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "rtp/packet.hpp"

namespace medley::rtp {
namespace {

using Buf = std::vector<uint8_t>;

ExtensionMap test_map() {
  ExtensionMap m;
  m.register_extension(1, ExtensionType::Mid);
  m.register_extension(3, ExtensionType::AbsSendTime);
  m.register_extension(5, ExtensionType::TransportSequenceNumber);
  m.register_extension(10, ExtensionType::AudioLevel);
  m.register_extension(20, ExtensionType::Rid);
  return m;
}

// RFC 3550 §5.1 header, CSRCs, an RFC 8285 §4.2 one-byte block, payload, RFC 3550 padding.
const Buf kOneBytePacket = {
    0xB2,                    // V=2 P=1 X=1 CC=2
    0xEF,                    // M=1 PT=111
    0x12, 0x34,              // sequence number 0x1234
    0x00, 0x01, 0xE2, 0x40,  // timestamp 123456
    0xDE, 0xAD, 0xBE, 0xEF,  // SSRC
    0x00, 0x00, 0x00, 0x01,  // CSRC 1
    0x00, 0x00, 0x00, 0x02,  // CSRC 2
    0xBE, 0xDE, 0x00, 0x04,  // profile 0xBEDE, 4 words of elements (13 bytes + 3 padding)
    0x32, 0x12, 0x34, 0x56,  // id 3 (abs-send-time) L=2 (3 bytes): 0x123456
    0x51, 0xAB, 0xCD,        // id 5 (transport seq) L=1 (2 bytes): 0xABCD
    0x12, 'a', 'b', 'c',     // id 1 (mid) L=2 (3 bytes): "abc"
    0xA0, 0x85,              // id 10 (audio level) L=0: V=1 level 5
    0x00, 0x00, 0x00,        // element padding to the word boundary (RFC 8285 §4.1)
    0x01, 0x02, 0x03,        // payload
    0x00, 0x00, 0x00, 0x04,  // RTP padding, count 4
};

// RFC 8285 §4.3 two-byte block with a padding byte between elements and a zero-length element.
const Buf kTwoBytePacket = {
    0x90,                    // V=2 P=0 X=1 CC=0
    0x60,                    // M=0 PT=96
    0x00, 0x01,              // sequence number 1
    0x00, 0x00, 0x00, 0x02,  // timestamp 2
    0x00, 0x00, 0x00, 0x03,  // SSRC 3
    0x10, 0x00, 0x00, 0x03,  // profile 0x1000 (appbits 0), 3 words
    0x14, 0x02, 'h', 'i',    // id 20 (rid) length 2: "hi"
    0x00,                    // padding byte
    0x05, 0x00,              // id 5 length 0 (a malformed transport seq: the typed getter refuses it)
    0x03, 0x03, 0x01, 0x02, 0x03,  // id 3 length 3: abs-send-time 0x010203
    0xFF,                    // payload
};

TEST(RtpPacketView, ParsesOneByteVector) {
  auto v = RtpPacketView::parse(kOneBytePacket, test_map());
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->marker());
  EXPECT_EQ(v->payload_type(), PayloadType(111));
  EXPECT_EQ(v->sequence_number(), 0x1234);
  EXPECT_EQ(v->timestamp(), 123456u);
  EXPECT_EQ(v->ssrc(), Ssrc(0xDEADBEEF));
  ASSERT_EQ(v->csrc_count(), 2u);
  EXPECT_EQ(v->csrc(0), Ssrc(1));
  EXPECT_EQ(v->csrc(1), Ssrc(2));
  EXPECT_EQ(v->header_size(), 40u);
  EXPECT_EQ(v->padding_size(), 4u);
  ASSERT_EQ(v->payload_size(), 3u);
  EXPECT_EQ(v->payload()[0], 1);
  EXPECT_EQ(v->payload()[2], 3);
  EXPECT_EQ(v->extension_form(), ExtensionForm::OneByte);
  EXPECT_EQ(v->extension_profile(), 0xBEDE);
  EXPECT_EQ(v->extension_block().size(), 16u);
  EXPECT_EQ(v->abs_send_time(), 0x123456u);
  EXPECT_EQ(v->transport_sequence_number(), 0xABCD);
  EXPECT_EQ(v->mid(), "abc");
  EXPECT_EQ(v->audio_level(), (AudioLevel{true, 5}));
  EXPECT_FALSE(v->rid());
  EXPECT_FALSE(v->video_orientation());
  EXPECT_EQ(v->extension_offset(ExtensionType::AbsSendTime), 25u);
  auto raw = v->extension(uint8_t{5});
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 2u);
  EXPECT_EQ((*raw)[0], 0xAB);
  EXPECT_FALSE(v->extension(uint8_t{7}));

  // Elements in order, padding skipped.
  auto r = v->extension_elements();
  std::vector<uint8_t> ids;
  while (auto e = r.next()) ids.push_back(e->id);
  EXPECT_EQ(ids, (std::vector<uint8_t>{3, 5, 1, 10}));
}

TEST(RtpPacketView, WithoutMapOnlyRawLookupsWork) {
  auto v = RtpPacketView::parse(kOneBytePacket);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->abs_send_time());
  EXPECT_TRUE(v->extension(uint8_t{3}));
}

TEST(RtpPacketView, ParsesTwoByteVector) {
  auto v = RtpPacketView::parse(kTwoBytePacket, test_map());
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->marker());
  EXPECT_EQ(v->payload_type(), PayloadType(96));
  EXPECT_EQ(v->extension_form(), ExtensionForm::TwoByte);
  EXPECT_EQ(v->header_size(), 28u);
  EXPECT_EQ(v->payload_size(), 1u);
  EXPECT_EQ(v->padding_size(), 0u);
  EXPECT_EQ(v->rid(), "hi");
  EXPECT_EQ(v->abs_send_time(), 0x010203u);
  // The zero-length element is there, but is not a transport sequence number; the packet still parses.
  ASSERT_TRUE(v->extension(ExtensionType::TransportSequenceNumber));
  EXPECT_TRUE(v->extension(ExtensionType::TransportSequenceNumber)->empty());
  EXPECT_FALSE(v->transport_sequence_number());
}

TEST(RtpPacketView, TwoByteAppBitsAccepted) {
  Buf p = kTwoBytePacket;
  p[13] = 0x0F;  // profile 0x100F
  auto v = RtpPacketView::parse(p, test_map());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->extension_form(), ExtensionForm::TwoByte);
  EXPECT_EQ(v->extension_profile(), 0x100F);
  EXPECT_EQ(v->rid(), "hi");
}

TEST(RtpPacketView, OtherProfileKeptRaw) {
  const Buf p = {0x90, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
                 0xAB, 0xCD, 0x00, 0x01,  // profile 0xABCD, 1 word
                 0x32, 0x12, 0x34, 0x56,  // would be an element in 0xBEDE, not here
                 0x77};
  auto v = RtpPacketView::parse(p, test_map());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->extension_form(), ExtensionForm::Other);
  EXPECT_EQ(v->extension_profile(), 0xABCD);
  EXPECT_EQ(v->extension_block().size(), 4u);
  EXPECT_EQ(v->extension_block()[0], 0x32);
  EXPECT_FALSE(v->abs_send_time());
  EXPECT_FALSE(v->extension(uint8_t{3}));
  EXPECT_FALSE(v->extension_elements().next());
  EXPECT_EQ(v->payload_size(), 1u);
}

TEST(RtpPacketView, MinimalAndEmptyExtensionBlock) {
  const Buf bare = {0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  auto v = RtpPacketView::parse(bare);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->header_size(), 12u);
  EXPECT_TRUE(v->payload().empty());
  EXPECT_EQ(v->extension_form(), ExtensionForm::None);
  EXPECT_EQ(v->extension_profile(), 0);
  EXPECT_FALSE(v->extension_elements().next());

  const Buf empty_block = {0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x00};
  v = RtpPacketView::parse(empty_block, test_map());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->header_size(), 16u);
  EXPECT_FALSE(v->extension_elements().next());
}

TEST(RtpPacketView, OneByteId15EndsTheList) {
  // RFC 8285 §4.2: id 15 stops processing; what follows is not read even if it looks like an element.
  const Buf p = {0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x02,
                 0x51, 0x00, 0x07,  // id 5: 7
                 0xF0,              // id 15
                 0x32, 0x01, 0x02, 0x03};
  auto v = RtpPacketView::parse(p, test_map());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport_sequence_number(), 7);
  EXPECT_FALSE(v->abs_send_time());
  EXPECT_FALSE(v->extension(uint8_t{3}));
}

TEST(RtpPacketView, OneByteIdZeroWithLengthEndsTheList) {
  const Buf p = {0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x02,
                 0x51, 0x00, 0x07,  // id 5: 7
                 0x03,              // id 0 with a length: not padding, libwebrtc stops here
                 0x32, 0x01, 0x02, 0x03};
  auto v = RtpPacketView::parse(p, test_map());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport_sequence_number(), 7);
  EXPECT_FALSE(v->abs_send_time());
}

TEST(RtpPacketView, DuplicateIdFirstWins) {
  const Buf p = {0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x02,
                 0x51, 0x00, 0x07,  // id 5: 7
                 0x51, 0x00, 0x08,  // id 5 again: 8
                 0x00, 0x00};
  auto v = RtpPacketView::parse(p, test_map());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport_sequence_number(), 7);
  EXPECT_EQ((*v->extension(uint8_t{5}))[1], 7);
}

TEST(RtpPacketView, MalformedElementOnlyFailsItsGetter) {
  const Buf p = {0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x02,
                 0x31, 0x12, 0x34,  // id 3 abs-send-time with 2 bytes instead of 3
                 0x10, 0x00,        // id 1 mid starting with NUL
                 0xA1, 0x01, 0x02,  // id 10 audio level with 2 bytes
                 };
  auto v = RtpPacketView::parse(p, test_map());
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->abs_send_time());
  EXPECT_FALSE(v->mid());
  EXPECT_FALSE(v->audio_level());
  EXPECT_TRUE(v->extension(ExtensionType::AbsSendTime));
}

TEST(RtpPacketView, PaddingExactlyFillsPayloadArea) {
  // A padding-only packet (a bandwidth probe): the whole payload area is padding.
  const Buf p = {0xA0, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x03};
  auto v = RtpPacketView::parse(p);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->padding_size(), 3u);
  EXPECT_TRUE(v->payload().empty());
}

// ---- Negative cases -------------------------------------------------------------------------------------------

TEST(RtpPacketViewRejects, TruncatedFixedHeader) {
  for (size_t n = 0; n < 12; ++n) {
    EXPECT_FALSE(RtpPacketView::parse(base::Bytes(kTwoBytePacket).first(n))) << n;
  }
}

TEST(RtpPacketViewRejects, VersionNotTwo) {
  for (uint8_t version : {0, 1, 3}) {
    Buf p = kTwoBytePacket;
    p[0] = static_cast<uint8_t>((p[0] & 0x3F) | (version << 6));
    EXPECT_FALSE(RtpPacketView::parse(p, test_map())) << int{version};
  }
}

TEST(RtpPacketViewRejects, CsrcCountPastEnd) {
  Buf p(12 + 60, 0);
  p[0] = 0x8F;  // CC=15
  EXPECT_TRUE(RtpPacketView::parse(p));
  p.pop_back();
  EXPECT_FALSE(RtpPacketView::parse(p));
  EXPECT_FALSE(RtpPacketView::parse(base::Bytes(kOneBytePacket).first(19)));  // cut inside CSRC 2
}

TEST(RtpPacketViewRejects, ExtensionHeaderOrBlockPastEnd) {
  // Cut inside the block header, then inside the block.
  for (size_t n = 20; n < 40; ++n) {  // the block ends at byte 40
    EXPECT_FALSE(RtpPacketView::parse(base::Bytes(kOneBytePacket).first(n), test_map())) << n;
  }
  Buf p = kTwoBytePacket;
  p[15] = 0x05;  // 5 words: 20 bytes, only 13 follow
  EXPECT_FALSE(RtpPacketView::parse(p, test_map()));
  p[15] = 0xFF;
  p[14] = 0xFF;
  EXPECT_FALSE(RtpPacketView::parse(p, test_map()));
}

TEST(RtpPacketViewRejects, OneByteElementPastBlock) {
  const Buf p = {0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x01,
                 0x00, 0x00, 0x33, 0x01,  // id 3 L=3 (4 bytes) starting at the block's last byte
                 0x02, 0x03, 0x04, 0x05};  // payload, not block
  EXPECT_FALSE(RtpPacketView::parse(p, test_map()));
}

TEST(RtpPacketViewRejects, TwoByteElementPastBlock) {
  Buf p = {0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0x00, 0x01,
           0x00, 0x00, 0x00, 0x05,  // id 5 header cut: no length byte inside the block
           0xAA};
  EXPECT_FALSE(RtpPacketView::parse(p, test_map()));
  p[18] = 0x05;
  p[19] = 0x01;  // id 5 length 1: value is the payload byte, outside the block
  EXPECT_FALSE(RtpPacketView::parse(p, test_map()));
  p[19] = 0x00;  // id 5 length 0: fits
  EXPECT_TRUE(RtpPacketView::parse(p, test_map()));
}

TEST(RtpPacketViewRejects, PaddingCountZero) {
  Buf p = kOneBytePacket;
  p.back() = 0;
  EXPECT_FALSE(RtpPacketView::parse(p, test_map()));
}

TEST(RtpPacketViewRejects, PaddingLargerThanPayloadArea) {
  Buf p = kOneBytePacket;
  p.back() = 8;  // payload area is 7 bytes
  EXPECT_FALSE(RtpPacketView::parse(p, test_map()));
  p.back() = 7;
  auto v = RtpPacketView::parse(p, test_map());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->payload_size(), 0u);
  // P set on a packet with no payload byte at all.
  const Buf header_only = {0xA0, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(RtpPacketView::parse(header_only));
}

TEST(RtpPacketViewRejects, LargerThanAnyTransportCarries) {
  Buf p(65536, 0);
  p[0] = 0x80;
  EXPECT_FALSE(RtpPacketView::parse(p));
  p.pop_back();
  EXPECT_TRUE(RtpPacketView::parse(p));
}

// ---- Writer ---------------------------------------------------------------------------------------------------

TEST(RtpPacketWriter, WritesOneByteVectorExactly) {
  Buf out(100, 0xEE);
  RtpPacketWriter w(out);
  w.set_marker(true);
  w.set_payload_type(PayloadType(111));
  w.set_sequence_number(0x1234);
  w.set_timestamp(123456);
  w.set_ssrc(Ssrc(0xDEADBEEF));
  EXPECT_TRUE(w.add_csrc(Ssrc(1)));
  EXPECT_TRUE(w.add_csrc(Ssrc(2)));
  EXPECT_TRUE(w.add<ext::AbsSendTime>(3, 0x123456));
  EXPECT_TRUE(w.add<ext::TransportSequenceNumber>(5, 0xABCD));
  EXPECT_TRUE(w.add<ext::Mid>(1, "abc"));
  EXPECT_TRUE(w.add<ext::AudioLevel>(10, AudioLevel{true, 5}));
  const std::array<uint8_t, 3> payload{1, 2, 3};
  auto n = w.finish(payload, 4);
  ASSERT_TRUE(n);
  EXPECT_EQ(Buf(out.begin(), out.begin() + static_cast<ptrdiff_t>(*n)), kOneBytePacket);
}

TEST(RtpPacketWriter, TypedAddThroughMap) {
  Buf out(100);
  RtpPacketWriter w(out);
  const ExtensionMap map = test_map();
  EXPECT_TRUE(w.add<ext::TransportSequenceNumber>(map, 0x0102));
  EXPECT_FALSE(w.add<ext::VideoOrientation>(map, VideoOrientation{}));  // unbound: refused, writer still fine
  EXPECT_TRUE(w.ok());
  auto n = w.finish({});
  ASSERT_TRUE(n);
  auto v = RtpPacketView::parse(base::Bytes(out).first(*n), map);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport_sequence_number(), 0x0102);
}

// The third element needs the two-byte form: the first two are rewritten.
const Buf kWriterTwoByte = {
    0x90, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
    0x10, 0x00, 0x00, 0x03,        // profile 0x1000, 3 words
    0x01, 0x01, 'x',               // id 1 length 1: "x"
    0x03, 0x03, 0x01, 0x02, 0x03,  // id 3 length 3
    0x14, 0x02, 'h', 'i',          // id 20 length 2
    0xFF,                          // payload
};

std::optional<size_t> write_two_byte(base::MutableBytes out) {
  RtpPacketWriter w(out);
  w.set_payload_type(PayloadType(96));
  w.set_sequence_number(1);
  w.set_timestamp(2);
  w.set_ssrc(Ssrc(3));
  w.add<ext::Mid>(1, "x");
  w.add<ext::AbsSendTime>(3, 0x010203);
  w.add<ext::Rid>(20, "hi");
  const std::array<uint8_t, 1> payload{0xFF};
  return w.finish(payload);
}

TEST(RtpPacketWriter, SwitchesToTwoByteForm) {
  Buf out(64);
  auto n = write_two_byte(out);
  ASSERT_TRUE(n);
  EXPECT_EQ(Buf(out.begin(), out.begin() + static_cast<ptrdiff_t>(*n)), kWriterTwoByte);
}

TEST(RtpPacketWriter, EveryTooSmallBufferFailsExactFitWorks) {
  for (size_t size = 0; size < kWriterTwoByte.size(); ++size) {
    Buf out(size);
    EXPECT_FALSE(write_two_byte(out)) << size;
  }
  Buf exact(kWriterTwoByte.size());
  ASSERT_EQ(write_two_byte(exact), kWriterTwoByte.size());
  EXPECT_EQ(exact, kWriterTwoByte);

  for (size_t size = 0; size < kOneBytePacket.size(); ++size) {
    Buf out(size);
    RtpPacketWriter w(out);
    w.add_csrc(Ssrc(1));
    w.add_csrc(Ssrc(2));
    w.add<ext::AbsSendTime>(3, 1);
    w.add<ext::TransportSequenceNumber>(5, 1);
    w.add<ext::Mid>(1, "abc");
    w.add<ext::AudioLevel>(10, {});
    const std::array<uint8_t, 3> payload{1, 2, 3};
    EXPECT_FALSE(w.finish(payload, 4)) << size;
  }
}

TEST(RtpPacketWriter, ZeroLengthAndLongValuesNeedTwoByteForm) {
  Buf out(400);
  RtpPacketWriter w(out);
  EXPECT_TRUE(w.add_extension(2, {}));
  const Buf long_value(17, 0x42);
  EXPECT_TRUE(w.add_extension(4, long_value));
  auto n = w.finish({});
  ASSERT_TRUE(n);
  auto v = RtpPacketView::parse(base::Bytes(out).first(*n));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->extension_form(), ExtensionForm::TwoByte);
  EXPECT_TRUE(v->extension(uint8_t{2})->empty());
  EXPECT_EQ(v->extension(uint8_t{4})->size(), 17u);
}

TEST(RtpPacketWriter, RefusesBadInputStickily) {
  Buf out(200);
  {
    RtpPacketWriter w(out);
    EXPECT_FALSE(w.add_extension(0, Buf{1}));  // id 0 is padding
    EXPECT_FALSE(w.finish({}));
  }
  {
    RtpPacketWriter w(out);
    EXPECT_FALSE(w.add_extension(1, Buf(256, 0)));
    EXPECT_FALSE(w.ok());
  }
  {
    RtpPacketWriter w(out);
    EXPECT_TRUE(w.add_extension(1, Buf{1}));
    EXPECT_FALSE(w.add_csrc(Ssrc(1)));  // CSRCs come before the extension block
    EXPECT_FALSE(w.finish({}));
  }
  {
    RtpPacketWriter w(out);
    for (uint32_t i = 0; i < 15; ++i) EXPECT_TRUE(w.add_csrc(Ssrc(i)));
    EXPECT_FALSE(w.add_csrc(Ssrc(15)));
  }
  {
    RtpPacketWriter w(out);
    EXPECT_FALSE(w.add<ext::Mid>(1, ""));
  }
  {
    RtpPacketWriter w(out);
    ASSERT_TRUE(w.finish({}));
    EXPECT_FALSE(w.finish({}));  // once only
  }
}

TEST(RtpPacketWriter, RawBlockOfOtherProfile) {
  Buf out(64);
  RtpPacketWriter w(out);
  const Buf block{1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_TRUE(w.set_extension_block(0xABCD, block));
  Buf other(64);
  EXPECT_FALSE(RtpPacketWriter(other).set_extension_block(0xABCD, Buf{1, 2, 3}));  // not whole words
  auto n = w.finish({});
  ASSERT_TRUE(n);
  auto v = RtpPacketView::parse(base::Bytes(out).first(*n));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->extension_form(), ExtensionForm::Other);
  EXPECT_EQ(v->extension_profile(), 0xABCD);
  EXPECT_EQ(Buf(v->extension_block().begin(), v->extension_block().end()), block);
}

TEST(RtpPacketWriter, PayloadInPlaceAndPaddingOnly) {
  Buf out(300);
  RtpPacketWriter w(out);
  w.set_ssrc(Ssrc(9));
  auto space = w.payload_space();
  ASSERT_EQ(space.size(), 288u);
  space[0] = 0x5A;
  auto n = w.finish_in_place(1, 255);
  ASSERT_EQ(n, 12u + 1 + 255);
  auto v = RtpPacketView::parse(base::Bytes(out).first(*n));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->payload_size(), 1u);
  EXPECT_EQ(v->payload()[0], 0x5A);
  EXPECT_EQ(v->padding_size(), 255u);
}

TEST(RtpPacketWriter, RoundTripAllTypedExtensions) {
  ExtensionMap map;
  map.register_extension(1, ExtensionType::AbsSendTime);
  map.register_extension(2, ExtensionType::TransportSequenceNumber);
  map.register_extension(3, ExtensionType::Mid);
  map.register_extension(4, ExtensionType::Rid);
  map.register_extension(5, ExtensionType::RepairedRid);
  map.register_extension(6, ExtensionType::AudioLevel);
  map.register_extension(7, ExtensionType::VideoOrientation);
  map.register_extension(8, ExtensionType::TransmissionOffset);
  map.register_extension(9, ExtensionType::AbsCaptureTime);
  map.register_extension(10, ExtensionType::PlayoutDelay);
  map.register_extension(11, ExtensionType::VideoContentType);
  map.register_extension(12, ExtensionType::VideoTiming);
  const VideoTiming timing{1, 2, 3, 4, 5, 6, 7};
  const AbsCaptureTime capture{0x0102030405060708, -5};
  for (bool two_byte : {false, true}) {
    Buf out(1500);
    RtpPacketWriter w(out);
    w.set_marker(true);
    w.set_payload_type(PayloadType(127));
    w.set_sequence_number(65535);
    w.set_timestamp(0xFFFFFFFF);
    w.set_ssrc(Ssrc(0x80000000));
    w.add_csrc(Ssrc(7));
    ASSERT_TRUE(w.add<ext::AbsSendTime>(map, 0xFFFFFF));
    ASSERT_TRUE(w.add<ext::TransportSequenceNumber>(map, 65535));
    ASSERT_TRUE(w.add<ext::Mid>(map, "video"));
    ASSERT_TRUE(w.add<ext::Rid>(map, "hi"));
    ASSERT_TRUE(w.add<ext::RepairedRid>(map, "lo"));
    ASSERT_TRUE(w.add<ext::AudioLevel>(map, AudioLevel{false, 127}));
    ASSERT_TRUE(w.add<ext::VideoOrientation>(map, VideoOrientation{true, true, 270}));
    ASSERT_TRUE(w.add<ext::TransmissionOffset>(map, -2));
    ASSERT_TRUE(w.add<ext::AbsCaptureTime>(map, capture));
    ASSERT_TRUE(w.add<ext::PlayoutDelay>(map, PlayoutDelay{100, 4095}));
    ASSERT_TRUE(w.add<ext::VideoContentType>(map, 1));
    ASSERT_TRUE(w.add<ext::VideoTiming>(map, timing));
    if (two_byte) {
      ASSERT_TRUE(w.add_extension(200, {}));
    }
    const Buf payload(1100, 0x33);
    auto n = w.finish(payload, 3);
    ASSERT_TRUE(n);
    auto v = RtpPacketView::parse(base::Bytes(out).first(*n), map);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->extension_form(), two_byte ? ExtensionForm::TwoByte : ExtensionForm::OneByte);
    EXPECT_TRUE(v->marker());
    EXPECT_EQ(v->payload_type(), PayloadType(127));
    EXPECT_EQ(v->sequence_number(), 65535);
    EXPECT_EQ(v->timestamp(), 0xFFFFFFFFu);
    EXPECT_EQ(v->ssrc(), Ssrc(0x80000000));
    EXPECT_EQ(v->csrc(0), Ssrc(7));
    EXPECT_EQ(v->abs_send_time(), 0xFFFFFFu);
    EXPECT_EQ(v->transport_sequence_number(), 65535);
    EXPECT_EQ(v->mid(), "video");
    EXPECT_EQ(v->rid(), "hi");
    EXPECT_EQ(v->repaired_rid(), "lo");
    EXPECT_EQ(v->audio_level(), (AudioLevel{false, 127}));
    EXPECT_EQ(v->video_orientation(), (VideoOrientation{true, true, 270}));
    EXPECT_EQ(v->transmission_offset(), -2);
    EXPECT_EQ(v->abs_capture_time(), capture);
    EXPECT_EQ(v->playout_delay(), (PlayoutDelay{100, 4095}));
    EXPECT_EQ(v->video_content_type(), 1);
    EXPECT_EQ(v->video_timing(), timing);
    EXPECT_EQ(v->payload_size(), 1100u);
    EXPECT_EQ(v->padding_size(), 3u);
  }
}

// ---- Typed value codecs ---------------------------------------------------------------------------------------

TEST(HeaderExtensions, ValueCodecs) {
  const uint8_t toffset[] = {0xFF, 0xFF, 0xFE};
  EXPECT_EQ(ext::TransmissionOffset::parse(toffset), -2);
  const uint8_t toffset_max[] = {0x7F, 0xFF, 0xFF};
  EXPECT_EQ(ext::TransmissionOffset::parse(toffset_max), 0x7FFFFF);
  const uint8_t delay[] = {0x0A, 0x01, 0x90};  // min 160 (1.6 s), max 400
  EXPECT_EQ(ext::PlayoutDelay::parse(delay), (PlayoutDelay{160, 400}));
  const uint8_t cvo[] = {0x09};  // 0000 1001: back camera, no flip, 90 degrees
  EXPECT_EQ(ext::VideoOrientation::parse(cvo), (VideoOrientation{true, false, 90}));
  const uint8_t legacy_timing[] = {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6};
  EXPECT_EQ(ext::VideoTiming::parse(legacy_timing), (VideoTiming{0, 1, 2, 3, 4, 5, 6}));
  const uint8_t capture8[] = {1, 2, 3, 4, 5, 6, 7, 8};
  auto c = ext::AbsCaptureTime::parse(capture8);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->absolute_capture_timestamp, 0x0102030405060708u);
  EXPECT_FALSE(c->estimated_capture_clock_offset);
  const uint8_t capture9[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_FALSE(ext::AbsCaptureTime::parse(capture9));
  const uint8_t padded_mid[] = {'a', 'b', 0, 0};
  EXPECT_EQ(ext::Mid::parse(padded_mid), "ab");
  EXPECT_FALSE(ext::Mid::parse({}));
  EXPECT_FALSE(ext::TransportSequenceNumber::parse(toffset));
}

TEST(HeaderExtensions, AbsSendTimeFixedPoint) {
  EXPECT_EQ(abs_send_time_from(base::Timestamp::micros(0)), 0u);
  EXPECT_EQ(abs_send_time_from(base::Timestamp::micros(1'000'000)), 1u << 18);
  EXPECT_EQ(abs_send_time_from(base::Timestamp::micros(64'000'000)), 0u);  // wraps every 64 s
  EXPECT_EQ(abs_send_time_from(base::Timestamp::micros(63'999'990)), 0xFFFFFDu);  // 16777213.38 rounds down
  EXPECT_EQ(abs_send_time_from(base::Timestamp::micros(-1'000'000)), 63u << 18);
  EXPECT_EQ(abs_send_time_to_duration(1u << 17), base::Duration::millis(500));
  // Large clock values do not overflow the shift.
  EXPECT_EQ(abs_send_time_from(base::Timestamp::micros(64'000'000LL * 1'000'000 + 500'000)), 1u << 17);
}

TEST(ExtensionMap, UrisBothWays) {
  EXPECT_EQ(extension_type_from_uri("urn:ietf:params:rtp-hdrext:sdes:mid"), ExtensionType::Mid);
  EXPECT_EQ(extension_type_from_uri("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"),
            ExtensionType::TransportSequenceNumber);
  EXPECT_EQ(extension_type_from_uri("urn:3gpp:video-orientation"), ExtensionType::VideoOrientation);
  EXPECT_FALSE(extension_type_from_uri("http://www.webrtc.org/experiments/rtp-hdrext/color-space"));
  for (size_t t = 1; t < kExtensionTypeCount; ++t) {
    auto type = static_cast<ExtensionType>(t);
    EXPECT_EQ(extension_type_from_uri(extension_uri(type)), type) << t;
  }
  EXPECT_EQ(extension_uri(ExtensionType::None), "");
}

TEST(ExtensionMap, RegisterLookupUnregister) {
  ExtensionMap m;
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(m.register_extension(0, ExtensionType::Mid));
  EXPECT_FALSE(m.register_extension(1, ExtensionType::None));
  EXPECT_FALSE(m.register_uri(2, "urn:example:unknown"));
  EXPECT_TRUE(m.register_uri(200, uri::kAbsSendTime));
  EXPECT_EQ(m.type_of(200), ExtensionType::AbsSendTime);
  EXPECT_EQ(m.id_of(ExtensionType::AbsSendTime), 200);
  EXPECT_FALSE(m.empty());
  // A second id for the same type: both parse as it, the first answers type->id until it goes.
  EXPECT_TRUE(m.register_extension(7, ExtensionType::AbsSendTime));
  EXPECT_EQ(m.id_of(ExtensionType::AbsSendTime), 200);
  m.unregister(200);
  EXPECT_EQ(m.id_of(ExtensionType::AbsSendTime), 7);
  // Rebinding an id drops its old meaning.
  EXPECT_TRUE(m.register_extension(7, ExtensionType::Mid));
  EXPECT_EQ(m.id_of(ExtensionType::AbsSendTime), 0);
  EXPECT_EQ(m.id_of(ExtensionType::Mid), 7);
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.type_of(7), ExtensionType::None);
}

// ---- In-place rewriting ---------------------------------------------------------------------------------------

TEST(RtpPacketRewrite, HeaderFieldsAndExtensionsInPlace) {
  const ExtensionMap map = test_map();
  const auto layout = RtpPacketView::parse(kOneBytePacket, map);
  ASSERT_TRUE(layout);
  Buf copy = kOneBytePacket;  // a sink's own send buffer
  EXPECT_TRUE(rewrite_sequence_number(copy, 0xBEEF));
  EXPECT_TRUE(rewrite_timestamp(copy, 0x01020304));
  EXPECT_TRUE(rewrite_ssrc(copy, Ssrc(0x0A0B0C0D)));
  EXPECT_TRUE(rewrite_payload_type(copy, PayloadType(96)));
  EXPECT_TRUE(rewrite_marker(copy, false));
  EXPECT_TRUE(rewrite_transport_sequence_number(copy, *layout, 0x0102));
  EXPECT_TRUE(rewrite_abs_send_time(copy, *layout, 0xFEDCBA));
  EXPECT_FALSE(rewrite_extension<ext::VideoOrientation>(copy, *layout, VideoOrientation{}));  // not in the packet

  Buf expected = kOneBytePacket;
  expected[1] = 0x60;  // M=0 PT=96
  expected[2] = 0xBE, expected[3] = 0xEF;
  expected[4] = 0x01, expected[5] = 0x02, expected[6] = 0x03, expected[7] = 0x04;
  expected[8] = 0x0A, expected[9] = 0x0B, expected[10] = 0x0C, expected[11] = 0x0D;
  expected[25] = 0xFE, expected[26] = 0xDC, expected[27] = 0xBA;
  expected[29] = 0x01, expected[30] = 0x02;
  EXPECT_EQ(copy, expected);
  auto v = RtpPacketView::parse(copy, map);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport_sequence_number(), 0x0102);

  Buf tiny(11);
  EXPECT_FALSE(rewrite_sequence_number(tiny, 1));
  EXPECT_FALSE(rewrite_marker(tiny, true));
}

TEST(RtpPacketRewrite, RefusesSizeMismatch) {
  const auto layout = RtpPacketView::parse(kTwoBytePacket, test_map());
  ASSERT_TRUE(layout);
  Buf copy = kTwoBytePacket;
  EXPECT_FALSE(rewrite_transport_sequence_number(copy, *layout, 1));  // the element there has 0 bytes
  EXPECT_EQ(copy, kTwoBytePacket);
}

// ---- Captured packets -----------------------------------------------------------------------------------------

enum Session { kWrtc, kChrome, kFfmpeg };

ExtensionMap session_map(Session s) {
  ExtensionMap m;
  if (s == kWrtc) {  // @roamhq/wrtc offer (see the .txt beside each packet)
    m.register_uri(1, uri::kTransmissionOffset);
    m.register_uri(2, uri::kAbsSendTime);
    m.register_uri(3, uri::kVideoOrientation);
    m.register_uri(4, uri::kTransportSequenceNumber);
    m.register_uri(5, uri::kPlayoutDelay);
    m.register_uri(6, uri::kVideoContentType);
    m.register_uri(7, uri::kVideoTiming);
    m.register_uri(9, uri::kMid);
    m.register_uri(10, uri::kRid);
    m.register_uri(11, uri::kRepairedRid);
    m.register_uri(14, uri::kAudioLevel);
  } else if (s == kChrome) {
    m.register_uri(1, uri::kAudioLevel);
    m.register_uri(2, uri::kAbsSendTime);
    m.register_uri(3, uri::kTransportSequenceNumber);
    m.register_uri(4, uri::kMid);
    m.register_uri(5, uri::kPlayoutDelay);
    m.register_uri(6, uri::kVideoContentType);
    m.register_uri(7, uri::kVideoTiming);
    m.register_uri(10, uri::kRid);
    m.register_uri(11, uri::kRepairedRid);
    m.register_uri(13, uri::kVideoOrientation);
    m.register_uri(14, uri::kTransmissionOffset);
  }
  return m;
}

struct Captured {
  const char* file;
  Session session;
  uint8_t pt;
  bool marker;
  uint16_t seq;
  uint32_t ts;
  uint32_t ssrc;
  size_t header_size;
  size_t payload_size;
  size_t padding_size;
  int64_t abs_send_time;  // -1: absent
  int32_t transport_seq;
  const char* mid;
  int audio_level_byte;
  int cvo_byte;
  int content_type;
  int packetization_finish_ms;  // from video-timing
  const char* color_space_hex;  // raw lookup of id 8, a type we do not know
};

// Values from the .txt dissections (written by an independent Python dissector).
const Captured kCaptured[] = {
    {"libwebrtc/chrome_audio_first", kChrome, 111, true, 10078, 2039790347u, 0xf3540235u, 28, 32, 0, 8479844, 1, "0", 255, -1, -1, -1, ""},
    {"libwebrtc/chrome_audio_level", kChrome, 111, false, 10302, 2040005387u, 0xf3540235u, 28, 117, 0, 9653263, 495, nullptr, 135, -1, -1, -1, ""},
    {"libwebrtc/chrome_rtx_padding_probe", kChrome, 97, false, 7394, 0u, 0x2b4397d1u, 28, 0, 255, 8503217, 6, "1", -1, -1, -1, -1, ""},
    {"libwebrtc/chrome_rtx_retransmission", kChrome, 97, true, 7398, 3407485075u, 0x2b4397d1u, 48, 1133, 0, 8513945, 15, "1", -1, 0, -1, 45, "06060610"},
    {"libwebrtc/chrome_video_delta", kChrome, 96, true, 9641, 3407768485u, 0xaaea3ca3u, 24, 929, 0, 9317928, 353, nullptr, -1, -1, -1, -1, ""},
    {"libwebrtc/chrome_video_keyframe", kChrome, 96, true, 9463, 3407485075u, 0xaaea3ca3u, 48, 1131, 0, 8506793, 9, "1", -1, 0, -1, 45, "06060610"},
    {"libwebrtc/wrtc_audio_first", kWrtc, 111, true, 3532, 4038993728u, 0x4a1c9197u, 28, 126, 0, 10356513, 1, "1", 143, -1, -1, -1, ""},
    {"libwebrtc/wrtc_audio_level", kWrtc, 111, false, 3653, 4039109888u, 0x4a1c9197u, 28, 115, 0, 11007313, 466, nullptr, 143, -1, -1, -1, ""},
    {"libwebrtc/wrtc_video_frame_end_timing", kWrtc, 96, true, 6315, 108154430u, 0xeb2f410eu, 40, 1158, 0, 10520705, 118, nullptr, -1, -1, -1, 7, ""},
    {"libwebrtc/wrtc_video_keyframe_first", kWrtc, 96, false, 6232, 108121760u, 0xeb2f410eu, 28, 1167, 0, 10398303, 10, "0", -1, -1, -1, -1, ""},
    {"libwebrtc/wrtc_video_keyframe_last", kWrtc, 96, true, 6277, 108121760u, 0xeb2f410eu, 44, 1152, 0, 10453531, 68, "0", -1, 0, 2, 11, ""},
    {"libwebrtc/wrtc_video_middle", kWrtc, 96, false, 6483, 108273950u, 0xeb2f410eu, 24, 1157, 0, 10853835, 348, nullptr, -1, -1, -1, -1, ""},
    {"ffmpeg/ffmpeg_vp8_first", kFfmpeg, 96, false, 3435, 3034190297u, 0xa05ef945u, 12, 1460, 0, -1, -1, nullptr, -1, -1, -1, -1, ""},
    {"ffmpeg/ffmpeg_vp8_frame_end", kFfmpeg, 96, true, 3440, 3034190297u, 0xa05ef945u, 12, 192, 0, -1, -1, nullptr, -1, -1, -1, -1, ""},
    {"ffmpeg/ffmpeg_vp8_middle", kFfmpeg, 96, false, 3436, 3034190297u, 0xa05ef945u, 12, 1460, 0, -1, -1, nullptr, -1, -1, -1, -1, ""},
};

Buf read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string hex(base::Bytes b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) s += {d[x >> 4], d[x & 15]};
  return s;
}

void PrintTo(const Captured& c, std::ostream* os) { *os << c.file; }

class CapturedPacket : public testing::TestWithParam<Captured> {};

TEST_P(CapturedPacket, ParsesLikeTheDissection) {
  const Captured& c = GetParam();
  const Buf bytes = read_file(std::string(MEDLEY_TEST_DATA) + "/rtp/" + c.file + ".bin");
  ASSERT_FALSE(bytes.empty()) << c.file;
  const ExtensionMap map = session_map(c.session);
  auto v = RtpPacketView::parse(bytes, map);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->payload_type(), PayloadType(c.pt));
  EXPECT_EQ(v->marker(), c.marker);
  EXPECT_EQ(v->sequence_number(), c.seq);
  EXPECT_EQ(v->timestamp(), c.ts);
  EXPECT_EQ(v->ssrc(), Ssrc(c.ssrc));
  EXPECT_EQ(v->csrc_count(), 0u);
  EXPECT_EQ(v->header_size(), c.header_size);
  EXPECT_EQ(v->payload_size(), c.payload_size);
  EXPECT_EQ(v->padding_size(), c.padding_size);
  EXPECT_EQ(v->extension_form(), c.session == kFfmpeg ? ExtensionForm::None : ExtensionForm::OneByte);

  if (c.abs_send_time < 0) {
    EXPECT_FALSE(v->abs_send_time());
  } else {
    EXPECT_EQ(v->abs_send_time(), static_cast<uint32_t>(c.abs_send_time));
  }
  if (c.transport_seq < 0) {
    EXPECT_FALSE(v->transport_sequence_number());
  } else {
    EXPECT_EQ(v->transport_sequence_number(), static_cast<uint16_t>(c.transport_seq));
  }
  if (c.mid == nullptr) {
    EXPECT_FALSE(v->mid());
  } else {
    EXPECT_EQ(v->mid(), c.mid);
  }
  if (c.audio_level_byte < 0) {
    EXPECT_FALSE(v->audio_level());
  } else {
    EXPECT_EQ(v->audio_level(), (AudioLevel{(c.audio_level_byte & 0x80) != 0,
                                            static_cast<uint8_t>(c.audio_level_byte & 0x7F)}));
  }
  if (c.cvo_byte < 0) {
    EXPECT_FALSE(v->video_orientation());
  } else {
    EXPECT_EQ(v->video_orientation(), (VideoOrientation{false, false, 0}));
  }
  if (c.content_type < 0) {
    EXPECT_FALSE(v->video_content_type());
  } else {
    EXPECT_EQ(v->video_content_type(), c.content_type);
  }
  if (c.packetization_finish_ms < 0) {
    EXPECT_FALSE(v->video_timing());
  } else {
    ASSERT_TRUE(v->video_timing());
    EXPECT_EQ(v->video_timing()->packetization_finish_delta_ms, c.packetization_finish_ms);
    EXPECT_EQ(v->video_timing()->flags, 3);
  }
  auto cs = v->extension(uint8_t{8});
  EXPECT_EQ(cs ? hex(*cs) : "", c.color_space_hex);
  EXPECT_FALSE(v->rid());
  EXPECT_FALSE(v->transmission_offset());
  EXPECT_FALSE(v->playout_delay());

  // Writing the parsed fields and elements back gives the same bytes (libwebrtc pads the block like we do).
  Buf out(bytes.size() + 16);
  RtpPacketWriter w(out);
  w.set_marker(v->marker());
  w.set_payload_type(v->payload_type());
  w.set_sequence_number(v->sequence_number());
  w.set_timestamp(v->timestamp());
  w.set_ssrc(v->ssrc());
  auto elements = v->extension_elements();
  while (auto e = elements.next()) ASSERT_TRUE(w.add_extension(e->id, e->value));
  auto n = w.finish(v->payload(), static_cast<uint8_t>(v->padding_size()));
  ASSERT_TRUE(n);
  out.resize(*n);
  EXPECT_EQ(out, bytes);  // libwebrtc's padding bytes before the count are zeros, like ours
}

INSTANTIATE_TEST_SUITE_P(Captures, CapturedPacket, testing::ValuesIn(kCaptured),
                         [](const testing::TestParamInfo<Captured>& info) {
                           std::string name = info.param.file;
                           return name.substr(name.find('/') + 1);
                         });

TEST(CapturedPacket, PaddingProbeIsAllPadding) {
  const Buf bytes = read_file(std::string(MEDLEY_TEST_DATA) + "/rtp/libwebrtc/chrome_rtx_padding_probe.bin");
  auto v = RtpPacketView::parse(bytes, session_map(kChrome));
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->payload().empty());
  EXPECT_EQ(v->header_size() + v->padding_size(), bytes.size());
}

TEST(CapturedPacket, EveryTruncationOfACaptureIsRejectedOrShorter) {
  // Cutting a real packet anywhere inside its header must fail; inside the payload it parses with less payload.
  const Buf bytes = read_file(std::string(MEDLEY_TEST_DATA) + "/rtp/libwebrtc/chrome_video_keyframe.bin");
  const ExtensionMap map = session_map(kChrome);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto v = RtpPacketView::parse(base::Bytes(bytes).first(n), map);
    if (n < 48) {
      EXPECT_FALSE(v) << n;
    } else {
      ASSERT_TRUE(v) << n;
      EXPECT_EQ(v->payload_size(), n - 48);
    }
  }
}

}  // namespace
}  // namespace medley::rtp
