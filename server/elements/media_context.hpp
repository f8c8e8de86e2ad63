// MediaContext: what every media element of the process shares: the io_context, the shared UDP port, the DTLS
// certificate, the negotiation capabilities from SdpEndpoint.conf.json, and the session defaults.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include <boost/asio/io_context.hpp>

#include "ice/dtls_context.hpp"
#include "rtp/negotiation/local_capabilities.hpp"
#include "server/media/media_port.hpp"
#include "server/media/webrtc_session.hpp"

namespace medley::server::elements {

struct MediaContext {
  MediaContext(boost::asio::io_context& io, media::MediaPort& port, std::shared_ptr<const ice::DtlsContext> dtls,
               rtp::negotiation::LocalCapabilities capabilities)
      : io(io), port(port), dtls(std::move(dtls)), capabilities(std::move(capabilities)) {}

  boost::asio::io_context& io;
  media::MediaPort& port;
  std::shared_ptr<const ice::DtlsContext> dtls;
  rtp::negotiation::LocalCapabilities capabilities;
  media::WebRtcSessionConfig session;

  // Seeds for ICE credentials, SSRCs and ids: from the OS's entropy, never repeated across endpoints.
  uint64_t random() {
    std::lock_guard lock(random_mutex);
    return rng();
  }

  std::mutex random_mutex;
  std::mt19937_64 rng{std::random_device{}()};
};

}  // namespace medley::server::elements
