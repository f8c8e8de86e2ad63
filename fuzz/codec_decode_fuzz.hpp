// Shared driver for the codec decoder fuzz targets: our wrappers over libvpx, openh264 and libopus never crash,
// never hand out a picture or audio that breaks their own promises, whatever the bytes.
// Input: records of [flags][2-byte big-endian length][bytes], the last one cut to what is left. Flags bit 0: reset
// the decoder first; bit 1 (audio): the record is lost, concealed from the next record's FEC (bit 2: no next,
// plain PLC) for (flags >> 3) x 2.5 ms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "codec/audio_codec.hpp"
#include "codec/video_codec.hpp"

namespace medley::codec::fuzz {

inline void check(bool ok) {
  if (!ok) std::abort();
}

struct Record {
  uint8_t flags = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// Next record from [p, end); false when nothing is left.
inline bool next_record(const uint8_t*& p, const uint8_t* end, Record& r) {
  if (end - p < 3) return false;
  r.flags = p[0];
  size_t len = (static_cast<size_t>(p[1]) << 8) | p[2];
  p += 3;
  if (len > static_cast<size_t>(end - p)) len = static_cast<size_t>(end - p);
  r.data = p;
  r.size = len;
  p += len;
  return true;
}

// Reads the first and last row of every plane, so ASan sees any plane pointer or stride that lies.
inline uint32_t touch(const VideoFrame& f) {
  uint32_t sum = 0;
  for (int p = 0; p < 3; ++p) {
    const auto i = static_cast<size_t>(p);
    for (int row : {0, f.plane_height(p) - 1}) {
      const uint8_t* line = f.planes[i] + static_cast<ptrdiff_t>(row) * f.strides[i];
      for (int x = 0; x < f.plane_width(p); ++x) sum += line[x];
    }
  }
  return sum;
}

inline void run_video_decoder(base::CodecId codec, const uint8_t* data, size_t size) {
  auto dec = make_video_decoder(codec);
  check(dec.ok());
  base::EncodedFrame frame;
  frame.codec = codec;
  VideoFrame out;
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  Record r;
  uint32_t ts = 0;
  while (next_record(p, end, r)) {
    if (r.flags & 1) (*dec)->reset();
    frame.data.assign(r.data, r.data + r.size);
    frame.rtp_timestamp = ts += 3000;
    const DecodeStatus st = (*dec)->decode(frame, out);
    if (st == DecodeStatus::FrameReady) {
      check(out.width > 0 && out.height > 0 && out.width <= 4096 && out.height <= 4096);
      check(out.strides[0] >= out.width && out.strides[1] >= out.chroma_width() && out.strides[2] >= out.chroma_width());
      check(out.rtp_timestamp == ts);
      volatile uint32_t sink = touch(out);
      (void)sink;
    }
  }
}

inline void run_audio_decoder(base::CodecId codec, const uint8_t* data, size_t size) {
  auto dec = make_audio_decoder(codec, 2);
  check(dec.ok());
  base::EncodedFrame packet, next;
  AudioFrame out;
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  Record r;
  while (next_record(p, end, r)) {
    if (r.flags & 1) {
      // A fresh decoder: the audio interface has no reset, a new stream starts with a new decoder.
      dec = make_audio_decoder(codec, 2);
      check(dec.ok());
    }
    packet.data.assign(r.data, r.data + r.size);
    if (r.flags & 2) {
      next.data.clear();
      const uint8_t* q = p;
      Record n;
      if (!(r.flags & 4) && next_record(q, end, n)) next.data.assign(n.data, n.data + n.size);
      const size_t samples = static_cast<size_t>(r.flags >> 3) * 120;
      if ((*dec)->conceal((r.flags & 4) ? nullptr : &next, samples, out)) {
        check(out.samples.size() == samples * static_cast<size_t>((*dec)->channels()));
      } else {
        check(out.samples.empty() || samples == 0 || samples % 120 != 0 || codec != base::CodecId::Opus);
      }
      continue;
    }
    if ((*dec)->decode(packet, out)) {
      check(out.channels == (*dec)->channels() && out.sample_rate == (*dec)->sample_rate());
      check(out.samples_per_channel() <= 5760);
    } else {
      check(out.samples.empty());
    }
  }
}

}  // namespace medley::codec::fuzz
