// The payload factories: which depacketizer and packetizer carry each codec.
#include "rtp/payload/payload.hpp"

#include "rtp/payload/h264.hpp"
#include "rtp/payload/opus.hpp"
#include "rtp/payload/vp8.hpp"
#include "rtp/payload/vp9.hpp"

namespace medley::rtp {

std::unique_ptr<Depacketizer> make_depacketizer(base::CodecId codec) {
  switch (codec) {
    case base::CodecId::Vp8: return std::make_unique<Vp8Depacketizer>();
    case base::CodecId::Vp9: return std::make_unique<Vp9Depacketizer>();
    case base::CodecId::H264: return std::make_unique<H264Depacketizer>();
    case base::CodecId::Opus: return std::make_unique<OpusDepacketizer>();
    default: return nullptr;
  }
}

std::unique_ptr<Packetizer> make_packetizer(base::CodecId codec) {
  switch (codec) {
    case base::CodecId::Vp8: return std::make_unique<Vp8Packetizer>();
    case base::CodecId::Vp9: return std::make_unique<Vp9Packetizer>();
    case base::CodecId::H264: return std::make_unique<H264Packetizer>();
    case base::CodecId::Opus: return std::make_unique<OpusPacketizer>();
    default: return nullptr;
  }
}

}  // namespace medley::rtp
