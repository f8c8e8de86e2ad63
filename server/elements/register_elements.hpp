// The media layer's Kurento types, registered into the RPC's factory: MediaPipeline (with its strand),
// PassThrough and WebRtcEndpoint with media; and the MediaContext built from the server's configuration.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "rtp/base/result.hpp"
#include "server/config.hpp"
#include "server/elements/media_context.hpp"
#include "server/kurento/media_object_factory.hpp"

namespace medley::server::elements {

void register_media_types(kurento::TypeFactory& factory, std::shared_ptr<MediaContext> context);

// Everything the media layer needs from the configuration: the certificate (pemCertificateRSA/ECDSA, else a new
// ECDSA P-256 one), codecs (SdpEndpoint.conf.json), STUN server, loopback policy. The port is opened by the caller.
base::Result<std::shared_ptr<MediaContext>, std::string> make_media_context(boost::asio::io_context& io,
                                                                           media::MediaPort& port,
                                                                           const MediaServerConfig& config);

}  // namespace medley::server::elements
