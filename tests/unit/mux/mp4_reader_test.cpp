// Mp4Reader: our writer's files round trip, ffmpeg's progressive and fragmented files read, seeking, cut and
// corrupted files never crash.
#include "mux/mp4_reader.hpp"

#include <gtest/gtest.h>

#include <random>

#include "mux/mp4_box.hpp"
#include "mux/mp4_writer.hpp"
#include "rtp/payload/h264.hpp"
#include "tests/unit/mux/mp4_test_media.hpp"

namespace medley::mux {
namespace {

using base::CodecId;
using base::Duration;
using test::audio_time;
using test::video_time;

std::vector<uint8_t> write_mp4(const test::TestMedia& m, Mp4WriterConfig cfg = {}, bool finish = true) {
  MemorySink sink;
  Mp4Writer w(cfg, sink);
  size_t v = 0, a = 0;
  while (v < m.video.size() || a < m.audio.size()) {
    if (a >= m.audio.size() || (v < m.video.size() && video_time(v) <= audio_time(a))) {
      w.write(m.video[v], video_time(v));
      ++v;
    } else {
      w.write(m.audio[a], audio_time(a));
      ++a;
    }
  }
  if (finish) {
    EXPECT_TRUE(w.finish());
  }
  return sink.data();
}

std::vector<std::vector<uint8_t>> nal_units(const std::vector<uint8_t>& annex_b) {
  std::vector<base::Bytes> nals;
  rtp::h264::split_annex_b(annex_b, nals);
  std::vector<std::vector<uint8_t>> out;
  for (auto n : nals) {
    if ((n[0] & 0x1f) != rtp::h264::kAud) out.emplace_back(n.begin(), n.end());
  }
  return out;
}

struct ReadAll {
  std::vector<Mp4Frame> video, audio;
  Mp4ReadStatus status;
};
ReadAll read_all(Mp4Reader& r) {
  ReadAll out;
  Mp4Frame f;
  while ((out.status = r.read(f)) == Mp4ReadStatus::Frame) {
    (r.tracks()[f.track].kind == base::MediaKind::Video ? out.video : out.audio).push_back(f);
  }
  return out;
}

TEST(Mp4Reader, RoundTripsOurFragmentedFile) {
  const auto& m = test::h264_opus_media();
  auto file = write_mp4(m);
  MemorySource src(file);
  auto r = Mp4Reader::open(src);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->fragmented());
  EXPECT_FALSE(r->truncated());
  ASSERT_EQ(r->tracks().size(), 2u);
  const auto& vt = r->tracks()[0];
  EXPECT_EQ(vt.codec, CodecId::H264);
  EXPECT_EQ(vt.sample_entry, fourcc("avc1"));
  EXPECT_EQ(vt.timescale, 90000u);
  EXPECT_EQ(vt.width, 320);
  EXPECT_EQ(vt.height, 240);
  ASSERT_TRUE(vt.avc);
  EXPECT_EQ(vt.sample_count, m.video.size());
  const auto& at = r->tracks()[1];
  EXPECT_EQ(at.codec, CodecId::Opus);
  EXPECT_EQ(at.kind, base::MediaKind::Audio);
  EXPECT_EQ(at.timescale, 48000u);
  EXPECT_EQ(at.channels, 2);
  EXPECT_NEAR(r->duration().seconds_f(), 3.0, 0.05);
  EXPECT_TRUE(r->is_seekable());

  auto all = read_all(*r);
  EXPECT_EQ(all.status, Mp4ReadStatus::End);
  ASSERT_EQ(all.video.size(), m.video.size());
  ASSERT_EQ(all.audio.size(), m.audio.size());
  for (size_t i = 0; i < m.video.size(); ++i) {
    const auto& f = all.video[i];
    EXPECT_EQ(f.frame.codec, CodecId::H264);
    EXPECT_EQ(f.frame.keyframe, m.video[i].keyframe) << i;
    EXPECT_EQ(nal_units(f.frame.data), nal_units(m.video[i].data)) << "frame " << i;
    EXPECT_NEAR(static_cast<double>(f.dts.us()), static_cast<double>(video_time(i).us()), 12) << i;
    EXPECT_EQ(f.pts, f.dts);
    if (f.frame.keyframe) {
      EXPECT_EQ(f.frame.width, 320);
      EXPECT_EQ(f.frame.data[4] & 0x1f, rtp::h264::kSps) << "SPS leads each keyframe";
    }
  }
  for (size_t i = 0; i < m.audio.size(); ++i) {
    EXPECT_EQ(all.audio[i].frame.data, m.audio[i].data) << i;
    EXPECT_EQ(all.audio[i].dts, Duration::micros(audio_time(i).us())) << i;
    EXPECT_EQ(all.audio[i].frame.rtp_timestamp, i * 960) << i;
  }
  // Decode order across tracks.
  r->seek(Duration::zero());
  Mp4Frame f;
  Duration last = Duration::micros(-1);
  while (r->read(f) == Mp4ReadStatus::Frame) {
    EXPECT_GE(f.dts, last);
    last = f.dts;
  }
}

TEST(Mp4Reader, SeeksToThePrecedingKeyframe) {
  const auto& m = test::h264_opus_media();  // keyframes at 0, 1 and 2 s
  auto file = write_mp4(m);
  MemorySource src(file);
  auto r = Mp4Reader::open(src);
  ASSERT_TRUE(r.ok());
  struct Case {
    int64_t ms;
    int64_t expect_ms;
  };
  for (Case c : {Case{1500, 1000}, Case{999, 0}, Case{1000, 1000}, Case{0, 0}, Case{2400, 2000}, Case{60000, 2000},
                 Case{-5, 0}}) {
    Duration at = r->seek(Duration::millis(c.ms));
    EXPECT_NEAR(static_cast<double>(at.us()), static_cast<double>(c.expect_ms * 1000), 20) << c.ms;
    Mp4Frame f;
    bool video_seen = false, audio_seen = false;
    for (int n = 0; n < 10 && r->read(f) == Mp4ReadStatus::Frame; ++n) {
      if (r->tracks()[f.track].kind == base::MediaKind::Video) {
        if (!video_seen) {
          EXPECT_TRUE(f.frame.keyframe) << c.ms;
          EXPECT_EQ(f.dts, at);
        }
        video_seen = true;
      } else {
        if (!audio_seen) {
          EXPECT_GE(f.dts, at);
        }
        audio_seen = true;
      }
    }
    EXPECT_TRUE(video_seen && audio_seen) << c.ms;
  }
}

TEST(Mp4Reader, ReadsOurFileCutAnywhereUpToWhatIsThere) {
  const auto& m = test::h264_opus_media();
  auto file = write_mp4(m, {}, false);  // as a killed recorder leaves it
  size_t last_frames = 0;
  for (size_t cut = 0; cut <= file.size(); cut += file.size() / 37 + 1) {
    MemorySource src(base::Bytes(file).first(cut));
    auto r = Mp4Reader::open(src);
    if (!r.ok()) {
      EXPECT_LT(cut, 1200u) << "only a cut inside ftyp/moov fails";
      continue;
    }
    auto all = read_all(*r);
    EXPECT_EQ(all.status, Mp4ReadStatus::End);
    size_t frames = all.video.size() + all.audio.size();
    EXPECT_GE(frames, last_frames) << "a longer prefix never yields fewer frames";
    last_frames = frames;
  }
  MemorySource whole(file);
  auto r = Mp4Reader::open(whole);
  ASSERT_TRUE(r.ok());
  auto all = read_all(*r);
  // Everything but the samples still held in the writer when it was "killed".
  EXPECT_GE(all.video.size(), m.video.size() - 31);
  EXPECT_GE(all.audio.size(), m.audio.size() - 52);  // a second, the packet straddling its start, the held one
}

TEST(Mp4Reader, ReadsFfmpegProgressiveH264AacAndSkipsTheAacTrack) {
  MEDLEY_REQUIRE_FFMPEG();
  auto path = test::temp_dir() / "ff_prog_aac.mp4";
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440 -t 2 "
                           "-pix_fmt yuv420p -c:v libx264 -g 25 -c:a aac '" + path.string() + "'"));
  auto file = test::read_file(path);
  MemorySource src(file);
  auto r = Mp4Reader::open(src);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fragmented());
  ASSERT_EQ(r->tracks().size(), 2u);
  EXPECT_EQ(r->tracks()[0].codec, CodecId::H264);
  EXPECT_EQ(r->tracks()[1].codec, CodecId::Unknown);
  EXPECT_EQ(r->tracks()[1].sample_entry, fourcc("mp4a"));
  EXPECT_EQ(r->tracks()[1].kind, base::MediaKind::Audio);
  EXPECT_GT(r->tracks()[1].sample_count, 80u);
  EXPECT_NEAR(r->duration().seconds_f(), 2.0, 0.1);
  auto all = read_all(*r);
  ASSERT_EQ(all.video.size(), 50u);
  EXPECT_TRUE(all.audio.empty());
  size_t keyframes = 0;
  std::vector<int64_t> pts;
  std::vector<uint8_t> annex_b;
  for (const auto& f : all.video) {
    keyframes += f.frame.keyframe;
    pts.push_back(f.pts.us());
    annex_b.insert(annex_b.end(), f.frame.data.begin(), f.frame.data.end());
  }
  EXPECT_EQ(keyframes, 2u);
  // libx264's default B-frames: ctts applied, so presentation times are the 25 fps grid in some order.
  std::sort(pts.begin(), pts.end());
  for (size_t i = 1; i < pts.size(); ++i) EXPECT_NEAR(pts[i] - pts[i - 1], 40000, 2);
  EXPECT_NE(all.video[1].pts, all.video[1].dts);
  // The Annex B we give back decodes: ffprobe counts every frame.
  auto es = test::temp_dir() / "ff_prog_aac.h264";
  test::write_file(es, annex_b);
  EXPECT_EQ(test::probe(es, "v:0")["nb_read_frames"], "50");
  EXPECT_EQ(r->seek(Duration::millis(1500)), Duration::seconds(1) + (all.video[0].dts));
}

TEST(Mp4Reader, ReadsFfmpegFragmentedH264Opus) {
  MEDLEY_REQUIRE_FFMPEG();
  auto path = test::temp_dir() / "ff_frag.mp4";
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc=size=320x240:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 "
                           "-t 2 -pix_fmt yuv420p -c:v libx264 -bf 0 -g 30 -c:a libopus "
                           "-movflags frag_keyframe+empty_moov '" + path.string() + "'"));
  auto file = test::read_file(path);
  MemorySource src(file);
  auto r = Mp4Reader::open(src);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->fragmented());
  ASSERT_EQ(r->tracks().size(), 2u);
  EXPECT_EQ(r->tracks()[0].codec, CodecId::H264);
  EXPECT_EQ(r->tracks()[1].codec, CodecId::Opus);
  EXPECT_NEAR(r->duration().seconds_f(), 2.0, 0.1);
  auto all = read_all(*r);
  EXPECT_EQ(all.video.size(), 60u);
  EXPECT_EQ(test::probe(path, "a:0")["nb_read_frames"], std::to_string(all.audio.size()));
  EXPECT_TRUE(all.video[0].frame.keyframe);
  EXPECT_TRUE(all.video[30].frame.keyframe);
  EXPECT_FALSE(all.video[29].frame.keyframe);
}

TEST(Mp4Reader, ReadsFfmpegProgressiveOpusAndVp9) {
  MEDLEY_REQUIRE_FFMPEG();
  auto path = test::temp_dir() / "ff_vp9_opus.mp4";
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc=size=160x120:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 "
                           "-t 1 -c:v libvpx-vp9 -deadline realtime -b:v 200k -c:a libopus '" + path.string() + "'"));
  auto file = test::read_file(path);
  MemorySource src(file);
  auto r = Mp4Reader::open(src);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->tracks().size(), 2u);
  EXPECT_EQ(r->tracks()[0].codec, CodecId::Vp9);
  EXPECT_EQ(r->tracks()[0].width, 160);
  ASSERT_TRUE(r->tracks()[0].vp9);
  EXPECT_EQ(r->tracks()[0].vp9->bit_depth, 8);
  EXPECT_EQ(r->tracks()[1].codec, CodecId::Opus);
  ASSERT_TRUE(r->tracks()[1].opus);
  EXPECT_EQ(r->tracks()[1].opus->pre_skip, 312);
  auto all = read_all(*r);
  EXPECT_EQ(all.video.size(), 30u);
  EXPECT_TRUE(all.video[0].frame.keyframe);
  EXPECT_EQ(all.video[0].frame.data[0] >> 6, 2) << "VP9 frame_marker";
  EXPECT_EQ(test::probe(path, "a:0")["nb_read_frames"], std::to_string(all.audio.size()));
}

// A hand-made progressive file exercising the table variants ffmpeg does not write: stz2 (4 and 8-bit sizes), co64,
// several stsc runs, stts runs, signed ctts (version 1) and stss.
std::vector<uint8_t> handmade_progressive(unsigned stz2_bits) {
  // Five samples of 4-byte length + one NAL: sizes 9, 10, 11, 12, 13 bytes (NAL of 5..9 bytes).
  std::vector<uint8_t> mdat_payload;
  for (uint8_t i = 0; i < 5; ++i) {
    uint8_t nal_len = static_cast<uint8_t>(5 + i);
    mdat_payload.insert(mdat_payload.end(), {0, 0, 0, nal_len});
    mdat_payload.push_back(i == 0 || i == 3 ? 0x65 : 0x41);
    for (uint8_t k = 1; k < nal_len; ++k) mdat_payload.push_back(static_cast<uint8_t>(0x10 * i + k));
  }
  std::vector<uint8_t> out;
  BoxBuilder b(out);
  size_t ftyp = b.begin(fourcc("ftyp"));
  b.u32(fourcc("isom"));
  b.u32(0);
  b.end(ftyp);
  size_t mdat = b.begin(fourcc("mdat"));
  const uint64_t data_at = out.size();
  b.bytes(mdat_payload);
  b.end(mdat);
  size_t moov = b.begin(fourcc("moov"));
  size_t trak = b.begin(fourcc("trak"));
  size_t tkhd = b.begin_full(fourcc("tkhd"), 1, 3);
  b.zeros(16);
  b.u32(7);  // track_ID
  b.zeros(4 + 8 + 8 + 8 + 36 + 8);
  b.end(tkhd);
  size_t mdia = b.begin(fourcc("mdia"));
  size_t mdhd = b.begin_full(fourcc("mdhd"), 1, 0);
  b.zeros(16);
  b.u32(1000);
  b.u64(0);
  b.u32(0);
  b.end(mdhd);
  size_t hdlr = b.begin_full(fourcc("hdlr"), 0, 0);
  b.u32(0);
  b.u32(fourcc("vide"));
  b.zeros(13);
  b.end(hdlr);
  size_t minf = b.begin(fourcc("minf"));
  size_t stbl = b.begin(fourcc("stbl"));
  size_t stsd = b.begin_full(fourcc("stsd"), 0, 0);
  b.u32(1);
  size_t avc1 = b.begin(fourcc("avc1"));
  b.zeros(6);
  b.u16(1);
  b.zeros(16);
  b.u16(64);
  b.u16(48);
  b.zeros(50);
  size_t avcc = b.begin(fourcc("avcC"));
  b.bytes(std::vector<uint8_t>{1, 66, 0xc0, 30, 0xff, 0xe1, 0, 4, 0x67, 66, 0xc0, 30, 1, 0, 2, 0x68, 0xce});
  b.end(avcc);
  b.end(avc1);
  b.end(stsd);
  size_t stts = b.begin_full(fourcc("stts"), 0, 0);  // 3 x 40, then 2 x 20
  b.u32(2);
  b.u32(3);
  b.u32(40);
  b.u32(2);
  b.u32(20);
  b.end(stts);
  size_t ctts = b.begin_full(fourcc("ctts"), 1, 0);  // +80, -40, 0, 0, 0
  b.u32(3);
  b.u32(1);
  b.u32(80);
  b.u32(1);
  b.u32(static_cast<uint32_t>(-40));
  b.u32(3);
  b.u32(0);
  b.end(ctts);
  size_t stss = b.begin_full(fourcc("stss"), 0, 0);
  b.u32(2);
  b.u32(1);
  b.u32(4);
  b.end(stss);
  size_t stsc = b.begin_full(fourcc("stsc"), 0, 0);  // chunk 1: 2 samples, chunks 2..: 3 samples
  b.u32(2);
  b.u32(1);
  b.u32(2);
  b.u32(1);
  b.u32(2);
  b.u32(3);
  b.u32(1);
  b.end(stsc);
  size_t stz2 = b.begin_full(fourcc("stz2"), 0, 0);
  b.u24(0);
  b.u8(static_cast<uint8_t>(stz2_bits));
  b.u32(5);
  if (stz2_bits == 8) {
    for (uint8_t i = 0; i < 5; ++i) b.u8(static_cast<uint8_t>(9 + i));
  } else {  // 4-bit: 9,10 | 11,12 | 13,pad
    b.u8(0x9a);
    b.u8(0xbc);
    b.u8(0xd0);
  }
  b.end(stz2);
  size_t co64 = b.begin_full(fourcc("co64"), 0, 0);
  b.u32(2);
  b.u64(data_at);
  b.u64(data_at + 9 + 10);
  b.end(co64);
  b.end(stbl);
  b.end(minf);
  b.end(mdia);
  b.end(trak);
  b.end(moov);
  return out;
}

TEST(Mp4Reader, HandmadeProgressiveWithStz2Co64CttsStss) {
  for (unsigned bits : {8u, 4u}) {
    auto file = handmade_progressive(bits);
    MemorySource src(file);
    auto r = Mp4Reader::open(src);
    ASSERT_TRUE(r.ok()) << bits;
    ASSERT_EQ(r->tracks().size(), 1u);
    EXPECT_EQ(r->tracks()[0].track_id, 7u);
    EXPECT_EQ(r->tracks()[0].codec, CodecId::H264);
    EXPECT_EQ(r->tracks()[0].sample_count, 5u);
    EXPECT_EQ(r->duration(), Duration::millis(160));
    auto all = read_all(*r);
    ASSERT_EQ(all.video.size(), 5u) << bits;
    const int64_t dts[5] = {0, 40, 80, 120, 140};
    const int64_t pts[5] = {80, 0, 80, 120, 140};
    for (size_t i = 0; i < 5; ++i) {
      const auto& f = all.video[i];
      EXPECT_EQ(f.dts, Duration::millis(dts[i])) << i;
      EXPECT_EQ(f.pts, Duration::millis(pts[i])) << i;
      EXPECT_EQ(f.frame.keyframe, i == 0 || i == 3) << i;
      // Keyframes get SPS and PPS in front; each sample's own NAL follows with a start code.
      size_t lead = f.frame.keyframe ? 4 + 4 + 4 + 2 : 0;
      ASSERT_EQ(f.frame.data.size(), lead + 4 + 5 + i) << i;
      if (f.frame.keyframe) {
        EXPECT_EQ(f.frame.data[4], 0x67);
      }
      EXPECT_EQ(f.frame.data[lead + 5], 0x10 * i + 1) << "sample " << i << " read from its own offset";
    }
  }
}

TEST(Mp4Reader, RejectsWhatIsNotMp4) {
  std::vector<uint8_t> empty;
  MemorySource e(empty);
  auto r = Mp4Reader::open(e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Mp4OpenError::NotMp4);
  std::vector<uint8_t> garbage(100, 0xab);
  MemorySource g(garbage);
  EXPECT_EQ(Mp4Reader::open(g).error(), Mp4OpenError::NotMp4);
  // An ftyp and an mdat but no moov.
  std::vector<uint8_t> no_moov = {0, 0, 0, 12, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 0, 8, 'm', 'd', 'a', 't'};
  MemorySource n(no_moov);
  EXPECT_EQ(Mp4Reader::open(n).error(), Mp4OpenError::NoMoov);
  // A moov bigger than the limit.
  const auto& m = test::h264_opus_media();
  auto file = write_mp4(m);
  MemorySource src(file);
  Mp4ReaderLimits tiny;
  tiny.max_box_bytes = 100;
  EXPECT_EQ(Mp4Reader::open(src, tiny).error(), Mp4OpenError::MoovTooLarge);
}

TEST(Mp4Reader, SampleLimitCapsTheIndex) {
  const auto& m = test::h264_opus_media();
  auto file = write_mp4(m);
  MemorySource src(file);
  Mp4ReaderLimits limits;
  limits.max_samples = 40;
  auto r = Mp4Reader::open(src, limits);
  ASSERT_TRUE(r.ok());
  auto all = read_all(*r);
  EXPECT_EQ(all.video.size() + all.audio.size(), 40u);
}

TEST(Mp4Reader, CorruptedFilesNeverCrash) {
  // Byte flips and cuts over our file and ffmpeg's progressive one: whatever comes out, it ends.
  test::TestMedia small;
  const auto& m = test::h264_opus_media();
  small.video.assign(m.video.begin(), m.video.begin() + 12);
  small.audio.assign(m.audio.begin(), m.audio.begin() + 20);
  std::vector<std::vector<uint8_t>> files = {write_mp4(small)};
  if (test::have_ffmpeg()) {
    auto path = test::temp_dir() / "ff_small.mp4";
    if (test::ffmpeg("-f lavfi -i testsrc=size=64x48:rate=10 -t 0.5 -pix_fmt yuv420p -c:v libx264 '" +
                     path.string() + "'")) {
      files.push_back(test::read_file(path));
    }
  }
  std::mt19937 rng(1234);
  size_t opened = 0;
  for (const auto& original : files) {
    for (int iter = 0; iter < 400; ++iter) {
      auto file = original;
      int flips = 1 + static_cast<int>(rng() % 8);
      for (int k = 0; k < flips; ++k) file[rng() % file.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      if (iter % 4 == 0) file.resize(rng() % file.size());
      MemorySource src(file);
      Mp4ReaderLimits limits;
      limits.max_samples = 20000;
      auto r = Mp4Reader::open(src, limits);
      if (!r.ok()) continue;
      ++opened;
      auto all = read_all(*r);
      EXPECT_NE(all.status, Mp4ReadStatus::ReadFailed);
      r->seek(Duration::millis(300));
      read_all(*r);
    }
  }
  EXPECT_GT(opened, 100u);
}

}  // namespace
}  // namespace medley::mux
