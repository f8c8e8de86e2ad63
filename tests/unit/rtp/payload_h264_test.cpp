// Tests for the H.264 payload format (RFC 6184, packetization-mode 1) and the SPS reader: public vectors,
// ffmpeg captures, negative cases, packetizer layout and round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "payload_test_util.hpp"
#include "rtp/payload/h264.hpp"
#include "rtp/payload/h264_sps.hpp"

using namespace medley;
using namespace medley::rtp;
using namespace medley::rtp::test;

namespace {

using Vec = std::vector<uint8_t>;

Vec annex_b(std::initializer_list<Vec> nals) {
  Vec out;
  for (const auto& n : nals) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), n.begin(), n.end());
  }
  return out;
}


std::vector<uint8_t> nal_types(const Vec& stream) {
  std::vector<base::Bytes> nals;
  h264::split_annex_b(stream, nals);
  std::vector<uint8_t> types;
  for (auto n : nals) types.push_back(n[0] & 0x1f);
  return types;
}

// Writes SPS fields MSB first and adds emulation prevention, to build SPSs x264 never emits (scaling lists).
class SpsWriter {
 public:
  void u(unsigned n, uint32_t v) {
    for (unsigned i = n; i-- > 0;) bits_.push_back((v >> i) & 1u);
  }
  void ue(uint32_t v) {
    uint64_t x = uint64_t{v} + 1;
    unsigned len = 0;
    while ((x >> len) > 1) ++len;
    u(len, 0);
    for (unsigned i = len + 1; i-- > 0;) bits_.push_back((x >> i) & 1u);
  }
  void se(int32_t v) { ue(v > 0 ? static_cast<uint32_t>(2 * v - 1) : static_cast<uint32_t>(-2 * v)); }
  Vec nal() {
    u(1, 1);  // rbsp_stop_one_bit
    while (bits_.size() % 8) bits_.push_back(0);
    Vec out = {0x67};
    unsigned zeros = 0;
    for (size_t i = 0; i < bits_.size(); i += 8) {
      uint8_t b = 0;
      for (size_t j = 0; j < 8; ++j) b = static_cast<uint8_t>((b << 1) | bits_[i + j]);
      if (zeros >= 2 && b <= 3) {
        out.push_back(3);
        zeros = 0;
      }
      out.push_back(b);
      zeros = b == 0 ? zeros + 1 : 0;
    }
    return out;
  }

 private:
  std::vector<uint8_t> bits_;
};

TEST(BitReader, ExpGolombAndEmulationPrevention) {
  const uint8_t codes[] = {0xa6, 0x42, 0x80};  // 1 010 011 00100 0010100 0000000: ue 0,1,2,3,19?
  BitReader r(codes);
  EXPECT_EQ(r.ue(), 0u);  // 1
  EXPECT_EQ(r.ue(), 1u);  // 010
  EXPECT_EQ(r.ue(), 2u);  // 011
  EXPECT_EQ(r.ue(), 3u);  // 00100
  EXPECT_EQ(r.se(), -2);  // 00101 -> k=4 -> -2
  EXPECT_TRUE(r.ok());

  const uint8_t escaped[] = {0x00, 0x00, 0x03, 0x01, 0xff};
  BitReader rbsp(escaped, /*rbsp=*/true);
  EXPECT_EQ(rbsp.bits(24), 0x000001u);
  EXPECT_EQ(rbsp.bits(8), 0xffu);
  EXPECT_TRUE(rbsp.ok());
  EXPECT_EQ(rbsp.bits(1), 0u);
  EXPECT_FALSE(rbsp.ok());

  const uint8_t zeros[] = {0, 0, 0, 0, 0x80};  // 32 leading zeros: beyond ue(v)'s 32-bit range
  BitReader z(zeros);
  z.ue();
  EXPECT_FALSE(z.ok());
}

TEST(H264Sps, FfmpegBaseline320x240) {
  // From the capture's STAP-A (and ffmpeg's sprop-parameter-sets Z0LADNkBQfsBEAAAAwAQAAADAejxQqSA).
  const Vec sps = {0x67, 0x42, 0xc0, 0x0c, 0xd9, 0x01, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,
                   0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x01, 0xe8, 0xf1, 0x42, 0xa4, 0x80};
  auto s = parse_h264_sps(sps);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->profile_idc, 66);
  EXPECT_EQ(s->level_idc, 12);
  EXPECT_EQ(s->width, 320);
  EXPECT_EQ(s->height, 240);
  // The fields we read end in byte 7 (0xfb); anything shorter is truncated. The VUI after them is not read.
  for (size_t n = 0; n < 8; ++n) EXPECT_FALSE(parse_h264_sps(base::Bytes(sps.data(), n))) << n;
  EXPECT_TRUE(parse_h264_sps(base::Bytes(sps.data(), 8)));
  Vec not_sps = sps;
  not_sps[0] = 0x68;
  EXPECT_FALSE(parse_h264_sps(not_sps));
}

TEST(H264Sps, X264HighProfiles) {
  auto s = parse_h264_sps(read_data("h264/sps_high444_cqm_322x178.bin"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->profile_idc, 244);
  EXPECT_EQ(s->width, 322);
  EXPECT_EQ(s->height, 178);
  s = parse_h264_sps(read_data("h264/sps_high_interlaced_322x180.bin"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->profile_idc, 100);
  EXPECT_EQ(s->width, 322);
  EXPECT_EQ(s->height, 180);
}

TEST(H264Sps, SkipsScalingListsAndPocCycle) {
  SpsWriter w;
  w.u(8, 100);  // profile_idc High
  w.u(8, 0);
  w.u(8, 40);   // level 4.0
  w.ue(0);      // sps_id
  w.ue(1);      // chroma_format_idc 4:2:0
  w.ue(0);
  w.ue(0);      // bit depths 8
  w.u(1, 0);    // qpprime_y_zero_transform_bypass_flag
  w.u(1, 1);    // seq_scaling_matrix_present_flag
  for (int i = 0; i < 8; ++i) {
    if (i == 0) {  // a full 4x4 list of deltas
      w.u(1, 1);
      for (int j = 0; j < 16; ++j) w.se(j % 2 ? -3 : 5);
    } else if (i == 6) {  // an 8x8 list ended at once: nextScale 0 means "use the default list"
      w.u(1, 1);
      w.se(-8);
    } else if (i == 7) {  // a full 8x8 list with the largest deltas
      w.u(1, 1);
      for (int j = 0; j < 64; ++j) w.se(j % 2 ? -127 : 127);  // never reaching nextScale 0
    } else {
      w.u(1, 0);
    }
  }
  w.ue(0);    // log2_max_frame_num_minus4
  w.ue(1);    // pic_order_cnt_type 1
  w.u(1, 0);  // delta_pic_order_always_zero_flag
  w.se(-2);
  w.se(1);
  w.ue(2);  // num_ref_frames_in_pic_order_cnt_cycle
  w.se(3);
  w.se(-3);
  w.ue(1);    // max_num_ref_frames
  w.u(1, 0);  // gaps
  w.ue(119);  // 120 MBs wide
  w.ue(67);   // 68 MBs high
  w.u(1, 1);  // frame_mbs_only_flag
  w.u(1, 1);  // direct_8x8_inference_flag
  w.u(1, 1);  // frame_cropping_flag
  w.ue(0);
  w.ue(0);
  w.ue(0);
  w.ue(4);    // bottom: 4 chroma rows = 8 luma rows
  w.u(1, 0);  // vui_parameters_present_flag
  Vec sps = w.nal();
  auto s = parse_h264_sps(sps);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->width, 1920);
  EXPECT_EQ(s->height, 1080);
}

// Vectors from pion/rtp codecs/h264_packet_test.go (github.com/pion/rtp).
TEST(H264Depacketizer, PionVectors) {
  H264Depacketizer dp;
  base::EncodedFrame f;
  const Vec single = {0x90, 0x90, 0x90};
  ASSERT_TRUE(dp.append(single, f));
  EXPECT_EQ(f.data, (Vec{0x00, 0x00, 0x00, 0x01, 0x90, 0x90, 0x90}));

  const Vec stap = {0x78,                                                // STAP-A, NRI=3
                    0x00, 0x0f,                                          // 15 bytes: SPS
                    0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a, 0x40, 0x3c, 0x22, 0x11, 0xa8,
                    0x00, 0x05,                                          // 5 bytes: PPS
                    0x68, 0x1a, 0x34, 0xe3, 0xc8};
  f.data.clear();
  ASSERT_TRUE(dp.append(stap, f));
  EXPECT_EQ(f.data, (Vec{0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a,
                         0x40, 0x3c, 0x22, 0x11, 0xa8, 0x00, 0x00, 0x00, 0x01, 0x68, 0x1a, 0x34, 0xe3, 0xc8}));
  auto info = dp.inspect(stap);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_FALSE(info->keyframe);  // parameter sets alone
  EXPECT_EQ(info->width, 640);  // sps_id 12, 40x30 MBs, no cropping (checked by hand, bit by bit)
  EXPECT_EQ(info->height, 480);

  const Vec incomplete(stap.begin(), stap.begin() + 17);  // SPS size says 15, 14 are there
  EXPECT_FALSE(dp.inspect(incomplete));
  f.data.clear();
  EXPECT_FALSE(dp.append(incomplete, f));
  EXPECT_TRUE(f.data.empty());

  // pion's FU-A vector fragments a NAL unit of type 0, which RFC 6184 (Table 1, 5.2) leaves undefined and tells
  // receivers to ignore: refused. The same fragments carrying a non-IDR slice (type 1) reassemble.
  std::vector<Vec> fu = {{0x1c, 0x80, 0x01, 0x02, 0x03},
                         {0x1c, 0x00, 0x04, 0x05, 0x06},
                         {0x1c, 0x00, 0x07, 0x08, 0x09},
                         {0x1c, 0x00, 0x10, 0x11, 0x12},
                         {0x1c, 0x40, 0x13, 0x14, 0x15}};
  f.data.clear();
  EXPECT_FALSE(dp.append(fu[0], f));
  for (auto& p : fu) p[1] |= 0x01;
  for (const auto& p : fu) ASSERT_TRUE(dp.append(p, f));
  EXPECT_EQ(f.data, (Vec{0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x10,
                         0x11, 0x12, 0x13, 0x14, 0x15}));

  const Vec reserved = {0xff, 0x00, 0x00};  // type 31
  EXPECT_FALSE(dp.inspect(reserved));
  EXPECT_FALSE(dp.append(reserved, f));
}

TEST(H264Depacketizer, RejectsMalformedPayloads) {
  H264Depacketizer dp;
  base::EncodedFrame f;
  const std::vector<Vec> bad = {
      {},                                // empty
      {0x18},                            // STAP-A with no unit
      {0x18, 0x00},                      // size cut short
      {0x18, 0x00, 0x00, 0x00, 0x01},    // zero-size unit
      {0x18, 0x00, 0x02, 0x67},          // size past the end
      {0x18, 0x00, 0x01, 0x7c},          // a FU-A inside a STAP-A
      {0x7c, 0x85},                      // FU-A with no fragment byte
      {0x7c, 0xbc, 0x00},                // FU-A carrying type 28
      {0x19, 0x00, 0x00}, {0x1a, 0x00, 0x00}, {0x1b, 0x00, 0x00}, {0x1d, 0x80, 0x00},  // STAP-B, MTAPs, FU-B
      {0x00, 0x00}, {0x1e, 0x00}, {0x1f, 0x00},                                         // reserved types
  };
  for (const auto& p : bad) {
    EXPECT_FALSE(dp.inspect(p)) << p.size();
    EXPECT_FALSE(dp.append(p, f)) << p.size();
  }
  EXPECT_TRUE(f.data.empty());
}

TEST(H264Depacketizer, FuAWithoutItsStartIsDroppedUntilTheNextStart) {
  auto key = read_rtp_series("h264/key", 6);
  H264Depacketizer dp;
  base::EncodedFrame f;
  EXPECT_FALSE(dp.append(key[2].payload, f));  // a middle fragment first
  EXPECT_FALSE(dp.append(key[5].payload, f));  // still no start: the end is refused too
  EXPECT_TRUE(f.data.empty());

  ASSERT_TRUE(dp.append(key[1].payload, f));   // start
  EXPECT_FALSE(dp.append(key[1].payload, f));  // a second start while one is open: the first lost its end
  f.data.clear();
  ASSERT_TRUE(dp.append(key[1].payload, f));
  EXPECT_FALSE(dp.append(key[0].payload, f));  // a STAP-A while an FU-A is open
  f.data.clear();
  ASSERT_TRUE(dp.append(key[1].payload, f));
  dp.reset();                                   // e.g. a lost packet
  EXPECT_FALSE(dp.append(key[2].payload, f));
  f.data.clear();
  ASSERT_TRUE(dp.append(key[1].payload, f));
  Vec other_type = key[2].payload;
  other_type[1] = (other_type[1] & 0xe0) | 1;  // fragment claims a non-IDR slice mid-way through an IDR
  EXPECT_FALSE(dp.append(other_type, f));
}

TEST(H264Capture, InspectsFfmpegPackets) {
  auto key = read_rtp_series("h264/key", 6);
  H264Depacketizer dp;
  auto info = dp.inspect(key[0].payload);  // STAP-A: SPS, PPS, SEI
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_FALSE(info->keyframe);
  EXPECT_EQ(info->width, 320);
  EXPECT_EQ(info->height, 240);
  info = dp.inspect(key[1].payload);  // FU-A start of the IDR slice, first_mb_in_slice 0
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_TRUE(info->keyframe);
  for (int i = 2; i < 6; ++i) {
    info = dp.inspect(key[i].payload);
    ASSERT_TRUE(info);
    EXPECT_FALSE(info->frame_start);
    EXPECT_TRUE(info->keyframe);  // fragments of an IDR slice
    EXPECT_FALSE(info->frame_end);  // the marker decides
  }
  auto delta = read_rtp_series("h264/delta", 2);
  info = dp.inspect(delta[0].payload);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->frame_start);
  EXPECT_FALSE(info->keyframe);
  EXPECT_FALSE(dp.inspect(delta[1].payload)->frame_start);
  EXPECT_TRUE(delta[1].marker);
}

TEST(H264Capture, ReassemblesAccessUnitsAsTheEncoderWroteThem) {
  H264Depacketizer dp;
  base::EncodedFrame key = depacketize(dp, read_rtp_series("h264/key", 6));
  const Vec key_ref = read_data("h264/key.ref");
  EXPECT_EQ(nal_types(key.data), (std::vector<uint8_t>{7, 8, 6, 5}));
  EXPECT_EQ(key.data, test::annex_b_4byte(key_ref));  // x264 wrote some 3-byte start codes
  EXPECT_TRUE(key.keyframe);
  EXPECT_EQ(key.width, 320);
  EXPECT_EQ(key.height, 240);
  base::EncodedFrame delta = depacketize(dp, read_rtp_series("h264/delta", 2));
  EXPECT_EQ(delta.data, test::annex_b_4byte(read_data("h264/delta.ref")));
  EXPECT_EQ(nal_types(delta.data), (std::vector<uint8_t>{1}));
  EXPECT_FALSE(delta.keyframe);
}

TEST(H264AnnexB, SplitsOnThreeAndFourByteStartCodes) {
  const Vec s = {0x00, 0x00, 0x00, 0x01, 0x67, 0xaa, 0x00,  // SPS with a trailing zero byte
                 0x00, 0x00, 0x01, 0x68, 0xbb,              // PPS after a 3-byte start code
                 0x00, 0x00, 0x00, 0x01,                    // an empty NAL unit: skipped
                 0x00, 0x00, 0x01, 0x65, 0x00, 0x00, 0x03, 0x01};
  std::vector<base::Bytes> nals;
  ASSERT_TRUE(h264::split_annex_b(s, nals));
  ASSERT_EQ(nals.size(), 3u);
  EXPECT_EQ(Vec(nals[0].begin(), nals[0].end()), (Vec{0x67, 0xaa}));
  EXPECT_EQ(Vec(nals[1].begin(), nals[1].end()), (Vec{0x68, 0xbb}));
  EXPECT_EQ(Vec(nals[2].begin(), nals[2].end()), (Vec{0x65, 0x00, 0x00, 0x03, 0x01}));
  nals.clear();
  const Vec no_start = {0x67, 0x00, 0x00, 0x01, 0x68};
  EXPECT_FALSE(h264::split_annex_b(no_start, nals));
  const Vec only_zeros = {0x00, 0x00, 0x00, 0x00};
  EXPECT_FALSE(h264::split_annex_b(only_zeros, nals));
  const Vec only_start = {0x00, 0x00, 0x01};
  EXPECT_FALSE(h264::split_annex_b(only_start, nals));
}

TEST(H264Packetizer, FuAMatchesPion) {
  // pion/rtp TestH264Payloader_Payload: a 16-byte NAL (header 0x00) at max_payload 5 -> five FU-As of 3 bytes.
  base::EncodedFrame f;
  f.data = {0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
            0x09, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15};
  H264Packetizer p;
  auto packets = packetize(p, f, 5);
  const std::vector<Vec> want = {{0x1c, 0x80, 0x01, 0x02, 0x03},
                                 {0x1c, 0x00, 0x04, 0x05, 0x06},
                                 {0x1c, 0x00, 0x07, 0x08, 0x09},
                                 {0x1c, 0x00, 0x10, 0x11, 0x12},
                                 {0x1c, 0x40, 0x13, 0x14, 0x15}};
  ASSERT_EQ(packets.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(packets[i].payload, want[i]) << i;
  expect_marker_only_on_last(packets);
}

TEST(H264Packetizer, AggregatesWhatFitsIntoStapA) {
  // pion/rtp TestH264Payloader_Payload_SPS_and_PPS_handling, except the STAP-A header: RFC 6184 5.7 makes its NRI
  // the highest of the units' (0 here), where pion always writes 0x78.
  base::EncodedFrame f;
  f.data = annex_b({{0x07, 0x00, 0x01}, {0x08, 0x02, 0x03}, {0x05, 0x04, 0x05}});
  H264Packetizer p;
  auto packets = packetize(p, f, 11);
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[0].payload, (Vec{0x18, 0x00, 0x03, 0x07, 0x00, 0x01, 0x00, 0x03, 0x08, 0x02, 0x03}));
  EXPECT_EQ(packets[1].payload, (Vec{0x05, 0x04, 0x05}));
  expect_marker_only_on_last(packets);

  f.data = annex_b({{0x67, 0x00, 0x01}, {0x68, 0x02, 0x03}, {0xe5, 0x04, 0x05}});  // NRI 3 and F on the IDR
  packets = packetize(p, f, 1200);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].payload, (Vec{0xf8, 0x00, 0x03, 0x67, 0x00, 0x01, 0x00, 0x03, 0x68, 0x02, 0x03,
                                     0x00, 0x03, 0xe5, 0x04, 0x05}));
  EXPECT_TRUE(packets[0].marker);
}

TEST(H264Packetizer, RoundTripsTheCapturedAccessUnits) {
  const Vec key_ref = test::annex_b_4byte(read_data("h264/key.ref"));
  const Vec delta_ref = test::annex_b_4byte(read_data("h264/delta.ref"));
  for (size_t max : {3u, 4u, 30u, 100u, 640u, 1200u, 1460u, 70000u}) {
    SCOPED_TRACE(max);
    for (const Vec* ref : {&key_ref, &delta_ref}) {
      base::EncodedFrame f;
      f.data = *ref;
      H264Packetizer p;
      auto packets = packetize(p, f, max);
      expect_marker_only_on_last(packets);
      H264Depacketizer dp;
      base::EncodedFrame out = depacketize(dp, packets);
      EXPECT_EQ(out.data, *ref);
      EXPECT_EQ(out.keyframe, ref == &key_ref);
      if (ref == &key_ref && max >= 30) {  // the SPS travels whole (single or STAP-A) from 30 bytes on
        EXPECT_EQ(out.width, 320);
        EXPECT_EQ(out.height, 240);
      }
      // Fragments of one NAL unit are balanced: FU-A payload sizes differ by at most one byte.
      std::vector<size_t> fu_sizes;
      for (auto& pk : packets) {
        if ((pk.payload[0] & 0x1f) == h264::kFuA && (pk.payload[1] & 0x1f) == ((*ref)[4 + 0] & 0x1f)) {
          fu_sizes.push_back(pk.payload.size());
        }
      }
      if (fu_sizes.size() > 1 && ref == &delta_ref) {  // the delta frame is one NAL unit
        auto [lo, hi] = std::minmax_element(fu_sizes.begin(), fu_sizes.end());
        EXPECT_LE(*hi - *lo, 1u);
      }
    }
  }
}

TEST(H264Packetizer, LearnsSizeFromAFragmentedSps) {
  // At max_payload 4 even the SPS goes as FU-A; the depacketizer reads it once reassembled.
  base::EncodedFrame f;
  f.data = test::annex_b_4byte(read_data("h264/key.ref"));
  H264Packetizer p;
  auto packets = packetize(p, f, 4);
  H264Depacketizer dp;
  base::EncodedFrame out = depacketize(dp, packets);
  EXPECT_EQ(out.data, f.data);
  EXPECT_EQ(out.width, 320);
  EXPECT_EQ(out.height, 240);
}

TEST(H264Packetizer, RefusesWhatItCannotCarry) {
  H264Packetizer p;
  base::EncodedFrame f;
  EXPECT_FALSE(p.begin(f, 1200));  // empty
  f.data = {0x65, 0x88, 0x84};
  EXPECT_FALSE(p.begin(f, 1200));  // no start code
  f.data = annex_b({{0x65, 0x88, 0x84}});
  EXPECT_FALSE(p.begin(f, 2));     // no room for an FU-A
  ASSERT_TRUE(p.begin(f, 100));
  std::vector<uint8_t> small(50);
  bool marker = false;
  EXPECT_FALSE(p.next(small, marker));
}

}  // namespace

// A hostile stream ends a frame inside an FU-A (start fragment with the marker bit), then opens the next frame
// with a continuation: the open fragment must not carry over into the new frame's data (it once read out of
// bounds: the saved NAL offset pointed past the new, shorter frame).
TEST(H264Depacketizer, FuAOpenAtFrameEndDoesNotContinueIntoNextFrame) {
  H264Depacketizer d;
  base::EncodedFrame first;
  const std::vector<uint8_t> fu_start = {0x7c, 0x87, 0x42, 0x00, 0x1f};  // FU-A, S=1, type 7 (SPS)
  ASSERT_TRUE(d.append(fu_start, first));
  base::EncodedFrame second;  // the jitter buffer hands a fresh (empty) frame
  const std::vector<uint8_t> fu_end = {0x7c, 0x47, 0x01};  // FU-A, E=1, type 7, one byte
  EXPECT_FALSE(d.append(fu_end, second));
  EXPECT_TRUE(second.data.empty());
}
