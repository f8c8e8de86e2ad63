// Video codecs: round trips with PSNR, keyframes on request, rate control, garbage in, level limits, VP8 -> H.264.
#include "codec/video_codec.hpp"

#include <gtest/gtest.h>

#include <random>

#include "codec/scaler.hpp"
#include "video_test_util.hpp"

using namespace medley;
using namespace medley::codec;
using base::CodecId;

namespace {

class VideoCodecTest : public ::testing::TestWithParam<CodecId> {};

std::unique_ptr<VideoEncoder> encoder(CodecId codec, int w, int h, uint32_t bps, uint32_t kf_interval = 3000) {
  VideoEncoderConfig c;
  c.codec = codec;
  c.width = w;
  c.height = h;
  c.bitrate_bps = bps;
  c.keyframe_interval = kf_interval;
  auto r = make_video_encoder(c);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(*r) : nullptr;
}

std::unique_ptr<VideoDecoder> decoder(CodecId codec) {
  auto r = make_video_decoder(codec);
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::move(*r) : nullptr;
}

TEST_P(VideoCodecTest, RoundTripKeepsPictureQuality) {
  auto enc = encoder(GetParam(), 320, 240, 800'000);
  auto dec = decoder(GetParam());
  ASSERT_TRUE(enc && dec);
  VideoFrame in, out;
  base::EncodedFrame bits;
  int decoded = 0;
  double min_psnr = 99;
  for (int i = 0; i < 30; ++i) {
    test::fill_pattern(in, 320, 240, i);
    const EncodeStatus st = enc->encode(in, false, bits);
    ASSERT_NE(st, EncodeStatus::Error) << i;
    if (st == EncodeStatus::Dropped) continue;
    EXPECT_EQ(bits.codec, GetParam());
    EXPECT_EQ(bits.rtp_timestamp, in.rtp_timestamp);
    if (i == 0) {
      EXPECT_TRUE(bits.keyframe);
      EXPECT_TRUE(test::bitstream_keyframe(bits));
    }
    ASSERT_EQ(dec->decode(bits, out), DecodeStatus::FrameReady) << i;
    ASSERT_EQ(out.width, 320);
    ASSERT_EQ(out.height, 240);
    EXPECT_EQ(out.rtp_timestamp, in.rtp_timestamp);
    const double p = test::psnr(in, out);
    min_psnr = std::min(min_psnr, p);
    ++decoded;
  }
  EXPECT_GE(decoded, 25);
  EXPECT_GT(min_psnr, 30.0);
}

TEST_P(VideoCodecTest, KeyframeOnRequest) {
  auto enc = encoder(GetParam(), 320, 240, 600'000);
  ASSERT_TRUE(enc);
  VideoFrame in;
  base::EncodedFrame bits;
  for (int i = 0; i < 20; ++i) {
    test::fill_pattern(in, 320, 240, i);
    const bool force = i == 10 || i == 15;
    const EncodeStatus st = enc->encode(in, force, bits);
    ASSERT_NE(st, EncodeStatus::Error);
    if (st == EncodeStatus::Dropped) {
      EXPECT_FALSE(force) << "a requested keyframe was dropped at " << i;
      continue;
    }
    const bool expect_key = i == 0 || force;
    EXPECT_EQ(bits.keyframe, expect_key) << i;
    EXPECT_EQ(test::bitstream_keyframe(bits), expect_key) << i;
  }
}

TEST_P(VideoCodecTest, BitrateLandsNearTarget) {
  for (uint32_t target : {300'000u, 1'000'000u}) {
    auto enc = encoder(GetParam(), 640, 360, target);
    ASSERT_TRUE(enc);
    VideoFrame in;
    base::EncodedFrame bits;
    size_t bytes = 0;
    for (int i = 0; i < 90; ++i) {  // 3 s at 30 fps
      test::fill_pattern(in, 640, 360, i);
      ASSERT_NE(enc->encode(in, false, bits), EncodeStatus::Error);
      bytes += bits.data.size();
    }
    const double bps = static_cast<double>(bytes) * 8 / 3.0;
    EXPECT_NEAR(bps, target, target * 0.30) << "target " << target;
  }
}

TEST_P(VideoCodecTest, SetRatesFollowsTheEstimate) {
  auto enc = encoder(GetParam(), 640, 360, 1'500'000);
  ASSERT_TRUE(enc);
  VideoFrame in;
  base::EncodedFrame bits;
  for (int i = 0; i < 30; ++i) {
    test::fill_pattern(in, 640, 360, i);
    ASSERT_NE(enc->encode(in, false, bits), EncodeStatus::Error);
  }
  ASSERT_TRUE(enc->set_rates(400'000, 30));
  EXPECT_EQ(enc->config().bitrate_bps, 400'000u);
  EXPECT_FALSE(enc->set_rates(0, 30));
  EXPECT_FALSE(enc->set_rates(400'000, 0));
  size_t bytes = 0;
  for (int i = 30; i < 30 + 90; ++i) {
    test::fill_pattern(in, 640, 360, i);
    ASSERT_NE(enc->encode(in, false, bits), EncodeStatus::Error);
    if (i >= 60) bytes += bits.data.size();  // the second and third second, after the buffer drained
  }
  const double bps = static_cast<double>(bytes) * 8 / 2.0;
  EXPECT_NEAR(bps, 400'000, 400'000 * 0.30);
}

TEST_P(VideoCodecTest, RefusesPictureOfAnotherSize) {
  auto enc = encoder(GetParam(), 320, 240, 500'000);
  ASSERT_TRUE(enc);
  VideoFrame in;
  base::EncodedFrame bits;
  test::fill_pattern(in, 160, 120, 0);
  EXPECT_EQ(enc->encode(in, false, bits), EncodeStatus::Error);
  EXPECT_TRUE(bits.data.empty());
  EXPECT_EQ(enc->encode(VideoFrame{}, false, bits), EncodeStatus::Error);
}

TEST_P(VideoCodecTest, GarbageAsksForKeyframeAndNeverCrashes) {
  auto dec = decoder(GetParam());
  ASSERT_TRUE(dec);
  VideoFrame out;
  std::mt19937 rng(42);
  base::EncodedFrame f;
  f.codec = GetParam();
  for (int i = 0; i < 300; ++i) {
    f.data.resize(rng() % 3000);
    for (auto& b : f.data) b = static_cast<uint8_t>(rng());
    if (i % 3 == 0 && f.data.size() > 10) {  // pretend to be a keyframe so the data reaches the library
      if (GetParam() == CodecId::Vp8) {
        f.data[0] &= 0xfe;
        f.data[3] = 0x9d;
        f.data[4] = 0x01;
        f.data[5] = 0x2a;
      } else if (GetParam() == CodecId::H264) {
        f.data[0] = f.data[1] = f.data[2] = 0;
        f.data[3] = 1;
        f.data[4] = 0x65;
      } else {  // VP9 profile 0 keyframe with its sync code; the rest (sizes included) random
        f.data[0] = 0x82;
        f.data[1] = 0x49;
        f.data[2] = 0x83;
        f.data[3] = 0x42;
      }
    }
    const DecodeStatus st = dec->decode(f, out);
    EXPECT_NE(st, DecodeStatus::FrameReady) << i;
  }
  f.data.clear();
  EXPECT_EQ(dec->decode(f, out), DecodeStatus::NeedKeyframe);
}

TEST_P(VideoCodecTest, TruncatedAndCorruptFramesAskForKeyframeThenRecover) {
  auto enc = encoder(GetParam(), 320, 240, 800'000);
  auto dec = decoder(GetParam());
  ASSERT_TRUE(enc && dec);
  VideoFrame in, out;
  std::vector<base::EncodedFrame> frames;
  for (int i = 0; i < 12; ++i) {
    test::fill_pattern(in, 320, 240, i);
    base::EncodedFrame bits;
    if (enc->encode(in, i == 8, bits) == EncodeStatus::Encoded) frames.push_back(bits);
  }
  ASSERT_GE(frames.size(), 10u);
  // Every truncation of the keyframe: never a crash, never a picture from a fragment of it cut before its end.
  for (size_t cut = 1; cut < frames[0].data.size(); cut += 1 + cut / 8) {
    base::EncodedFrame t = frames[0];
    t.data.resize(cut);
    VideoFrame o;
    dec->decode(t, o);
    dec->reset();
  }
  // A keyframe, then a delta frame with its tail cut off: NeedKeyframe, and the next deltas wait for a keyframe.
  ASSERT_EQ(dec->decode(frames[0], out), DecodeStatus::FrameReady);
  base::EncodedFrame broken = frames[1];
  broken.data.resize(broken.data.size() / 3);
  EXPECT_EQ(dec->decode(broken, out), DecodeStatus::NeedKeyframe);
  size_t k = 2;
  for (; k < frames.size() && !frames[k].keyframe; ++k) EXPECT_EQ(dec->decode(frames[k], out), DecodeStatus::NeedKeyframe);
  ASSERT_LT(k, frames.size());
  EXPECT_EQ(dec->decode(frames[k], out), DecodeStatus::FrameReady);
}

// A real keyframe whose header is patched to claim 16000 x 16000 never reaches libvpx, which would allocate
// reference buffers for it (and hand out a picture of that size).
TEST(VpxDecoder, RefusesHugeKeyframes) {
  for (CodecId codec : {CodecId::Vp8, CodecId::Vp9}) {
    auto enc = encoder(codec, 320, 240, 500'000);
    ASSERT_TRUE(enc);
    VideoFrame in, out;
    base::EncodedFrame key;
    test::fill_pattern(in, 320, 240, 0);
    ASSERT_EQ(enc->encode(in, true, key), EncodeStatus::Encoded);
    ASSERT_EQ(make_video_decoder(codec).value()->decode(key, out), DecodeStatus::FrameReady);
    if (codec == CodecId::Vp8) {
      key.data[6] = key.data[8] = 0x80;  // 16000 = 0x3e80, no scaling
      key.data[7] = key.data[9] = 0x3e;
    } else {
      // Profile 0 keyframe: 8 header bits, 24 sync bits, color_space(3) + color_range(1), then width-1 and
      // height-1 as 16 bits each from bit 36.
      auto put = [&](size_t bit, uint32_t v, int n) {
        for (int i = n - 1; i >= 0; --i, ++bit) {
          const uint8_t m = static_cast<uint8_t>(0x80 >> (bit % 8));
          if ((v >> i) & 1) key.data[bit / 8] |= m; else key.data[bit / 8] &= static_cast<uint8_t>(~m);
        }
      };
      put(36, 16000 - 1, 16);
      put(52, 16000 - 1, 16);
    }
    EXPECT_EQ(make_video_decoder(codec).value()->decode(key, out), DecodeStatus::NeedKeyframe)
        << base::codec_name(codec);
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, VideoCodecTest, ::testing::Values(CodecId::Vp8, CodecId::Vp9, CodecId::H264),
                         [](const auto& info) { return std::string(base::codec_name(info.param)); });

TEST(VideoCodecFactory, RefusesWhatItCannotDo) {
  EXPECT_FALSE(make_video_decoder(CodecId::Opus).ok());
  EXPECT_FALSE(make_video_decoder(CodecId::Av1).ok());
  VideoEncoderConfig c;
  c.codec = CodecId::Av1;
  EXPECT_FALSE(make_video_encoder(c).ok());
  c.codec = CodecId::Vp8;
  c.width = 0;
  EXPECT_FALSE(make_video_encoder(c).ok());
  c.width = 640;
  c.fps = 0;
  EXPECT_FALSE(make_video_encoder(c).ok());
}

TEST(VideoCodecFactory, H264LevelBoundsTheEncoder) {
  VideoEncoderConfig c;
  c.codec = CodecId::H264;
  c.width = 1920;
  c.height = 1080;
  c.h264_profile_level_id = "42e01f";  // level 3.1: 3600 macroblocks, 1080p has 8160
  auto r = make_video_encoder(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("level"), std::string::npos);
  c.h264_profile_level_id = "42e028";  // level 4.0
  EXPECT_TRUE(make_video_encoder(c).ok());
  c.h264_profile_level_id = "640c1f";  // high profile decoders take constrained baseline
  c.width = 1280;
  c.height = 720;
  EXPECT_TRUE(make_video_encoder(c).ok());
  c.h264_profile_level_id = "zz0c1f";
  EXPECT_FALSE(make_video_encoder(c).ok());
  c.h264_profile_level_id = "53001f";  // scalable baseline (83): not ours
  EXPECT_FALSE(make_video_encoder(c).ok());
}

// The transcoding branch's core: VP8 in, decode, scale to what the H.264 side wants, encode, and an H.264
// decoder takes every output picture.
TEST(VideoTranscode, Vp8ToH264Decodes) {
  auto vp8_enc = encoder(CodecId::Vp8, 640, 360, 1'000'000);
  auto vp8_dec = decoder(CodecId::Vp8);
  auto h264_enc = encoder(CodecId::H264, 320, 180, 400'000);
  auto h264_dec = decoder(CodecId::H264);
  ASSERT_TRUE(vp8_enc && vp8_dec && h264_enc && h264_dec);
  Scaler scaler;
  VideoFrame src, decoded, scaled, out, reference;
  base::EncodedFrame vp8, h264;
  int shown = 0;
  for (int i = 0; i < 10; ++i) {
    test::fill_pattern(src, 640, 360, i);
    ASSERT_EQ(vp8_enc->encode(src, false, vp8), EncodeStatus::Encoded);
    ASSERT_EQ(vp8_dec->decode(vp8, decoded), DecodeStatus::FrameReady);
    ASSERT_TRUE(scaler.scale(decoded, 320, 180, scaled));
    EXPECT_EQ(scaled.rtp_timestamp, src.rtp_timestamp);
    const EncodeStatus st = h264_enc->encode(scaled, false, h264);
    ASSERT_NE(st, EncodeStatus::Error);
    if (st == EncodeStatus::Dropped) continue;
    EXPECT_EQ(h264.codec, CodecId::H264);
    ASSERT_EQ(h264_dec->decode(h264, out), DecodeStatus::FrameReady) << i;
    EXPECT_EQ(out.width, 320);
    EXPECT_EQ(out.height, 180);
    ASSERT_TRUE(scaler.scale(src, 320, 180, reference));
    EXPECT_GT(test::psnr(reference, out), 28.0) << i;
    ++shown;
  }
  EXPECT_GE(shown, 8);
}

}  // namespace
