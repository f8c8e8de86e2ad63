// What a source publishes into the router: the stream's description (RtpSourceInfo) and one packet of it.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "rtp/base/frame.hpp"
#include "rtp/ids.hpp"

#include "rtp/base/buffer.hpp"
#include "rtp/base/time.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/packet_view.hpp"

namespace medley::server::media {

enum class MediaKind : uint8_t { Audio, Video };

// One published stream (one media kind of one element's input). Lives as long as its Router, which outlives
// every packet published through it; a sink that switches sources sees a different pointer.
struct RtpSourceInfo {
  MediaKind kind = MediaKind::Video;
  uint32_t clock_rate = 90000;
  rtp::ExtensionMap extensions;  // the ids the publisher negotiated: the packet views are parsed with it
  // The publisher's payload types and their codecs (set with the extensions, before packets flow): a sink maps
  // them onto its receiver's numbers by codec. Empty: the sink forwards payload types unchanged.
  std::vector<std::pair<rtp::PayloadType, base::CodecId>> codecs;

  base::CodecId codec_of(rtp::PayloadType pt) const {
    for (const auto& [p, c] : codecs) {
      if (p == pt) return c;
    }
    return base::CodecId::Unknown;
  }
};

// A decrypted packet on its way to the sinks. The buffer is pooled, refcounted and read-only from here on;
// the view points into it. Copying a PublishedPacket costs one atomic increment.
struct PublishedPacket {
  base::BufferRef buffer;
  rtp::RtpPacketView view;
  const RtpSourceInfo* source = nullptr;
  base::Timestamp arrival;  // when it reached the server: maps its RTP timestamp to the steady clock (SRs)
};

}  // namespace medley::server::media
