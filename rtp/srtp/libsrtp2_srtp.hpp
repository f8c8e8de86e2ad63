// libsrtp2 behind the SrtpTransform seam: the reference our tests compare against, and a configurable backend.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "rtp/srtp/srtp_profile.hpp"
#include "rtp/srtp/srtp_transform.hpp"

struct srtp_ctx_t_;

namespace medley::rtp {

class LibSrtp2Srtp final : public SrtpTransform {
 public:
  struct Keys {
    base::Bytes key;
    base::Bytes salt;
  };
  // window_bits as RtpReplayWindow::round_bits() gives, so both backends keep the same window.
  static std::unique_ptr<LibSrtp2Srtp> create(SrtpProfile profile, std::optional<Keys> outbound,
                                              std::optional<Keys> inbound, size_t window_bits, size_t max_ssrcs);
  ~LibSrtp2Srtp() override;

  SrtpResult<size_t> protect_rtp(base::MutableBytes buffer, size_t len) override;
  SrtpResult<size_t> unprotect_rtp(base::MutableBytes buffer, size_t len) override;
  SrtpResult<size_t> protect_rtcp(base::MutableBytes buffer, size_t len) override;
  SrtpResult<size_t> unprotect_rtcp(base::MutableBytes buffer, size_t len) override;
  bool remove_ssrc(uint32_t ssrc) override;

 private:
  // libsrtp2 keeps an unbounded stream list; these mirror it so the SSRC bound matches our transform's.
  struct Ssrcs {
    std::vector<uint32_t> known;
    bool has(uint32_t ssrc) const;
  };
  LibSrtp2Srtp(const SrtpProfileInfo& info, size_t max_ssrcs) : info_(info), max_ssrcs_(max_ssrcs) {}

  const SrtpProfileInfo& info_;
  size_t max_ssrcs_;
  srtp_ctx_t_* out_ = nullptr;
  srtp_ctx_t_* in_ = nullptr;
  Ssrcs out_ssrcs_;
  Ssrcs in_ssrcs_;
};

}  // namespace medley::rtp
