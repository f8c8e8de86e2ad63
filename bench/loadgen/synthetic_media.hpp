// What a loadgen publisher sends: a synthetic VP8 stream with a real frame structure (30 fps, a keyframe every
// 2 s and on request, frames split into RTP payloads behind a valid VP8 payload descriptor and frame header, so
// servers that look for keyframes find them) and Opus-sized audio every 20 ms. Every payload ends with a trailer
// holding its send time, which the subscribers read back for one-way latency through the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace medley::loadgen {

struct MediaConfig {
  uint32_t video_kbps = 1500;     // RTP payload bit rate of the video, keyframes included
  size_t packet_size = 1100;      // largest RTP payload of a video packet (bytes)
  uint32_t fps = 30;
  uint32_t keyframe_interval_ms = 2000;
  uint32_t keyframe_factor = 4;   // a keyframe is this many times an average delta frame
  size_t audio_payload = 80;      // bytes per 20 ms Opus packet (32 kbit/s)
  bool audio = true;
  bool video = true;
  double pacing_factor = 2.5;     // video packets leave at this multiple of the video rate (libwebrtc's pacer)
};

// The trailer: magic, then the send time in ns of CLOCK_REALTIME (what SO_TIMESTAMPNS reports on arrival).
inline constexpr size_t kTrailerSize = 12;
inline constexpr uint32_t kTrailerMagic = 0x4D444C59;  // "MDLY"
void write_trailer(std::span<uint8_t> payload, int64_t send_ns);
std::optional<int64_t> read_trailer(std::span<const uint8_t> payload);

// Fills a video payload of `len` bytes: VP8 payload descriptor (S bit and partition 0 on a frame's first packet),
// on the first packet the VP8 frame tag (and for a keyframe the start code and 640x360), zeros, room for the
// trailer. len must be at least kMinVideoPayload.
inline constexpr size_t kMinVideoPayload = 1 + 10 + kTrailerSize;
void fill_vp8_payload(std::span<uint8_t> payload, bool first_of_frame, bool keyframe);
// An Opus payload: a TOC byte (CELT fullband 20 ms, mono) and filler.
void fill_opus_payload(std::span<uint8_t> payload);

// Frame sizes for a given rate: every keyframe_interval one keyframe of keyframe_factor delta frames, so the mean
// over an interval is the configured rate.
struct FrameSizes {
  size_t delta_bytes = 0;
  size_t key_bytes = 0;
};
FrameSizes frame_sizes(const MediaConfig& config);
// How many packets a frame of frame_bytes takes at packet_size bytes each (the sender splits it evenly).
size_t frame_packet_count(const MediaConfig& config, size_t frame_bytes);

}  // namespace medley::loadgen
