// WebmReader: round trips through WebmWriter (bytes, timestamps, keyframe flags, track info), seeking with Cues
// and by scanning, H.264 back to Annex B, BlockGroups, files made by ffmpeg, and inputs that are cut, garbage or
// lying about sizes.
#include "mux/webm_reader.hpp"

#include <gtest/gtest.h>

#include <random>

#include "mux/ebml_writer.hpp"
#include "mux/webm_writer.hpp"
#include "webm_test_util.hpp"

namespace medley::mux {
namespace {

using base::CodecId;
using base::Duration;

std::vector<uint8_t> payload(size_t n, uint32_t seed) {
  std::vector<uint8_t> d(n);
  std::mt19937 rng(seed);
  for (auto& b : d) b = static_cast<uint8_t>(rng());
  return d;
}

struct Written {
  uint32_t track;
  int64_t ms;
  bool key;
  std::vector<uint8_t> data;
};

// 6 s of VP8 (25 fps, keyframe every 2 s, sizes varying) and Opus (20 ms), written in timestamp order.
std::vector<uint8_t> make_file(std::vector<Written>* frames_out, bool seekable = true, int seconds = 6) {
  MemorySink sink(seekable);
  WebmWriter w(sink);
  uint32_t v = *w.add_track({.codec = CodecId::Vp8, .width = 320, .height = 240});
  uint32_t a = *w.add_track({.codec = CodecId::Opus, .channels = 1});
  std::vector<Written> frames;
  uint32_t seed = 1;
  for (int t = 0; t < seconds * 1000; t += 10) {
    if (t % 20 == 0) frames.push_back({a, t, true, payload(60 + t % 40, seed++)});
    if (t % 40 == 0) {
      bool key = t % 2000 == 0;
      frames.push_back({v, t, key, payload(key ? 3000 : 200 + (t % 500), seed++)});
    }
  }
  for (const auto& f : frames) EXPECT_EQ(w.write(f.track, Duration::millis(f.ms), f.key, f.data), WebmWriteResult::Accepted);
  EXPECT_TRUE(w.finish());
  if (frames_out) *frames_out = std::move(frames);
  return sink.data();
}

std::vector<WebmFrame> read_frames(WebmReader& r, WebmReadStatus* end = nullptr) {
  std::vector<WebmFrame> out;
  WebmFrame f;
  WebmReadStatus s;
  while ((s = r.next(f)) == WebmReadStatus::Frame) out.push_back(f);
  if (end) *end = s;
  return out;
}

TEST(WebmReader, RoundTripIsByteExact) {
  std::vector<Written> in;
  auto file = make_file(&in);
  MemorySource src(file);
  auto r = WebmReader::open(src);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->doc_type(), "webm");
  ASSERT_EQ(r->tracks().size(), 2u);
  EXPECT_EQ(r->tracks()[0].kind, WebmTrackKind::Video);
  EXPECT_EQ(r->tracks()[0].codec, CodecId::Vp8);
  EXPECT_EQ(r->tracks()[0].width, 320u);
  EXPECT_EQ(r->tracks()[0].height, 240u);
  EXPECT_EQ(r->tracks()[1].kind, WebmTrackKind::Audio);
  EXPECT_EQ(r->tracks()[1].channels, 1u);
  EXPECT_TRUE(r->has_cues());
  ASSERT_TRUE(r->duration());
  EXPECT_EQ(*r->duration(), Duration::millis(6000));
  WebmReadStatus end;
  auto out = read_frames(*r, &end);
  EXPECT_EQ(end, WebmReadStatus::End);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].track, in[i].track) << i;
    EXPECT_EQ(out[i].timestamp, Duration::millis(in[i].ms)) << i;
    EXPECT_EQ(out[i].keyframe, in[i].key) << i;
    EXPECT_EQ(out[i].data, in[i].data) << i;
    EXPECT_EQ(out[i].codec, in[i].track == 1 ? CodecId::Vp8 : CodecId::Opus);
  }
  EXPECT_EQ(r->next(*out.data()), WebmReadStatus::End);  // stays at the end
  EXPECT_EQ(r->stats().frames, in.size());
}

void check_seek(WebmReader& r, Duration to, Duration expect) {
  auto at = r.seek(to);
  ASSERT_TRUE(at) << to.ms();
  EXPECT_EQ(*at, expect) << to.ms();
  WebmFrame f;
  ASSERT_EQ(r.next(f), WebmReadStatus::Frame);
  // The first video frame after a seek is the keyframe, and nothing earlier comes out.
  EXPECT_GE(f.timestamp, expect);
  while (f.track != 1) {
    ASSERT_EQ(r.next(f), WebmReadStatus::Frame);
    EXPECT_GE(f.timestamp, expect);
  }
  EXPECT_TRUE(f.keyframe);
  EXPECT_EQ(f.timestamp, expect);
}

TEST(WebmReader, SeeksThroughCues) {
  auto file = make_file(nullptr);
  MemorySource src(file);
  auto r = WebmReader::open(src);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->seekable());
  WebmFrame f;
  for (int i = 0; i < 50; ++i) r->next(f);  // mid-way, then jump around
  check_seek(*r, Duration::millis(4500), Duration::millis(4000));
  check_seek(*r, Duration::millis(1999), Duration::millis(0));
  check_seek(*r, Duration::millis(2000), Duration::millis(2000));
  check_seek(*r, Duration::millis(-5), Duration::millis(0));
  check_seek(*r, Duration::seconds(100), Duration::millis(4000));
  // After a seek the rest of the file reads to its end.
  auto rest = read_frames(*r);
  EXPECT_GT(rest.size(), 100u);
}

TEST(WebmReader, SeeksAndFindsDurationByScanningWhenNotFinalized) {
  // A non-seekable sink: no SeekHead entry for the Cues, no Duration.
  auto file = make_file(nullptr, false);
  MemorySource src(file);
  auto r = WebmReader::open(src);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_cues());
  WebmFrame f;
  ASSERT_EQ(r->next(f), WebmReadStatus::Frame);
  ASSERT_TRUE(r->duration());
  EXPECT_EQ(*r->duration(), Duration::millis(5980));  // the last frame's timestamp
  ASSERT_TRUE(r->seekable());
  check_seek(*r, Duration::millis(3000), Duration::millis(2000));
  check_seek(*r, Duration::millis(5000), Duration::millis(4000));
}

TEST(WebmReader, H264ComesBackAsAnnexBWithParameterSetsOnKeyframes) {
  MemorySink sink;
  WebmWriter w(sink, {.doc_type = WebmDocType::Matroska});
  uint32_t v = *w.add_track({.codec = CodecId::H264});
  // SPS for 320x240 baseline (from x264), PPS, IDR slice; a second IDR without parameter sets; a P slice.
  std::vector<uint8_t> sps = {0x67, 0x42, 0xc0, 0x0d, 0xda, 0x05, 0x07, 0xec, 0x04, 0x40, 0x00, 0x00, 0x03, 0x00,
                              0x40, 0x00, 0x00, 0x0f, 0x03, 0xc5, 0x0a, 0xa8};
  std::vector<uint8_t> pps = {0x68, 0xce, 0x0f, 0xc8};
  auto annexb = [](std::initializer_list<std::vector<uint8_t>> nals) {
    std::vector<uint8_t> out;
    for (const auto& n : nals) {
      out.insert(out.end(), {0, 0, 0, 1});
      out.insert(out.end(), n.begin(), n.end());
    }
    return out;
  };
  std::vector<uint8_t> idr = {0x65, 0x88, 0x84, 0x21, 0x43};
  std::vector<uint8_t> p = {0x41, 0x9a, 0x02, 0x03};
  auto k1 = annexb({sps, pps, idr});
  auto d1 = annexb({p});
  auto k2 = annexb({idr});
  ASSERT_EQ(w.write(v, Duration::millis(0), true, k1), WebmWriteResult::Accepted);
  ASSERT_EQ(w.write(v, Duration::millis(33), false, d1), WebmWriteResult::Accepted);
  // Three-byte start codes are accepted too, and come back with four.
  std::vector<uint8_t> k2_short = {0, 0, 1};
  k2_short.insert(k2_short.end(), idr.begin(), idr.end());
  ASSERT_EQ(w.write(v, Duration::millis(66), true, k2_short), WebmWriteResult::Accepted);
  ASSERT_TRUE(w.finish());

  MemorySource src(sink.data());
  auto r = WebmReader::open(src);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->doc_type(), "matroska");
  ASSERT_EQ(r->tracks().size(), 1u);
  EXPECT_EQ(r->tracks()[0].codec_id, "V_MPEG4/ISO/AVC");
  EXPECT_EQ(r->tracks()[0].width, 320u);
  EXPECT_EQ(r->tracks()[0].height, 240u);
  std::vector<uint8_t> avcc = {1, 0x42, 0xc0, 0x0d, 0xff, 0xe1, 0, uint8_t(sps.size())};
  avcc.insert(avcc.end(), sps.begin(), sps.end());
  avcc.insert(avcc.end(), {1, 0, 4});
  avcc.insert(avcc.end(), pps.begin(), pps.end());
  EXPECT_EQ(r->tracks()[0].codec_private, avcc);
  auto out = read_frames(*r);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].data, k1);
  EXPECT_EQ(out[1].data, d1);
  EXPECT_EQ(out[2].data, annexb({sps, pps, idr}));  // parameter sets put back in front
}

// A Matroska file built by hand with BlockGroups (which our writer never makes, but other muxers do).
TEST(WebmReader, BlockGroupsTakeTheirKeyframeFlagFromReferenceBlocks) {
  std::vector<uint8_t> f;
  ebml::Appender a(f);
  size_t ebml = a.open_master(0x1A45DFA3);
  a.string_element(0x4282, "matroska");
  a.close_master(ebml);
  size_t seg = a.open_master(0x18538067);
  size_t tracks = a.open_master(0x1654AE6B);
  size_t entry = a.open_master(0xAE);
  a.uint_element(0xD7, 1);
  a.uint_element(0x83, 1);
  a.string_element(0x86, "V_VP9");
  a.close_master(entry);
  a.close_master(tracks);
  size_t cluster = a.open_master(0x1F43B675);
  a.uint_element(0xE7, 100);
  for (int i = 0; i < 3; ++i) {
    size_t group = a.open_master(0xA0);
    a.id(0xA1);
    a.vint(4 + 3);
    a.raw(std::vector<uint8_t>{0x81, 0x00, uint8_t(i * 10), 0x00, uint8_t(i), 2, 3});
    if (i > 0) {
      a.id(0xFB);  // ReferenceBlock -10
      a.vint(1);
      a.u8(0xF6);
    }
    a.close_master(group);
  }
  a.close_master(cluster);
  a.close_master(seg);
  MemorySource src(f);
  auto r = WebmReader::open(src);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->duration().has_value() && r->duration()->us() < 0);
  auto out = read_frames(*r);
  ASSERT_EQ(out.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i].timestamp, Duration::millis(100 + i * 10));
    EXPECT_EQ(out[i].keyframe, i == 0);
    EXPECT_EQ(out[i].data, (std::vector<uint8_t>{uint8_t(i), 2, 3}));
  }
}

TEST(WebmReader, RejectsWhatIsNotWebm) {
  std::vector<uint8_t> empty;
  MemorySource s0(empty);
  auto r0 = WebmReader::open(s0);
  ASSERT_FALSE(r0);
  EXPECT_EQ(r0.error(), WebmReadError::NotWebm);

  std::vector<uint8_t> mp4 = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0};
  MemorySource s1(mp4);
  EXPECT_FALSE(WebmReader::open(s1));

  std::vector<uint8_t> other;
  ebml::Appender a(other);
  size_t e = a.open_master(0x1A45DFA3);
  a.string_element(0x4282, "notwebm");
  a.close_master(e);
  a.id(0x18538067);
  a.unknown_size();
  MemorySource s2(other);
  auto r2 = WebmReader::open(s2);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error(), WebmReadError::NotWebm);

  std::vector<uint8_t> no_segment;
  ebml::Appender b(no_segment);
  e = b.open_master(0x1A45DFA3);
  b.string_element(0x4282, "webm");
  b.close_master(e);
  MemorySource s3(no_segment);
  auto r3 = WebmReader::open(s3);
  ASSERT_FALSE(r3);
  EXPECT_EQ(r3.error(), WebmReadError::NoSegment);
}

TEST(WebmReader, HugeDeclaredSizesAllocateNothing) {
  // A CodecPrivate claiming 2^48 bytes, and a SimpleBlock claiming 1 TB, in a 100-byte file.
  std::vector<uint8_t> f;
  ebml::Appender a(f);
  size_t e = a.open_master(0x1A45DFA3);
  a.string_element(0x4282, "webm");
  a.close_master(e);
  a.id(0x18538067);
  a.unknown_size();
  size_t tracks = a.open_master(0x1654AE6B);
  size_t entry = a.open_master(0xAE);
  a.uint_element(0xD7, 1);
  a.string_element(0x86, "A_OPUS");
  a.id(0x63A2);
  a.vint(uint64_t{1} << 48);
  a.close_master(entry);
  a.close_master(tracks);
  a.id(0x1F43B675);
  a.unknown_size();
  a.uint_element(0xE7, 0);
  a.id(0xA3);
  a.vint(uint64_t{1} << 40);
  a.raw(std::vector<uint8_t>{0x81, 0, 0, 0x80, 1, 2, 3});
  MemorySource src(f);
  auto r = WebmReader::open(src);
  if (r) {
    WebmFrame fr;
    EXPECT_NE(r->next(fr), WebmReadStatus::Frame);
  }
}

TEST(WebmReader, EveryCutOfAFileReadsAPrefixWithoutError) {
  std::vector<Written> in;
  auto file = make_file(&in, false, 1);
  ASSERT_GT(file.size(), 1000u);
  size_t last = 0;
  for (size_t cut = 0; cut <= file.size(); cut = cut == file.size() ? cut + 1 : std::min(file.size(), cut + (cut < 400 ? 1 : 37))) {
    std::vector<uint8_t> prefix(file.begin(), file.begin() + static_cast<ptrdiff_t>(cut));
    MemorySource src(prefix);
    auto r = WebmReader::open(src);
    if (!r) continue;  // cut inside the header
    WebmReadStatus end;
    auto out = read_frames(*r, &end);
    EXPECT_EQ(end, WebmReadStatus::End) << cut;
    ASSERT_LE(out.size(), in.size());
    for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i].data, in[i].data) << cut << " " << i;
    EXPECT_GE(out.size(), last) << cut;  // more file, never fewer frames
    last = out.size();
    r->seek(Duration::millis(500));
    r->duration();
  }
  EXPECT_EQ(last, in.size());
}

TEST(WebmReader, RandomCorruptionNeverCrashes) {
  auto file = make_file(nullptr, true, 2);
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    auto bad = file;
    int flips = 1 + round % 8;
    for (int i = 0; i < flips; ++i) bad[rng() % bad.size()] = static_cast<uint8_t>(rng());
    MemorySource src(bad);
    auto r = WebmReader::open(src);
    if (!r) continue;
    WebmFrame f;
    for (int n = 0; n < 10000 && r->next(f) == WebmReadStatus::Frame; ++n) {
    }
    r->seek(Duration::millis(rng() % 3000));
    for (int n = 0; n < 100 && r->next(f) == WebmReadStatus::Frame; ++n) {
    }
    r->duration();
  }
}

// ---- files made by ffmpeg

TEST(WebmReaderFfmpeg, ReadsAnFfmpegWebm) {
  ASSERT_TRUE(testing::have_ffmpeg()) << "ffmpeg/ffprobe missing in /usr/bin";
  auto path = testing::ffmpeg_media("ffmpeg_vp8_opus_4s.webm",
      "-f lavfi -i testsrc=size=320x240:rate=30:duration=4 -f lavfi -i sine=frequency=300:sample_rate=48000:duration=4 "
      "-c:v libvpx -b:v 300k -g 30 -deadline realtime -cpu-used 8 -c:a libopus -b:a 48k -shortest {out}");
  ASSERT_FALSE(path.empty());
  auto probe = testing::ffprobe(path);
  auto file = testing::read_file(path);
  MemorySource src(file);
  auto r = WebmReader::open(src);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->doc_type(), "webm");
  ASSERT_EQ(r->tracks().size(), 2u);
  EXPECT_EQ(r->tracks()[0].codec, CodecId::Vp8);
  EXPECT_EQ(r->tracks()[1].codec, CodecId::Opus);
  EXPECT_EQ(r->tracks()[1].sample_rate, 48000.0);
  EXPECT_EQ(std::string(r->tracks()[1].codec_private.begin(), r->tracks()[1].codec_private.begin() + 8), "OpusHead");
  EXPECT_TRUE(r->has_cues());
  ASSERT_TRUE(r->duration());
  EXPECT_NEAR(r->duration()->seconds_f(), 4.0, 0.1);
  WebmReadStatus end;
  auto frames = read_frames(*r, &end);
  EXPECT_EQ(end, WebmReadStatus::End);
  size_t video = 0, audio = 0;
  Duration last_video = Duration::micros(-1);
  for (const auto& f : frames) {
    if (f.track == 1) {
      if (video == 0) {
        EXPECT_TRUE(f.keyframe);
      }
      EXPECT_GT(f.timestamp, last_video);
      last_video = f.timestamp;
      ++video;
    } else {
      ++audio;
    }
  }
  EXPECT_EQ(std::to_string(video), probe["streams.stream.0.nb_read_frames"]);
  EXPECT_EQ(std::to_string(audio), probe["streams.stream.1.nb_read_frames"]);
  auto at = r->seek(Duration::millis(2500));
  ASSERT_TRUE(at);
  // -g 30 at 30 fps: keyframes every second (ffmpeg shifts everything by the Opus pre-skip, 6.5 ms rounded up).
  EXPECT_NEAR(at->ms(), 2000, 10);
}

TEST(WebmReaderFfmpeg, ReadsAnFfmpegMkvWithH264) {
  ASSERT_TRUE(testing::have_ffmpeg());
  auto path = testing::ffmpeg_media("h264_320x240_30fps_2s.mkv",
      "-f lavfi -i testsrc=size=320x240:rate=30:duration=2 -c:v libx264 -preset ultrafast -tune zerolatency -g 30 "
      "-pix_fmt yuv420p {out}");
  ASSERT_FALSE(path.empty());
  auto file = testing::read_file(path);
  MemorySource src(file);
  auto r = WebmReader::open(src);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->doc_type(), "matroska");
  ASSERT_EQ(r->tracks().size(), 1u);
  EXPECT_EQ(r->tracks()[0].codec, CodecId::H264);
  EXPECT_EQ(r->tracks()[0].width, 320u);
  auto frames = read_frames(*r);
  ASSERT_EQ(frames.size(), 60u);
  size_t keys = 0;
  for (const auto& f : frames) {
    ASSERT_GE(f.data.size(), 5u);
    EXPECT_EQ(f.data[0], 0);
    EXPECT_EQ(f.data[3], 1);
    if (f.keyframe) {
      ++keys;
      EXPECT_EQ(f.data[4] & 0x1f, 7) << "keyframes start with their SPS";
    }
  }
  EXPECT_EQ(keys, 2u);
  EXPECT_EQ(frames[30].timestamp, Duration::millis(1000));
}

}  // namespace
}  // namespace medley::mux
