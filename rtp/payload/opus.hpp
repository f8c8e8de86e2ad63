// Opus over RTP (RFC 7587): one packet carries one whole Opus packet, so every payload is a frame of its own.
#pragma once

#include "rtp/payload/payload.hpp"

namespace medley::rtp {

class OpusDepacketizer final : public Depacketizer {
 public:
  std::optional<PayloadInfo> inspect(base::Bytes payload) const override;
  bool append(base::Bytes payload, base::EncodedFrame& frame) override;
  void reset() override {}
};

class OpusPacketizer final : public Packetizer {
 public:
  bool begin(const base::EncodedFrame& frame, size_t max_payload) override;
  std::optional<size_t> next(base::MutableBytes out, bool& marker) override;

 private:
  base::Bytes data_;
  size_t max_payload_ = 0;
  bool pending_ = false;
};

}  // namespace medley::rtp
