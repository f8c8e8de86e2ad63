// Test media for the MP4 tests: H.264 and Opus frames made by ffmpeg at test time, ffprobe queries, temp files.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "rtp/base/frame.hpp"

namespace medley::mux::test {

inline constexpr const char* kFfmpeg = "/usr/bin/ffmpeg";
inline constexpr const char* kFfprobe = "/usr/bin/ffprobe";

inline bool have_ffmpeg() { return std::filesystem::exists(kFfmpeg) && std::filesystem::exists(kFfprobe); }
#define MEDLEY_REQUIRE_FFMPEG() \
  ASSERT_TRUE(::medley::mux::test::have_ffmpeg()) << "ffmpeg/ffprobe missing at /usr/bin (Debian package ffmpeg)"

// A fresh directory per test binary, removed when it exits.
inline std::filesystem::path temp_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      std::string tmpl = (std::filesystem::temp_directory_path() / "medley_mp4_XXXXXX").string();
      if (char* made = mkdtemp(tmpl.data())) path = made;
    }
    ~Dir() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
  };
  static Dir dir;
  return dir.path;
}

inline std::vector<uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}
inline void write_file(const std::filesystem::path& p, const std::vector<uint8_t>& data, size_t n = SIZE_MAX) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(std::min(n, data.size())));
}

// Runs a shell command, returns its stdout (stderr is dropped unless the command redirects it).
inline std::string run(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  if (status) *status = st;
  return out;
}

inline bool ffmpeg(const std::string& args) {
  int st = 0;
  run(std::string(kFfmpeg) + " -hide_banner -loglevel error -y " + args + " 2>&1", &st);
  return st == 0;
}

// ffprobe's key=value lines for one stream ("v:0", "a:0") with -count_frames, plus the format duration.
inline std::map<std::string, std::string> probe(const std::filesystem::path& file, const std::string& stream) {
  std::string out = run(std::string(kFfprobe) + " -v error -count_frames -select_streams " + stream +
                        " -show_entries stream=codec_name,nb_read_frames,width,height,duration,sample_rate"
                        ":format=duration -of default=nw=1 '" + file.string() + "' 2>/dev/null");
  std::map<std::string, std::string> kv;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}
inline double to_double(const std::string& s) { return s.empty() || s == "N/A" ? -1 : std::atof(s.c_str()); }

// Splits an Annex B stream into access units: a new one starts at an AUD or SPS, or at a slice whose
// first_mb_in_slice is 0 (its first RBSP bit is 1), once the current one holds a slice.
inline std::vector<std::vector<uint8_t>> split_access_units(const std::vector<uint8_t>& s) {
  std::vector<std::pair<size_t, size_t>> nals;  // start code offset, NAL offset
  for (size_t i = 0; i + 3 < s.size(); ++i) {
    if (s[i] == 0 && s[i + 1] == 0 && s[i + 2] == 1) {
      size_t sc = (i > 0 && s[i - 1] == 0) ? i - 1 : i;
      nals.emplace_back(sc, i + 3);
      i += 2;
    }
  }
  std::vector<std::vector<uint8_t>> aus;
  size_t au_start = 0;
  bool has_slice = false;
  for (size_t k = 0; k < nals.size(); ++k) {
    uint8_t type = s[nals[k].second] & 0x1f;
    bool slice = type == 1 || type == 5;
    bool first_mb0 = slice && nals[k].second + 1 < s.size() && (s[nals[k].second + 1] & 0x80);
    bool starts = type == 9 || type == 7 || type == 8 || type == 6 || first_mb0;
    if (has_slice && starts) {
      aus.emplace_back(s.begin() + static_cast<long>(au_start), s.begin() + static_cast<long>(nals[k].first));
      au_start = nals[k].first;
      has_slice = false;
    }
    if (slice) has_slice = true;
  }
  if (has_slice) aus.emplace_back(s.begin() + static_cast<long>(au_start), s.end());
  return aus;
}

// The packets of an Ogg stream (RFC 3533), skipping the first two (OpusHead, OpusTags).
inline std::vector<std::vector<uint8_t>> ogg_opus_packets(const std::vector<uint8_t>& s) {
  std::vector<std::vector<uint8_t>> packets;
  std::vector<uint8_t> cur;
  size_t pos = 0;
  while (pos + 27 <= s.size() && std::equal(s.begin() + static_cast<long>(pos),
                                            s.begin() + static_cast<long>(pos) + 4, "OggS")) {
    size_t nseg = s[pos + 26];
    size_t data = pos + 27 + nseg;
    if (data > s.size()) break;
    for (size_t i = 0; i < nseg; ++i) {
      size_t len = s[pos + 27 + i];
      if (data + len > s.size()) return packets;
      cur.insert(cur.end(), s.begin() + static_cast<long>(data), s.begin() + static_cast<long>(data + len));
      data += len;
      if (len < 255) {
        packets.push_back(std::move(cur));
        cur.clear();
      }
    }
    pos = data;
  }
  if (packets.size() >= 2) packets.erase(packets.begin(), packets.begin() + 2);
  return packets;
}

struct TestMedia {
  std::vector<base::EncodedFrame> video;  // 30 fps H.264 Annex B, keyframe every `gop` frames
  std::vector<base::EncodedFrame> audio;  // 20 ms Opus packets
  uint16_t width = 320;
  uint16_t height = 240;
};

// `seconds` of 320x240 testsrc at 30 fps, H.264 High without B-frames at about 2 Mbit/s, and a 440 Hz tone in
// stereo Opus. Made once per (seconds, gop) and cached.
inline const TestMedia& h264_opus_media(int seconds = 3, int gop = 30) {
  static std::map<std::pair<int, int>, TestMedia> cache;
  auto key = std::make_pair(seconds, gop);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  TestMedia& m = cache[key];
  auto dir = temp_dir();
  std::string v = (dir / ("v" + std::to_string(seconds) + "_" + std::to_string(gop) + ".h264")).string();
  std::string a = (dir / ("a" + std::to_string(seconds) + ".ogg")).string();
  EXPECT_TRUE(ffmpeg("-f lavfi -i testsrc=size=320x240:rate=30 -t " + std::to_string(seconds) +
                     " -pix_fmt yuv420p -c:v libx264 -bf 0 -g " + std::to_string(gop) +
                     " -b:v 2M -bsf:v h264_mp4toannexb -f h264 '" + v + "'"));
  EXPECT_TRUE(ffmpeg("-f lavfi -i sine=frequency=440:sample_rate=48000 -t " + std::to_string(seconds) +
                     " -ac 2 -c:a libopus -b:a 64k -frame_duration 20 -f ogg '" + a + "'"));
  for (auto& au : split_access_units(read_file(v))) {
    base::EncodedFrame f;
    f.codec = base::CodecId::H264;
    f.rtp_timestamp = static_cast<uint32_t>(m.video.size() * 3000);
    for (size_t i = 0; i + 4 < au.size(); ++i) {
      if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1 && (au[i + 3] & 0x1f) == 5) f.keyframe = true;
    }
    f.data = std::move(au);
    m.video.push_back(std::move(f));
  }
  for (auto& p : ogg_opus_packets(read_file(a))) {
    base::EncodedFrame f;
    f.codec = base::CodecId::Opus;
    f.keyframe = true;
    f.rtp_timestamp = static_cast<uint32_t>(m.audio.size() * 960);
    f.data = std::move(p);
    m.audio.push_back(std::move(f));
  }
  return m;
}

inline base::Timestamp video_time(size_t i) { return base::Timestamp::micros(static_cast<int64_t>(i) * 100000 / 3); }
inline base::Timestamp audio_time(size_t i) { return base::Timestamp::micros(static_cast<int64_t>(i) * 20000); }

}  // namespace medley::mux::test
