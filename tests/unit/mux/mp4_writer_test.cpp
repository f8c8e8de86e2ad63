// Mp4Writer: box layout, fragmenting rules, setup and error paths, and ffprobe on what it writes (whole and cut).
#include "mux/mp4_writer.hpp"

#include <gtest/gtest.h>

#include "../common/alloc_counter.hpp"
#include "mux/mp4_box.hpp"
#include "mux/mp4_codec_config.hpp"
#include "tests/unit/mux/mp4_test_media.hpp"

namespace medley::mux {
namespace {

using base::Bytes;
using base::CodecId;
using base::EncodedFrame;
using base::Timestamp;
using test::audio_time;
using test::video_time;

// Feeds video and audio interleaved by time, as a recorder would.
void feed(Mp4Writer& w, const test::TestMedia& m, size_t nvideo = SIZE_MAX, size_t naudio = SIZE_MAX) {
  nvideo = std::min(nvideo, m.video.size());
  naudio = std::min(naudio, m.audio.size());
  size_t v = 0, a = 0;
  while (v < nvideo || a < naudio) {
    if (a >= naudio || (v < nvideo && video_time(v) <= audio_time(a))) {
      ASSERT_EQ(w.write(m.video[v], video_time(v)), Mp4WriteStatus::Accepted) << "video " << v;
      ++v;
    } else {
      ASSERT_EQ(w.write(m.audio[a], audio_time(a)), Mp4WriteStatus::Accepted) << "audio " << a;
      ++a;
    }
  }
}

struct TopBox {
  uint32_t type;
  size_t offset;
  size_t size;
  Bytes payload;
};
std::vector<TopBox> top_boxes(const std::vector<uint8_t>& file) {
  std::vector<TopBox> out;
  BoxIterator it(file);
  BoxView b;
  while (it.next(b)) out.push_back({b.type, b.offset, b.header_size + b.payload.size(), b.payload});
  return out;
}

struct TrafInfo {
  uint32_t track_id = 0;
  uint64_t base_dts = 0;
  std::vector<uint32_t> durations;
  std::vector<uint32_t> sizes;
  std::vector<bool> sync;
};
std::vector<TrafInfo> parse_moof(Bytes moof) {
  std::vector<TrafInfo> out;
  BoxIterator it(moof);
  BoxView b;
  while (it.next(b)) {
    if (b.type != fourcc("traf")) continue;
    TrafInfo t;
    auto tfhd = find_box(b.payload, fourcc("tfhd"));
    auto tfdt = find_box(b.payload, fourcc("tfdt"));
    auto trun = find_box(b.payload, fourcc("trun"));
    EXPECT_TRUE(tfhd && tfdt && trun);
    if (!tfhd || !tfdt || !trun) continue;
    t.track_id = base::load_be32(tfhd->data() + 4);
    t.base_dts = base::load_be64(tfdt->data() + 4);
    base::ByteReader r(*trun);
    EXPECT_EQ(r.u32(), 0x000701u);
    uint32_t n = r.u32();
    r.u32();
    for (uint32_t i = 0; i < n; ++i) {
      t.durations.push_back(r.u32());
      t.sizes.push_back(r.u32());
      t.sync.push_back((r.u32() & 0x00010000) == 0);
    }
    EXPECT_TRUE(r.ok());
    out.push_back(std::move(t));
  }
  return out;
}

TEST(Mp4Writer, HeaderHasBrandsTracksSampleEntriesAndMvex) {
  const auto& m = test::h264_opus_media();
  ASSERT_FALSE(m.video.empty());
  MemorySink sink;
  Mp4Writer w({}, sink);
  feed(w, m, 40, 60);
  ASSERT_TRUE(w.finish());
  auto boxes = top_boxes(sink.data());
  ASSERT_GE(boxes.size(), 4u);
  ASSERT_EQ(boxes[0].type, fourcc("ftyp"));
  base::ByteReader ftyp(boxes[0].payload);
  EXPECT_EQ(ftyp.u32(), fourcc("iso5"));
  ftyp.u32();
  EXPECT_EQ(ftyp.u32(), fourcc("iso5"));
  EXPECT_EQ(ftyp.u32(), fourcc("iso6"));
  EXPECT_EQ(ftyp.u32(), fourcc("mp41"));
  ASSERT_EQ(boxes[1].type, fourcc("moov"));
  EXPECT_TRUE(find_box(boxes[1].payload, fourcc("mvhd")));
  auto mvex = find_box(boxes[1].payload, fourcc("mvex"));
  ASSERT_TRUE(mvex);
  EXPECT_TRUE(find_box(*mvex, fourcc("trex")));
  // Two traks: video first with avc1/avcC carrying the keyframe's SPS, then Opus/dOps.
  std::vector<Bytes> traks;
  BoxIterator it(boxes[1].payload);
  BoxView b;
  while (it.next(b)) {
    if (b.type == fourcc("trak")) traks.push_back(b.payload);
  }
  ASSERT_EQ(traks.size(), 2u);
  auto stsd = [](Bytes trak) {
    auto mdia = find_box(trak, fourcc("mdia"));
    auto minf = find_box(*mdia, fourcc("minf"));
    auto stbl = find_box(*minf, fourcc("stbl"));
    return *find_box(*stbl, fourcc("stsd"));
  };
  Bytes vs = stsd(traks[0]).subspan(8);  // version/flags, entry_count
  auto avc1 = find_box(vs, fourcc("avc1"));
  ASSERT_TRUE(avc1);
  EXPECT_EQ(base::load_be16(avc1->data() + 24), 320);
  EXPECT_EQ(base::load_be16(avc1->data() + 26), 240);
  auto avcc = find_box(avc1->subspan(78), fourcc("avcC"));
  ASSERT_TRUE(avcc);
  auto cfg = parse_avcc(*avcc);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->length_size, 4);
  ASSERT_EQ(cfg->sps.size(), 1u);
  ASSERT_EQ(cfg->pps.size(), 1u);
  EXPECT_EQ(cfg->sps[0][0] & 0x1f, 7);
  EXPECT_EQ(cfg->profile, 100);  // High: the trailer follows the PPS
  Bytes as = stsd(traks[1]).subspan(8);
  auto opus = find_box(as, fourcc("Opus"));
  ASSERT_TRUE(opus);
  auto dops = find_box(opus->subspan(28), fourcc("dOps"));
  ASSERT_TRUE(dops);
  auto oc = parse_dops(*dops);
  ASSERT_TRUE(oc);
  EXPECT_EQ(oc->channels, 2);
  EXPECT_EQ(oc->input_sample_rate, 48000u);
  // mfra closes the file; its mfro says the mfra's size.
  EXPECT_EQ(boxes.back().type, fourcc("mfra"));
  const auto& file = sink.data();
  EXPECT_EQ(base::load_be32(file.data() + file.size() - 4), boxes.back().size);
}

TEST(Mp4Writer, FragmentsStartOnKeyframesAndLastAtMostOneSecond) {
  for (int gop : {30, 90}) {
    const auto& m = test::h264_opus_media(3, gop);
    MemorySink sink;
    Mp4Writer w({}, sink);
    feed(w, m);
    ASSERT_TRUE(w.finish());
    size_t video_samples = 0, audio_samples = 0, moofs = 0;
    uint64_t next_video_dts = 0;
    for (const auto& box : top_boxes(sink.data())) {
      if (box.type != fourcc("moof")) continue;
      ++moofs;
      for (const auto& t : parse_moof(box.payload)) {
        uint64_t total = 0;
        for (uint32_t d : t.durations) total += d;
        if (t.track_id == 1) {
          EXPECT_EQ(t.base_dts, next_video_dts) << "video decode times are continuous";
          next_video_dts += total;
          EXPECT_LE(total, 90000u) << "gop " << gop;
          if (gop == 30) {
            EXPECT_TRUE(t.sync[0]) << "fragment " << moofs << " starts on a keyframe";
          }
          for (size_t i = 1; i < t.sync.size(); ++i) EXPECT_FALSE(t.sync[i]) << "keyframes open fragments";
          video_samples += t.durations.size();
        } else {
          EXPECT_LE(total, 48000u + 960u);
          audio_samples += t.durations.size();
        }
      }
    }
    EXPECT_EQ(video_samples, m.video.size());
    EXPECT_EQ(audio_samples, m.audio.size());
    EXPECT_GE(moofs, 3u);
    EXPECT_EQ(w.stats().fragments, moofs);
    EXPECT_EQ(w.stats().frames_written, m.video.size() + m.audio.size());
  }
}

TEST(Mp4Writer, FfprobeReadsCodecsFrameCountsAndDuration) {
  MEDLEY_REQUIRE_FFMPEG();
  const auto& m = test::h264_opus_media();
  MemorySink sink;
  Mp4Writer w({}, sink);
  feed(w, m);
  ASSERT_TRUE(w.finish());
  auto path = test::temp_dir() / "writer_full.mp4";
  test::write_file(path, sink.data());
  auto v = test::probe(path, "v:0");
  EXPECT_EQ(v["codec_name"], "h264");
  EXPECT_EQ(v["width"], "320");
  EXPECT_EQ(v["height"], "240");
  EXPECT_EQ(v["nb_read_frames"], std::to_string(m.video.size()));
  EXPECT_NEAR(test::to_double(v["duration"]), 3.0, 0.15);
  auto a = test::probe(path, "a:0");
  EXPECT_EQ(a["codec_name"], "opus");
  EXPECT_EQ(a["sample_rate"], "48000");
  EXPECT_EQ(a["nb_read_frames"], std::to_string(m.audio.size()));
  EXPECT_NEAR(test::to_double(a["duration"]), 3.0, 0.15);
  EXPECT_NEAR(test::to_double(v["duration"]), 3.0, 0.15);
  EXPECT_NEAR(test::to_double(v["duration"]), 3.0, 0.15);
  // Decoding end to end without errors.
  std::string errors = test::run(std::string(test::kFfmpeg) + " -v error -i '" + path.string() +
                                 "' -f null - 2>&1");
  EXPECT_EQ(errors, "");
}

// Samples in fragments that end at or before `cut` (moof and its whole mdat inside the prefix).
std::pair<size_t, size_t> complete_samples_before(const std::vector<uint8_t>& file, size_t cut) {
  size_t video = 0, audio = 0;
  auto boxes = top_boxes(file);
  for (size_t i = 0; i + 1 < boxes.size(); ++i) {
    if (boxes[i].type != fourcc("moof") || boxes[i + 1].offset + boxes[i + 1].size > cut) continue;
    for (const auto& t : parse_moof(boxes[i].payload)) (t.track_id == 1 ? video : audio) += t.sizes.size();
  }
  return {video, audio};
}

TEST(Mp4Writer, FileCutAnywhereStillProbesUpToItsLastCompleteFragment) {
  MEDLEY_REQUIRE_FFMPEG();
  const auto& m = test::h264_opus_media();
  MemorySink sink;
  Mp4Writer w({}, sink);
  feed(w, m);
  // Not finished: this is what a killed server leaves (no mfra, no patched durations).
  const auto file = sink.data();
  auto boxes = top_boxes(file);
  std::vector<size_t> cuts = {file.size() / 4, file.size() / 2, file.size() * 3 / 4, file.size() - 1, file.size()};
  for (const auto& b : boxes) {
    if (b.type == fourcc("moof")) cuts.push_back(b.offset + 20);  // inside a moof
  }
  for (size_t cut : cuts) {
    auto [video, audio] = complete_samples_before(file, cut);
    if (video == 0) continue;
    auto path = test::temp_dir() / ("cut_" + std::to_string(cut) + ".mp4");
    test::write_file(path, file, cut);
    auto v = test::probe(path, "v:0");
    EXPECT_EQ(v["codec_name"], "h264") << "cut at " << cut;
    EXPECT_GE(std::atoi(v["nb_read_frames"].c_str()), static_cast<int>(video)) << "cut at " << cut;
    auto a = test::probe(path, "a:0");
    EXPECT_EQ(a["codec_name"], "opus") << "cut at " << cut;
    EXPECT_GE(std::atoi(a["nb_read_frames"].c_str()), static_cast<int>(audio)) << "cut at " << cut;
  }
}

TEST(Mp4Writer, ItsFragmentsHoldWhatWasWrittenUpToOneSecondBeforeTheCut) {
  // Crash safety bound: after writing frames up to time T, the bytes already in the sink hold every sample up to
  // about T - 1 s (a fragment plus the sample held back for its duration).
  const auto& m = test::h264_opus_media(3, 90);
  MemorySink sink;
  Mp4Writer w({}, sink);
  feed(w, m, 75, 125);  // up to 2.5 s
  auto [video, audio] = complete_samples_before(sink.data(), sink.data().size());
  EXPECT_GE(video, 75u - 31u);
  EXPECT_GE(audio, 125u - 51u);
}

TEST(Mp4Writer, Vp9TrackFromIvfProbesAsVp9) {
  MEDLEY_REQUIRE_FFMPEG();
  auto ivf_path = test::temp_dir() / "v.ivf";
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc=size=320x240:rate=30 -t 2 -c:v libvpx-vp9 -b:v 500k "
                           "-deadline realtime -g 30 -f ivf '" + ivf_path.string() + "'"));
  auto ivf = test::read_file(ivf_path);
  ASSERT_GT(ivf.size(), 32u);
  std::vector<EncodedFrame> frames;
  for (size_t pos = base::load_be16(ivf.data() + 6) == 0 ? 32 : 32; pos + 12 <= ivf.size();) {
    uint32_t len = ivf[pos] | ivf[pos + 1] << 8 | ivf[pos + 2] << 16 | uint32_t{ivf[pos + 3]} << 24;
    pos += 12;
    if (pos + len > ivf.size()) break;
    EncodedFrame f;
    f.codec = CodecId::Vp9;
    f.data.assign(ivf.begin() + static_cast<long>(pos), ivf.begin() + static_cast<long>(pos + len));
    frames.push_back(std::move(f));
    pos += len;
  }
  ASSERT_EQ(frames.size(), 60u);
  MemorySink sink;
  Mp4WriterConfig cfg;
  cfg.video = CodecId::Vp9;
  cfg.audio = CodecId::Unknown;
  Mp4Writer w(cfg, sink);
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_EQ(w.write(frames[i], video_time(i)), Mp4WriteStatus::Accepted);
  }
  ASSERT_TRUE(w.finish());
  EXPECT_FALSE(w.has_audio_track());
  auto path = test::temp_dir() / "writer_vp9.mp4";
  test::write_file(path, sink.data());
  auto v = test::probe(path, "v:0");
  EXPECT_EQ(v["codec_name"], "vp9");
  EXPECT_EQ(v["width"], "320");
  EXPECT_EQ(v["nb_read_frames"], "60");
  EXPECT_NEAR(test::to_double(v["duration"]), 2.0, 0.1);
  EXPECT_EQ(test::run(std::string(test::kFfmpeg) + " -v error -i '" + path.string() + "' -f null - 2>&1"), "");
}

TEST(Mp4Writer, OpusOnlyFile) {
  MEDLEY_REQUIRE_FFMPEG();
  const auto& m = test::h264_opus_media();
  MemorySink sink;
  Mp4WriterConfig cfg;
  cfg.video = CodecId::Unknown;
  Mp4Writer w(cfg, sink);
  for (size_t i = 0; i < m.audio.size(); ++i) ASSERT_EQ(w.write(m.audio[i], audio_time(i)), Mp4WriteStatus::Accepted);
  EXPECT_EQ(w.write(m.video[0], video_time(0)), Mp4WriteStatus::NotConfigured);
  ASSERT_TRUE(w.finish());
  auto path = test::temp_dir() / "writer_opus.mp4";
  test::write_file(path, sink.data());
  auto a = test::probe(path, "a:0");
  EXPECT_EQ(a["codec_name"], "opus");
  EXPECT_EQ(a["nb_read_frames"], std::to_string(m.audio.size()));
  EXPECT_NEAR(test::to_double(a["duration"]), 3.0, 0.15);
  EXPECT_TRUE(test::probe(path, "v:0")["codec_name"].empty());
}

TEST(Mp4Writer, Avc3KeepsParameterSetsInBand) {
  MEDLEY_REQUIRE_FFMPEG();
  const auto& m = test::h264_opus_media();
  MemorySink avc1_sink, avc3_sink;
  Mp4WriterConfig cfg;
  cfg.audio = CodecId::Unknown;
  Mp4Writer avc1(cfg, avc1_sink);
  cfg.h264_entry = H264SampleEntry::Avc3;
  Mp4Writer avc3(cfg, avc3_sink);
  for (size_t i = 0; i < m.video.size(); ++i) {
    ASSERT_EQ(avc1.write(m.video[i], video_time(i)), Mp4WriteStatus::Accepted);
    ASSERT_EQ(avc3.write(m.video[i], video_time(i)), Mp4WriteStatus::Accepted);
  }
  ASSERT_TRUE(avc1.finish());
  ASSERT_TRUE(avc3.finish());
  // Three keyframes, each carrying SPS+PPS in band: the avc3 file is larger by about that.
  EXPECT_GT(avc3_sink.data().size(), avc1_sink.data().size() + 3 * 8);
  auto path = test::temp_dir() / "writer_avc3.mp4";
  test::write_file(path, avc3_sink.data());
  auto v = test::probe(path, "v:0");
  EXPECT_EQ(v["codec_name"], "h264");
  EXPECT_EQ(v["nb_read_frames"], std::to_string(m.video.size()));
}

TEST(Mp4Writer, ResolutionChangeKeepsTheNewParameterSetsInBand) {
  MEDLEY_REQUIRE_FFMPEG();
  const auto& m = test::h264_opus_media();
  auto small_path = test::temp_dir() / "small.h264";
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc=size=160x120:rate=30 -t 1 -pix_fmt yuv420p -c:v libx264 -bf 0 "
                           "-g 30 -bsf:v h264_mp4toannexb -f h264 '" + small_path.string() + "'"));
  auto small = test::split_access_units(test::read_file(small_path));
  ASSERT_EQ(small.size(), 30u);
  MemorySink sink;
  Mp4WriterConfig cfg;
  cfg.audio = CodecId::Unknown;
  Mp4Writer w(cfg, sink);
  for (size_t i = 0; i < 30; ++i) ASSERT_EQ(w.write(m.video[i], video_time(i)), Mp4WriteStatus::Accepted);
  for (size_t i = 0; i < 30; ++i) {
    EncodedFrame f;
    f.codec = CodecId::H264;
    f.data = small[i];
    ASSERT_EQ(w.write(f, video_time(30 + i)), Mp4WriteStatus::Accepted);
  }
  ASSERT_TRUE(w.finish());
  auto path = test::temp_dir() / "writer_resize.mp4";
  test::write_file(path, sink.data());
  EXPECT_EQ(test::probe(path, "v:0")["nb_read_frames"], "60");
  std::string widths = test::run(std::string(test::kFfprobe) + " -v error -select_streams v:0 -show_entries "
                                 "frame=width -of default=nw=1:nk=1 '" + path.string() + "' 2>&1");
  EXPECT_EQ(std::count(widths.begin(), widths.end(), '\n'), 60);
  EXPECT_EQ(widths.substr(0, 4), "320\n");
  EXPECT_EQ(widths.substr(widths.size() - 4), "160\n") << "decoded at the new size from the in-band SPS";
  EXPECT_EQ(test::run(std::string(test::kFfmpeg) + " -v error -i '" + path.string() + "' -f null - 2>&1"), "");
}

TEST(Mp4Writer, WaitsForTheFirstKeyframeAndDropsOlderAudio) {
  const auto& m = test::h264_opus_media();
  MemorySink sink;
  Mp4Writer w({}, sink);
  // Starting mid-GOP: delta frames are dropped, audio is held.
  EXPECT_EQ(w.write(m.audio[0], audio_time(0)), Mp4WriteStatus::Accepted);
  EXPECT_EQ(w.write(m.video[1], video_time(1)), Mp4WriteStatus::WaitingKeyframe);
  EXPECT_EQ(w.write(m.audio[1], audio_time(1)), Mp4WriteStatus::Accepted);
  EXPECT_EQ(w.write(m.audio[2], audio_time(2)), Mp4WriteStatus::Accepted);
  EXPECT_FALSE(w.header_written());
  EXPECT_TRUE(sink.data().empty());
  // The keyframe at 33 ms starts the file; audio at 0 and 20 ms is older than it.
  EXPECT_EQ(w.write(m.video[0], video_time(1)), Mp4WriteStatus::Accepted);
  EXPECT_TRUE(w.header_written());
  EXPECT_TRUE(w.has_video_track());
  EXPECT_EQ(w.stats().frames_dropped, 3u);
  EXPECT_EQ(w.write(m.audio[1], audio_time(1)), Mp4WriteStatus::TooEarly);
  EXPECT_EQ(w.write(m.audio[3], audio_time(3)), Mp4WriteStatus::Accepted);
  EXPECT_TRUE(w.finish());
  EXPECT_EQ(w.stats().frames_written, 3u);  // keyframe, audio at 40 and 60 ms
}

TEST(Mp4Writer, GivesUpVideoAfterSetupWaitAndRecordsAudio) {
  const auto& m = test::h264_opus_media();
  MemorySink sink;
  Mp4WriterConfig cfg;
  cfg.setup_wait = base::Duration::millis(500);
  Mp4Writer w(cfg, sink);
  for (size_t i = 0; i < 25; ++i) {
    EXPECT_EQ(w.write(m.audio[i], audio_time(i)), Mp4WriteStatus::Accepted);
    EXPECT_EQ(w.header_written(), i >= 25);
  }
  EXPECT_EQ(w.write(m.audio[25], audio_time(25)), Mp4WriteStatus::Accepted);  // 500 ms after the first
  EXPECT_TRUE(w.header_written());
  EXPECT_FALSE(w.has_video_track());
  EXPECT_TRUE(w.has_audio_track());
  EXPECT_EQ(w.write(m.video[0], video_time(30)), Mp4WriteStatus::NotConfigured);
  EXPECT_TRUE(w.finish());
  EXPECT_EQ(w.stats().frames_written, 26u);
}

TEST(Mp4Writer, FinishWithOnlyHeldAudioStillWritesAPlayableFile) {
  const auto& m = test::h264_opus_media();
  MemorySink sink;
  Mp4Writer w({}, sink);
  for (size_t i = 0; i < 5; ++i) w.write(m.audio[i], audio_time(i));
  EXPECT_TRUE(w.finish());
  EXPECT_EQ(w.stats().frames_written, 5u);
  EXPECT_EQ(w.write(m.audio[6], audio_time(6)), Mp4WriteStatus::Finished);
  EXPECT_TRUE(w.finish());
  EXPECT_FALSE(sink.data().empty());
}

TEST(Mp4Writer, RejectsBadFramesAndOtherCodecs) {
  MemorySink sink;
  Mp4Writer w({}, sink);
  EncodedFrame f;
  f.codec = CodecId::Vp8;
  f.data = {1, 2, 3};
  EXPECT_EQ(w.write(f, Timestamp::zero()), Mp4WriteStatus::NotConfigured);
  f.codec = CodecId::H264;
  f.data.clear();
  EXPECT_EQ(w.write(f, Timestamp::zero()), Mp4WriteStatus::BadFrame);
  f.data = {1, 2, 3, 4, 5};  // not Annex B
  EXPECT_EQ(w.write(f, Timestamp::zero()), Mp4WriteStatus::WaitingKeyframe);
  const auto& m = test::h264_opus_media();
  EXPECT_EQ(w.write(m.video[0], Timestamp::zero()), Mp4WriteStatus::Accepted);
  EXPECT_EQ(w.write(f, Timestamp::millis(33)), Mp4WriteStatus::BadFrame);
  EXPECT_EQ(w.stats().frames_dropped, 4u);
}

TEST(Mp4Writer, TimestampsThatDoNotAdvanceStillGiveIncreasingDecodeTimes) {
  const auto& m = test::h264_opus_media();
  MemorySink sink;
  Mp4WriterConfig cfg;
  cfg.audio = CodecId::Unknown;
  Mp4Writer w(cfg, sink);
  for (size_t i = 0; i < 10; ++i) ASSERT_EQ(w.write(m.video[i], Timestamp::millis(i == 0 ? 100 : i < 5 ? 200 : 150)), Mp4WriteStatus::Accepted);
  ASSERT_TRUE(w.finish());
  for (const auto& b : top_boxes(sink.data())) {
    if (b.type != fourcc("moof")) continue;
    for (const auto& t : parse_moof(b.payload)) {
      for (size_t i = 0; i + 1 < t.durations.size(); ++i) EXPECT_GE(t.durations[i], 1u);
    }
  }
}

class FailingSink final : public ByteSink {
 public:
  size_t budget = 0;
  bool write(Bytes b) override {
    if (b.size() > budget) return false;
    budget -= b.size();
    return true;
  }
  bool can_seek() const override { return false; }
  bool write_at(uint64_t, Bytes) override { return false; }
};

TEST(Mp4Writer, SinkFailureIsSticky) {
  const auto& m = test::h264_opus_media();
  FailingSink sink;
  sink.budget = 2000;  // the header fits, the first fragment does not
  Mp4Writer w({}, sink);
  Mp4WriteStatus last = Mp4WriteStatus::Accepted;
  for (size_t i = 0; i < 40 && last == Mp4WriteStatus::Accepted; ++i) last = w.write(m.video[i], video_time(i));
  EXPECT_EQ(last, Mp4WriteStatus::SinkFailed);
  EXPECT_TRUE(w.failed());
  EXPECT_EQ(w.write(m.audio[0], audio_time(40)), Mp4WriteStatus::SinkFailed);
  EXPECT_FALSE(w.finish());
}

TEST(Mp4Writer, FinishPatchesDurationOnSeekableSinks) {
  const auto& m = test::h264_opus_media();
  MemorySink sink;
  Mp4Writer w({}, sink);
  feed(w, m);
  ASSERT_TRUE(w.finish());
  auto boxes = top_boxes(sink.data());
  auto mvhd = find_box(boxes[1].payload, fourcc("mvhd"));
  ASSERT_TRUE(mvhd);
  EXPECT_EQ(base::load_be32(mvhd->data() + 12), 1000u);  // timescale
  EXPECT_NEAR(base::load_be32(mvhd->data() + 16), 3000, 40);
  auto mehd = find_box(*find_box(boxes[1].payload, fourcc("mvex")), fourcc("mehd"));
  ASSERT_TRUE(mehd);
  EXPECT_NEAR(static_cast<double>(base::load_be64(mehd->data() + 4)), 3000, 40);
  // A sink that cannot seek (a pipe) gets the same stream, durations left at zero.
  MemorySink pipe(false);
  Mp4Writer w2({}, pipe);
  feed(w2, m);
  ASSERT_TRUE(w2.finish());
  auto moov2 = top_boxes(pipe.data())[1].payload;
  EXPECT_EQ(base::load_be32(find_box(moov2, fourcc("mvhd"))->data() + 16), 0u);
  EXPECT_EQ(pipe.data().size(), sink.data().size());
}

TEST(Mp4Writer, SteadyStateAllocatesNothing) {
  const auto& m = test::h264_opus_media();
  class NullSink final : public ByteSink {
   public:
    bool write(Bytes) override { return true; }
    bool can_seek() const override { return false; }
    bool write_at(uint64_t, Bytes) override { return false; }
  } sink;
  Mp4Writer w({}, sink);
  feed(w, m);  // warm-up: buffers reach their working size
  long before = medley::test::g_allocs.load();
  size_t v = 0, a = 0;
  const auto shift = base::Duration::seconds(3);
  while (v < m.video.size() || a < m.audio.size()) {
    if (a >= m.audio.size() || (v < m.video.size() && video_time(v) <= audio_time(a))) {
      w.write(m.video[v], video_time(v) + shift);
      ++v;
    } else {
      w.write(m.audio[a], audio_time(a) + shift);
      ++a;
    }
  }
  long allocs = medley::test::g_allocs.load() - before;
  // 241 frames, 3 fragments, and the mfra index has room reserved for a few minutes of fragments.
  EXPECT_EQ(allocs, 0) << "allocations while muxing 3 s";
  EXPECT_EQ(w.stats().fragments, 5u);
}

}  // namespace
}  // namespace medley::mux
