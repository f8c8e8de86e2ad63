// Helpers for the WebM tests: media made by ffmpeg at test time (cached per user in /tmp), IVF and Ogg frame
// extraction, and ffprobe's view of a file.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace medley::mux::testing {

struct Frame {
  int64_t pts_ms = 0;
  bool keyframe = false;
  std::vector<uint8_t> data;
};

inline std::vector<uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void write_file(const std::filesystem::path& p, const std::vector<uint8_t>& data, size_t n = SIZE_MAX) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(std::min(n, data.size())));
}

inline std::filesystem::path scratch_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("medley-mux-test-" + std::to_string(::getuid()));
  std::filesystem::create_directories(dir);
  return dir;
}

inline bool have_ffmpeg() { return std::filesystem::exists("/usr/bin/ffmpeg") && std::filesystem::exists("/usr/bin/ffprobe"); }

// Runs an ffmpeg command line producing `name` in the scratch dir once; parallel tests race benignly through a
// rename. The args use {out} for the output path.
inline std::filesystem::path ffmpeg_media(const std::string& name, const std::string& args) {
  auto path = scratch_dir() / name;
  if (std::filesystem::exists(path)) return path;
  auto tmp = scratch_dir() / (name + ".tmp" + std::to_string(::getpid()) + std::filesystem::path(name).extension().string());
  std::string cmd = "/usr/bin/ffmpeg -nostdin -hide_banner -loglevel error -y " + args;
  cmd.replace(cmd.find("{out}"), 5, "'" + tmp.string() + "'");
  if (std::system(cmd.c_str()) != 0) return {};
  std::filesystem::rename(tmp, path);
  return path;
}

// IVF (libvpx's container): 32-byte file header, then a 12-byte header (size, 64-bit pts) per frame.
inline std::vector<Frame> ivf_frames(const std::vector<uint8_t>& f, int fps) {
  std::vector<Frame> out;
  if (f.size() < 32 || f[0] != 'D' || f[1] != 'K' || f[2] != 'I' || f[3] != 'F') return out;
  size_t pos = f[6] | (f[7] << 8);
  while (pos + 12 <= f.size()) {
    uint32_t size = f[pos] | (f[pos + 1] << 8) | (f[pos + 2] << 16) | (uint32_t(f[pos + 3]) << 24);
    uint64_t pts = 0;
    for (int i = 7; i >= 0; --i) pts = (pts << 8) | f[pos + 4 + i];
    pos += 12;
    if (size > f.size() - pos) break;
    Frame fr;
    fr.data.assign(f.begin() + pos, f.begin() + pos + size);
    fr.pts_ms = static_cast<int64_t>(pts) * 1000 / fps;
    fr.keyframe = size > 0 && (fr.data[0] & 1) == 0;  // VP8 frame tag P bit (RFC 6386 9.1); VP9 is checked apart
    out.push_back(std::move(fr));
    pos += size;
  }
  return out;
}

// Ogg (RFC 3533) pages to packets; for Opus the first two packets are OpusHead and OpusTags (RFC 7845).
inline std::vector<std::vector<uint8_t>> ogg_packets(const std::vector<uint8_t>& f) {
  std::vector<std::vector<uint8_t>> packets;
  std::vector<uint8_t> cur;
  size_t pos = 0;
  while (pos + 27 <= f.size() && f[pos] == 'O' && f[pos + 1] == 'g' && f[pos + 2] == 'g' && f[pos + 3] == 'S') {
    size_t nseg = f[pos + 26];
    size_t data = pos + 27 + nseg;
    if (data > f.size()) break;
    for (size_t i = 0; i < nseg; ++i) {
      size_t lace = f[pos + 27 + i];
      if (data + lace > f.size()) return packets;
      cur.insert(cur.end(), f.begin() + data, f.begin() + data + lace);
      data += lace;
      if (lace < 255) packets.push_back(std::move(cur)), cur.clear();
    }
    pos = data;
  }
  return packets;
}

// Opus frames of 20 ms from an Ogg Opus file (ffmpeg's libopus default frame size).
inline std::vector<Frame> opus_frames(const std::vector<uint8_t>& ogg) {
  auto packets = ogg_packets(ogg);
  std::vector<Frame> out;
  for (size_t i = 2; i < packets.size(); ++i) {
    out.push_back(Frame{static_cast<int64_t>(i - 2) * 20, true, std::move(packets[i])});
  }
  return out;
}

// ffprobe -count_frames, flat output: "streams.stream.0.codec_name" -> "vp8", "format.duration" -> "3.000000".
inline std::map<std::string, std::string> ffprobe(const std::filesystem::path& file, bool count_frames = true) {
  std::string cmd = std::string("/usr/bin/ffprobe -v error ") + (count_frames ? "-count_frames " : "") +
                    "-show_entries stream=codec_name,nb_read_frames,width,height,duration:format=duration,format_name "
                    "-of flat '" + file.string() + "' 2>/dev/null";
  std::map<std::string, std::string> out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char line[512];
  while (std::fgets(line, sizeof line, p)) {
    std::string s(line);
    auto eq = s.find('=');
    if (eq == std::string::npos) continue;
    std::string v = s.substr(eq + 1);
    while (!v.empty() && (v.back() == '\n' || v.back() == '"')) v.pop_back();
    if (!v.empty() && v.front() == '"') v.erase(0, 1);
    out[s.substr(0, eq)] = v;
  }
  out["exit"] = std::to_string(::pclose(p));
  return out;
}

}  // namespace medley::mux::testing
