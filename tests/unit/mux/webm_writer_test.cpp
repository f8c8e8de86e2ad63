// WebmWriter: EBML encoding vectors, the header's bytes, track rules, Cluster/Cue policy, late frames, the
// header's wait for keyframes, finalization, sink failures, and ffprobe's verdict on files made from ffmpeg's
// own VP8, VP9, H.264 and Opus frames, whole and cut short.
#include "mux/webm_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "mux/ebml_writer.hpp"
#include "mux/file_sink.hpp"
#include "mux/webm_reader.hpp"
#include "rtp/payload/vp9.hpp"
#include "webm_test_util.hpp"

namespace medley::mux {
namespace {

using base::CodecId;
using base::Duration;
using testing::Frame;

std::vector<uint8_t> bytes(std::initializer_list<int> v) { return std::vector<uint8_t>(v.begin(), v.end()); }

std::vector<uint8_t> payload(size_t n, uint8_t seed) {
  std::vector<uint8_t> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<uint8_t>(seed * 31 + i * 7);
  return d;
}

// A VP8 keyframe header (RFC 6386 9.1): tag with P=0, start code, 14-bit width and height.
std::vector<uint8_t> vp8_keyframe(uint16_t w, uint16_t h, size_t n = 100) {
  std::vector<uint8_t> d = payload(n, 1);
  d[0] = 0x10, d[1] = 0x02, d[2] = 0x00;  // keyframe, version 0, show_frame, first partition size
  d[3] = 0x9d, d[4] = 0x01, d[5] = 0x2a;
  d[6] = uint8_t(w), d[7] = uint8_t(w >> 8), d[8] = uint8_t(h), d[9] = uint8_t(h >> 8);
  return d;
}
std::vector<uint8_t> vp8_delta(size_t n = 50) {
  std::vector<uint8_t> d = payload(n, 2);
  d[0] = 0x11;  // P=1
  return d;
}

struct ReadBack {
  std::vector<WebmFrame> frames;
  std::vector<WebmTrackInfo> tracks;
  WebmReadStatus end = WebmReadStatus::Error;
  std::optional<Duration> duration;
  bool cues = false;
};

ReadBack read_all(const std::vector<uint8_t>& file) {
  ReadBack rb;
  MemorySource src(file);
  auto r = WebmReader::open(src);
  if (!r) return rb;
  rb.tracks = r->tracks();
  rb.cues = r->has_cues();
  WebmFrame f;
  while ((rb.end = r->next(f)) == WebmReadStatus::Frame) rb.frames.push_back(f);
  rb.duration = r->duration();
  return rb;
}

// ---- EBML encoding

TEST(EbmlAppender, VintsAndIds) {
  std::vector<uint8_t> out;
  ebml::Appender a(out);
  a.vint(0);
  a.vint(126);
  a.vint(127);  // 0x7f is all ones in one byte (unknown), so it takes two
  a.vint(16382);
  a.vint(16383);
  a.unknown_size();
  a.id(0x1A45DFA3);
  a.id(0xA3);
  EXPECT_EQ(out, bytes({0x80, 0xFE, 0x40, 0x7F, 0x7F, 0xFE, 0x20, 0x3F, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                        0xFF, 0xFF, 0x1A, 0x45, 0xDF, 0xA3, 0xA3}));
}

TEST(EbmlAppender, ElementsAndMasters) {
  std::vector<uint8_t> out;
  ebml::Appender a(out);
  size_t m = a.open_master(0x1549A966);
  a.uint_element(0x2AD7B1, 1000000);
  a.string_element(0x4D80, "ab");
  EXPECT_EQ(a.close_master(m), 1u);
  EXPECT_EQ(out, bytes({0x15, 0x49, 0xA9, 0x66, 0x8C, 0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40, 0x4D, 0x80, 0x82,
                        'a', 'b'}));
  out.clear();
  a.float_element(0x4489, 1.5);
  EXPECT_EQ(out, bytes({0x44, 0x89, 0x88, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0}));
  out.clear();
  a.void_element(11);
  EXPECT_EQ(out, bytes({0xEC, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  out.clear();
  a.void_element(200);
  ASSERT_EQ(out.size(), 200u);
  EXPECT_EQ(out[0], 0xEC);
  EXPECT_EQ(out[1], 0x01);  // 8-byte size
  out.clear();
  a.uint_element(0xD7, 0);
  EXPECT_EQ(out, bytes({0xD7, 0x81, 0x00}));
}

// ---- header and tracks

TEST(WebmWriter, HeaderBytesForOneOpusTrack) {
  MemorySink sink;
  WebmWriter w(sink);
  ASSERT_EQ(w.add_track({.codec = CodecId::Opus, .channels = 2, .opus_pre_skip = 312}), 1u);
  ASSERT_EQ(w.write(1, Duration::millis(1000), true, payload(40, 1)), WebmWriteResult::Accepted);
  ASSERT_TRUE(w.header_written());  // audio-only: nothing to wait for
  const auto& d = sink.data();
  // EBML header: version 1, read version 1, max ID 4, max size 8, DocType "webm", DocTypeVersion 4, read 2.
  auto ebml = bytes({0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2,
                     0x81, 0x04, 0x42, 0xF3, 0x81, 0x08, 0x42, 0x82, 0x84, 'w',  'e',  'b',  'm',  0x42, 0x87,
                     0x81, 0x04, 0x42, 0x85, 0x81, 0x02});
  ASSERT_GE(d.size(), ebml.size() + 12);
  EXPECT_TRUE(std::equal(ebml.begin(), ebml.end(), d.begin()));
  // Segment of unknown size, then the SeekHead.
  auto segment = bytes({0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x11, 0x4D, 0x9B, 0x74});
  EXPECT_TRUE(std::equal(segment.begin(), segment.end(), d.begin() + ebml.size()));
  // No Cluster reached the sink yet: it is still open.
  EXPECT_EQ(w.stats().clusters, 0u);

  ASSERT_TRUE(w.finish());
  ReadBack rb = read_all(sink.data());
  ASSERT_EQ(rb.tracks.size(), 1u);
  const auto& t = rb.tracks[0];
  EXPECT_EQ(t.codec, CodecId::Opus);
  EXPECT_EQ(t.codec_id, "A_OPUS");
  EXPECT_EQ(t.codec_private, bytes({'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2, 0x38, 0x01, 0x80, 0xBB, 0, 0, 0,
                                    0, 0}));
  EXPECT_EQ(t.codec_delay_ns, 6'500'000u);  // 312 samples at 48 kHz
  EXPECT_EQ(t.seek_pre_roll_ns, 80'000'000u);
  EXPECT_EQ(t.sample_rate, 48000.0);
  EXPECT_EQ(t.channels, 2u);
  ASSERT_EQ(rb.frames.size(), 1u);
  EXPECT_EQ(rb.frames[0].timestamp, Duration::zero());  // rebased to the first frame
}

TEST(WebmWriter, TrackRules) {
  MemorySink sink;
  WebmWriter webm(sink);
  WebmTrackError err{};
  EXPECT_FALSE(webm.add_track({.codec = CodecId::H264}, &err));
  EXPECT_EQ(err, WebmTrackError::NotInWebm);
  EXPECT_FALSE(webm.add_track({.codec = CodecId::Pcmu}, &err));
  EXPECT_EQ(err, WebmTrackError::UnsupportedCodec);
  EXPECT_FALSE(webm.add_track({.codec = CodecId::Opus, .channels = 6}, &err));
  EXPECT_EQ(err, WebmTrackError::UnsupportedCodec);
  ASSERT_EQ(webm.add_track({.codec = CodecId::Opus}), 1u);
  EXPECT_EQ(webm.write(7, Duration::zero(), true, payload(10, 1)), WebmWriteResult::DroppedTrack);
  EXPECT_EQ(webm.write(1, Duration::zero(), true, {}), WebmWriteResult::DroppedInvalid);
  EXPECT_EQ(webm.write(1, Duration::zero(), true, payload(10, 1)), WebmWriteResult::Accepted);
  EXPECT_FALSE(webm.add_track({.codec = CodecId::Vp8}, &err));
  EXPECT_EQ(err, WebmTrackError::TooLate);

  MemorySink sink2;
  WebmWriter mkv(sink2, {.doc_type = WebmDocType::Matroska});
  EXPECT_EQ(mkv.add_track({.codec = CodecId::H264}), 1u);
  EXPECT_EQ(mkv.write(1, Duration::zero(), true, payload(10, 1)), WebmWriteResult::DroppedInvalid);  // not Annex B
}

TEST(WebmWriter, HeaderWaitsForVideoKeyframeAndLearnsItsSize) {
  MemorySink sink;
  WebmWriter w(sink);
  uint32_t v = *w.add_track({.codec = CodecId::Vp8});
  uint32_t a = *w.add_track({.codec = CodecId::Opus});
  EXPECT_EQ(w.write(v, Duration::millis(0), false, vp8_delta()), WebmWriteResult::DroppedNoKeyframe);
  EXPECT_EQ(w.write(a, Duration::millis(10), true, payload(30, 3)), WebmWriteResult::Accepted);
  EXPECT_EQ(w.write(a, Duration::millis(30), true, payload(30, 4)), WebmWriteResult::Accepted);
  EXPECT_FALSE(w.header_written());
  EXPECT_TRUE(sink.data().empty());
  EXPECT_EQ(w.write(v, Duration::millis(40), true, vp8_keyframe(352, 288)), WebmWriteResult::Accepted);
  EXPECT_TRUE(w.header_written());
  EXPECT_EQ(w.write(v, Duration::millis(73), false, vp8_delta()), WebmWriteResult::Accepted);
  ASSERT_TRUE(w.finish());
  EXPECT_EQ(w.stats().dropped_no_keyframe, 1u);

  ReadBack rb = read_all(sink.data());
  ASSERT_EQ(rb.tracks.size(), 2u);
  EXPECT_EQ(rb.tracks[0].width, 352u);
  EXPECT_EQ(rb.tracks[0].height, 288u);
  ASSERT_EQ(rb.frames.size(), 4u);
  // Rebased to the earliest buffered frame (audio at 10 ms), buffered frames written in time order.
  EXPECT_EQ(rb.frames[0].timestamp, Duration::millis(0));
  EXPECT_EQ(rb.frames[1].timestamp, Duration::millis(20));
  EXPECT_EQ(rb.frames[2].timestamp, Duration::millis(30));
  EXPECT_TRUE(rb.frames[2].keyframe);
  EXPECT_EQ(rb.frames[3].timestamp, Duration::millis(63));
  EXPECT_FALSE(rb.frames[3].keyframe);
}

TEST(WebmWriter, HeaderStopsWaitingAfterTheBound) {
  MemorySink sink;
  WebmWriter w(sink, {.doc_type = WebmDocType::Matroska});
  uint32_t vp8 = *w.add_track({.codec = CodecId::Vp8});
  uint32_t h264 = *w.add_track({.codec = CodecId::H264});
  uint32_t a = *w.add_track({.codec = CodecId::Opus});
  // A VP8 keyframe whose header is too short to give a size, and an H.264 keyframe without parameter sets.
  EXPECT_EQ(w.write(vp8, Duration::millis(0), true, bytes({0x10, 0x02})), WebmWriteResult::Accepted);
  EXPECT_EQ(w.write(h264, Duration::millis(0), true, bytes({0, 0, 0, 1, 0x65, 0x88, 0x84})), WebmWriteResult::Accepted);
  for (int t = 0; t < 1000; t += 20) {
    EXPECT_EQ(w.write(a, Duration::millis(t), true, payload(20, 5)), WebmWriteResult::Accepted);
  }
  EXPECT_FALSE(w.header_written());
  EXPECT_EQ(w.write(a, Duration::millis(1000), true, payload(20, 5)), WebmWriteResult::Accepted);
  EXPECT_TRUE(w.header_written());
  EXPECT_EQ(w.stats().tracks_left_out, 1u);
  EXPECT_EQ(w.write(h264, Duration::millis(1010), true, bytes({0, 0, 0, 1, 0x65, 1})), WebmWriteResult::DroppedTrack);
  ASSERT_TRUE(w.finish());
  ReadBack rb = read_all(sink.data());
  ASSERT_EQ(rb.tracks.size(), 2u);
  EXPECT_EQ(rb.tracks[0].codec, CodecId::Vp8);
  EXPECT_EQ(rb.tracks[0].width, 640u);  // fallback size
  EXPECT_EQ(rb.tracks[1].codec, CodecId::Opus);
  EXPECT_EQ(rb.frames.size(), 52u);
}

// ---- clusters, cues, late frames

TEST(WebmWriter, ClustersOnKeyframesAndEverySecondWithCuesOnKeyframes) {
  MemorySink sink;
  WebmWriter w(sink);
  uint32_t v = *w.add_track({.codec = CodecId::Vp8, .width = 64, .height = 48});
  uint32_t a = *w.add_track({.codec = CodecId::Opus});
  // 5 s: video at 25 fps with a keyframe every 2 s, audio every 20 ms.
  for (int t = 0; t < 5000; t += 20) {
    if (t % 40 == 0) {
      bool key = t % 2000 == 0;
      ASSERT_EQ(w.write(v, Duration::millis(t), key, key ? vp8_keyframe(64, 48) : vp8_delta()), WebmWriteResult::Accepted);
    }
    ASSERT_EQ(w.write(a, Duration::millis(t), true, payload(20, uint8_t(t))), WebmWriteResult::Accepted);
  }
  ASSERT_TRUE(w.finish());
  // Keyframes at 0, 2, 4 s; 1 s splits at 1 and 3 s.
  EXPECT_EQ(w.stats().clusters, 5u);
  EXPECT_EQ(w.stats().cues, 3u);
  EXPECT_EQ(w.duration(), Duration::millis(5000));

  ReadBack rb = read_all(sink.data());
  EXPECT_EQ(rb.end, WebmReadStatus::End);
  EXPECT_TRUE(rb.cues);
  EXPECT_EQ(rb.frames.size(), 125u + 250u);
  ASSERT_TRUE(rb.duration);
  EXPECT_EQ(*rb.duration, Duration::millis(5000));
}

TEST(WebmWriter, LateFramesGoInWithNegativeOffsetsOrAreDropped) {
  MemorySink sink;
  WebmWriter w(sink);
  uint32_t v = *w.add_track({.codec = CodecId::Vp8, .width = 64, .height = 48});
  uint32_t a = *w.add_track({.codec = CodecId::Opus});
  ASSERT_EQ(w.write(v, Duration::millis(1000), true, vp8_keyframe(64, 48)), WebmWriteResult::Accepted);
  ASSERT_EQ(w.write(v, Duration::millis(1500), true, vp8_keyframe(64, 48)), WebmWriteResult::Accepted);
  // Audio 300 ms older than the open Cluster (which starts at 1500): in, with a negative block offset.
  ASSERT_EQ(w.write(a, Duration::millis(1200), true, payload(20, 1)), WebmWriteResult::Accepted);
  // Before the file's start: dropped.
  ASSERT_EQ(w.write(a, Duration::millis(900), true, payload(20, 2)), WebmWriteResult::DroppedLate);
  // 40 s on, then 35 s back: beyond int16 milliseconds.
  ASSERT_EQ(w.write(v, Duration::millis(41000), true, vp8_keyframe(64, 48)), WebmWriteResult::Accepted);
  ASSERT_EQ(w.write(a, Duration::millis(6000), true, payload(20, 3)), WebmWriteResult::DroppedLate);
  ASSERT_TRUE(w.finish());
  EXPECT_EQ(w.stats().dropped_late, 2u);
  ReadBack rb = read_all(sink.data());
  ASSERT_EQ(rb.frames.size(), 4u);
  EXPECT_EQ(rb.frames[2].track, a);
  EXPECT_EQ(rb.frames[2].timestamp, Duration::millis(200));
  EXPECT_EQ(rb.frames[3].timestamp, Duration::millis(40000));
}

TEST(WebmWriter, OnlyCompleteClustersReachTheSink) {
  MemorySink sink(false);
  WebmWriter w(sink);
  uint32_t v = *w.add_track({.codec = CodecId::Vp8, .width = 64, .height = 48});
  size_t written = 0;
  for (int i = 0; i < 90; ++i) {
    bool key = i % 30 == 0;
    ASSERT_EQ(w.write(v, Duration::millis(i * 33), key, key ? vp8_keyframe(64, 48) : vp8_delta()), WebmWriteResult::Accepted);
    // Whatever is in the sink now reads cleanly, and holds exactly the frames of the Clusters closed so far.
    ReadBack rb = read_all(sink.data());
    EXPECT_EQ(rb.end, WebmReadStatus::End) << i;
    written = rb.frames.size();
    EXPECT_EQ(written, static_cast<size_t>(i / 30) * 30) << i;
  }
  ASSERT_TRUE(w.flush());
  EXPECT_EQ(read_all(sink.data()).frames.size(), 90u);
  ASSERT_TRUE(w.finish());
  // Not seekable: the Segment keeps its unknown size, Cues are still written at the end.
  const auto& d = sink.data();
  EXPECT_EQ(d[40], 0x01);
  EXPECT_EQ(d[41], 0xFF);
  ReadBack rb = read_all(d);
  EXPECT_EQ(rb.frames.size(), 90u);
  // The SeekHead could not be patched to point at them, so a reader finds them only by walking the file.
  EXPECT_FALSE(rb.cues);
  const uint8_t cues_id[] = {0x1C, 0x53, 0xBB, 0x6B};
  EXPECT_NE(std::search(d.begin(), d.end(), std::begin(cues_id), std::end(cues_id)), d.end());
}

TEST(WebmWriter, FinishPatchesSegmentSizeAndDuration) {
  MemorySink sink;
  WebmWriter w(sink);
  uint32_t a = *w.add_track({.codec = CodecId::Opus});
  for (int t = 0; t < 2000; t += 20) ASSERT_EQ(w.write(a, Duration::millis(t), true, payload(30, 1)), WebmWriteResult::Accepted);
  ASSERT_TRUE(w.finish());
  EXPECT_EQ(w.write(a, Duration::millis(3000), true, payload(30, 1)), WebmWriteResult::Failed);
  const auto& d = sink.data();
  // The EBML header is 5 + 31 bytes; the Segment's 8-byte size follows its 4-byte ID.
  ASSERT_EQ(d[40], 0x01);
  uint64_t size = 0;
  for (int i = 41; i < 48; ++i) size = (size << 8) | d[i];
  EXPECT_EQ(size, d.size() - 48);
  ReadBack rb = read_all(d);
  ASSERT_TRUE(rb.duration);
  EXPECT_EQ(*rb.duration, Duration::millis(2000));
  EXPECT_TRUE(rb.cues);  // audio-only: a cue per Cluster
}

class FailingSink final : public ByteSink {
 public:
  size_t budget = 0;
  bool write(base::Bytes d) override {
    if (d.size() > budget) return false;
    budget -= d.size();
    return true;
  }
  bool can_seek() const override { return false; }
  bool write_at(uint64_t, base::Bytes) override { return false; }
};

TEST(WebmWriter, SinkFailureStopsTheWriter) {
  FailingSink sink;
  sink.budget = 400;
  WebmWriter w(sink);
  uint32_t a = *w.add_track({.codec = CodecId::Opus});
  WebmWriteResult last = WebmWriteResult::Accepted;
  int n = 0;
  for (; n < 1000 && last == WebmWriteResult::Accepted; ++n) last = w.write(a, Duration::millis(n * 20), true, payload(100, 1));
  EXPECT_EQ(last, WebmWriteResult::Failed);
  EXPECT_TRUE(w.failed());
  EXPECT_EQ(w.write(a, Duration::millis(n * 20), true, payload(100, 1)), WebmWriteResult::Failed);
  EXPECT_FALSE(w.finish());
}

TEST(FileSink, WritesPatchesAndReportsErrors) {
  auto path = testing::scratch_dir() / ("file_sink_" + std::to_string(::getpid()) + ".bin");
  {
    auto sink = FileSink::open(path.string(), {.sync_every_bytes = 4});
    ASSERT_TRUE(sink);
    EXPECT_TRUE(sink->write(bytes({1, 2, 3, 4, 5})));
    EXPECT_TRUE(sink->write_at(1, bytes({9, 9})));
    EXPECT_FALSE(sink->write_at(4, bytes({7, 7})));  // would extend the file
    EXPECT_EQ(sink->size(), 5u);
    EXPECT_TRUE(sink->close());
    EXPECT_FALSE(sink->write(bytes({1})));
  }
  EXPECT_EQ(testing::read_file(path), bytes({1, 9, 9, 4, 5}));
  auto again = FileSink::open(path.string(), {.truncate = false});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), EEXIST);
  auto nodir = FileSink::open("/nonexistent-dir/x.webm");
  ASSERT_FALSE(nodir);
  EXPECT_EQ(nodir.error(), ENOENT);
  std::filesystem::remove(path);
}

// ---- against ffmpeg/ffprobe

struct Media {
  std::vector<Frame> vp8, vp9, opus;
};

const Media& media() {
  static Media m = [] {
    Media r;
    auto vp8 = testing::ffmpeg_media("vp8_320x240_30fps_3s.ivf",
        "-f lavfi -i testsrc=size=320x240:rate=30:duration=3 -c:v libvpx -b:v 300k -g 30 -deadline realtime "
        "-cpu-used 8 -f ivf {out}");
    auto vp9 = testing::ffmpeg_media("vp9_160x120_30fps_2s.ivf",
        "-f lavfi -i testsrc=size=160x120:rate=30:duration=2 -c:v libvpx-vp9 -b:v 200k -g 30 -deadline realtime "
        "-cpu-used 8 -f ivf {out}");
    auto opus = testing::ffmpeg_media("opus_48k_stereo_3s.ogg",
        "-f lavfi -i sine=frequency=440:sample_rate=48000:duration=3 -ac 2 -c:a libopus -b:a 64k -f ogg {out}");
    r.vp8 = testing::ivf_frames(testing::read_file(vp8), 30);
    r.vp9 = testing::ivf_frames(testing::read_file(vp9), 30);
    for (auto& f : r.vp9) {
      auto h = rtp::Vp9FrameHeader::parse(f.data);
      f.keyframe = h && h->keyframe;
    }
    r.opus = testing::opus_frames(testing::read_file(opus));
    return r;
  }();
  return m;
}

// Interleaves video and audio by timestamp, audio first on ties.
std::vector<uint8_t> mux(WebmWriterConfig config, const std::vector<Frame>& video, CodecId vcodec,
                         const std::vector<Frame>& audio, WebmWriter** out_writer = nullptr) {
  MemorySink sink;
  WebmWriter w(sink, config);
  uint32_t v = video.empty() ? 0 : *w.add_track({.codec = vcodec});
  uint32_t a = audio.empty() ? 0 : *w.add_track({.codec = CodecId::Opus});
  size_t i = 0, j = 0;
  while (i < video.size() || j < audio.size()) {
    bool take_audio = j < audio.size() && (i >= video.size() || audio[j].pts_ms <= video[i].pts_ms);
    const Frame& f = take_audio ? audio[j++] : video[i++];
    EXPECT_EQ(w.write(take_audio ? a : v, Duration::millis(f.pts_ms), f.keyframe, f.data), WebmWriteResult::Accepted);
  }
  EXPECT_TRUE(w.finish());
  (void)out_writer;
  return sink.data();
}

double as_double(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? -1 : std::atof(it->second.c_str());
}

TEST(WebmWriterFfprobe, Vp8AndOpus) {
  ASSERT_TRUE(testing::have_ffmpeg()) << "ffmpeg/ffprobe missing in /usr/bin";
  const Media& m = media();
  ASSERT_EQ(m.vp8.size(), 90u);
  ASSERT_GE(m.opus.size(), 149u);
  auto file = mux({}, m.vp8, CodecId::Vp8, m.opus);
  auto path = testing::scratch_dir() / ("vp8_opus_" + std::to_string(::getpid()) + ".webm");
  testing::write_file(path, file);
  auto p = testing::ffprobe(path);
  EXPECT_EQ(p["exit"], "0");
  EXPECT_EQ(p["streams.stream.0.codec_name"], "vp8");
  EXPECT_EQ(p["streams.stream.0.width"], "320");
  EXPECT_EQ(p["streams.stream.0.nb_read_frames"], "90");
  EXPECT_EQ(p["streams.stream.1.codec_name"], "opus");
  EXPECT_EQ(p["streams.stream.1.nb_read_frames"], std::to_string(m.opus.size()));
  EXPECT_NEAR(as_double(p, "format.duration"), 3.0, 0.15);
  EXPECT_NE(p["format.format_name"].find("webm"), std::string::npos);

  // Every frame comes back byte for byte through our reader.
  ReadBack rb = read_all(file);
  ASSERT_EQ(rb.frames.size(), m.vp8.size() + m.opus.size());
  size_t vi = 0, ai = 0;
  for (const auto& f : rb.frames) {
    const Frame& src = f.track == 1 ? m.vp8[vi++] : m.opus[ai++];
    EXPECT_EQ(f.data, src.data);
    EXPECT_EQ(f.keyframe, src.keyframe);
    EXPECT_EQ(f.timestamp, Duration::millis(src.pts_ms));
  }
  std::filesystem::remove(path);
}

TEST(WebmWriterFfprobe, Vp9VideoOnly) {
  ASSERT_TRUE(testing::have_ffmpeg());
  const Media& m = media();
  ASSERT_EQ(m.vp9.size(), 60u);
  auto path = testing::scratch_dir() / ("vp9_" + std::to_string(::getpid()) + ".webm");
  testing::write_file(path, mux({}, m.vp9, CodecId::Vp9, {}));
  auto p = testing::ffprobe(path);
  EXPECT_EQ(p["streams.stream.0.codec_name"], "vp9");
  EXPECT_EQ(p["streams.stream.0.width"], "160");
  EXPECT_EQ(p["streams.stream.0.nb_read_frames"], "60");
  EXPECT_NEAR(as_double(p, "format.duration"), 2.0, 0.1);
  std::filesystem::remove(path);
}

TEST(WebmWriterFfprobe, H264InMatroska) {
  ASSERT_TRUE(testing::have_ffmpeg());
  // H.264 frames as the pipeline has them (Annex B, SPS/PPS on keyframes), taken from an ffmpeg MKV by our reader.
  auto src = testing::ffmpeg_media("h264_320x240_30fps_2s.mkv",
      "-f lavfi -i testsrc=size=320x240:rate=30:duration=2 -c:v libx264 -preset ultrafast -tune zerolatency -g 30 "
      "-pix_fmt yuv420p {out}");
  auto bytes_in = testing::read_file(src);
  MemorySource source(bytes_in);
  auto r = WebmReader::open(source);
  ASSERT_TRUE(r);
  std::vector<Frame> frames;
  WebmFrame f;
  while (r->next(f) == WebmReadStatus::Frame) {
    frames.push_back(Frame{f.timestamp.ms(), f.keyframe, f.data});
  }
  ASSERT_EQ(frames.size(), 60u);
  auto file = mux({.doc_type = WebmDocType::Matroska}, frames, CodecId::H264, {});
  auto path = testing::scratch_dir() / ("h264_" + std::to_string(::getpid()) + ".mkv");
  testing::write_file(path, file);
  auto p = testing::ffprobe(path);
  EXPECT_EQ(p["exit"], "0");
  EXPECT_EQ(p["streams.stream.0.codec_name"], "h264");
  EXPECT_EQ(p["streams.stream.0.width"], "320");
  EXPECT_EQ(p["streams.stream.0.height"], "240");
  EXPECT_EQ(p["streams.stream.0.nb_read_frames"], "60");
  EXPECT_NEAR(as_double(p, "format.duration"), 2.0, 0.1);
  EXPECT_NE(p["format.format_name"].find("matroska"), std::string::npos);
  // And back: Annex B frames identical to what went in.
  ReadBack rb = read_all(file);
  ASSERT_EQ(rb.frames.size(), frames.size());
  for (size_t i = 0; i < frames.size(); ++i) EXPECT_EQ(rb.frames[i].data, frames[i].data) << i;
  std::filesystem::remove(path);
}

TEST(WebmWriterFfprobe, FileCutAnywherePlaysUpToItsLastCompleteCluster) {
  ASSERT_TRUE(testing::have_ffmpeg());
  const Media& m = media();
  // A recording killed mid-way: nothing finalized, written through a FileSink.
  auto path = testing::scratch_dir() / ("killed_" + std::to_string(::getpid()) + ".webm");
  std::vector<size_t> cluster_ends;  // file size after each Cluster reached the file, and the frames it held
  std::vector<size_t> frames_at;
  {
    auto sink = FileSink::open(path.string());
    ASSERT_TRUE(sink);
    WebmWriter w(*sink);
    uint32_t v = *w.add_track({.codec = CodecId::Vp8});
    uint32_t a = *w.add_track({.codec = CodecId::Opus});
    size_t i = 0, j = 0, n = 0;
    uint64_t clusters = 0;
    while (i < m.vp8.size() || j < m.opus.size()) {
      bool take_audio = j < m.opus.size() && (i >= m.vp8.size() || m.opus[j].pts_ms <= m.vp8[i].pts_ms);
      const Frame& f = take_audio ? m.opus[j++] : m.vp8[i++];
      ASSERT_EQ(w.write(take_audio ? a : v, Duration::millis(f.pts_ms), f.keyframe, f.data), WebmWriteResult::Accepted);
      if (w.stats().clusters != clusters) {
        clusters = w.stats().clusters;
        cluster_ends.push_back(sink->size());
        frames_at.push_back(n);  // frames before this one were all in closed Clusters
      }
      ++n;
    }
    // No finish(): the process "dies" here.
  }
  ASSERT_GE(cluster_ends.size(), 2u);
  auto whole = testing::read_file(path);
  auto cut_path = testing::scratch_dir() / ("cut_" + std::to_string(::getpid()) + ".webm");
  for (size_t c = 0; c < cluster_ends.size(); ++c) {
    for (size_t extra : {size_t{0}, size_t{1}, size_t{777}}) {
      size_t cut = cluster_ends[c] + extra;
      if (cut > whole.size()) continue;
      testing::write_file(cut_path, whole, cut);
      auto p = testing::ffprobe(cut_path);
      EXPECT_EQ(p["streams.stream.0.codec_name"], "vp8");
      double got = as_double(p, "streams.stream.0.nb_read_frames") + as_double(p, "streams.stream.1.nb_read_frames");
      EXPECT_GE(got, static_cast<double>(frames_at[c])) << "cut at " << cut;
      std::vector<uint8_t> prefix(whole.begin(), whole.begin() + static_cast<ptrdiff_t>(cut));
      ReadBack rb = read_all(prefix);
      EXPECT_EQ(rb.end, WebmReadStatus::End) << cut;
      EXPECT_GE(rb.frames.size(), frames_at[c]) << cut;
    }
  }
  std::filesystem::remove(cut_path);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace medley::mux
