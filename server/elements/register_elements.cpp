// Registration of the media types and the media context from configuration.
#include "server/elements/register_elements.hpp"

#include <fstream>
#include <sstream>

#include <boost/asio/strand.hpp>

#include "server/elements/pass_through.hpp"
#include "server/elements/pipeline.hpp"
#include "server/elements/player_endpoint.hpp"
#include "server/elements/recorder_endpoint.hpp"
#include "server/elements/webrtc_endpoint.hpp"

namespace medley::server::elements {

void register_media_types(kurento::TypeFactory& factory, std::shared_ptr<MediaContext> context) {
  factory.add("MediaPipeline", [context](kurento::ObjectInit init) -> kurento::CreateResult {
    return std::shared_ptr<kurento::MediaObject>(
        std::make_shared<Pipeline>(std::move(init), boost::asio::make_strand(context->io)));
  });
  factory.add("PassThrough", [](kurento::ObjectInit init) -> kurento::CreateResult {
    auto pipeline = std::dynamic_pointer_cast<Pipeline>(init.parent);
    if (!pipeline) return kurento::KurentoError{kurento::code::kMarshallError, "PassThrough needs a MediaPipeline"};
    auto strand = pipeline->strand();
    return std::shared_ptr<kurento::MediaObject>(std::make_shared<PassThrough>(std::move(init), std::move(strand)));
  });
  factory.add("PlayerEndpoint", [context](kurento::ObjectInit init) -> kurento::CreateResult {
    return create_player_endpoint(std::move(init), context->random());
  });
  factory.add("RecorderEndpoint", [](kurento::ObjectInit init) -> kurento::CreateResult {
    return create_recorder_endpoint(std::move(init));
  });
  factory.add("WebRtcEndpoint", [context](kurento::ObjectInit init) -> kurento::CreateResult {
    return create_webrtc_endpoint(std::move(init), context);
  });
}

base::Result<std::shared_ptr<MediaContext>, std::string> make_media_context(boost::asio::io_context& io,
                                                                           media::MediaPort& port,
                                                                           const MediaServerConfig& config) {
  const auto& w = config.webrtc;
  std::optional<ice::Certificate> cert;
  for (const auto& path : {w.pem_certificate_ecdsa, w.pem_certificate_rsa}) {
    if (path.empty() || cert) continue;
    std::ifstream in(path);
    if (!in) return "cannot read the DTLS certificate " + path.string();
    std::stringstream text;
    text << in.rdbuf();
    auto c = ice::Certificate::from_pem(text.str());
    if (!c) return "DTLS certificate " + path.string() + ": " + c.error();
    cert.emplace(std::move(*c));
  }
  if (!cert) {
    auto c = ice::Certificate::generate();
    if (!c) return "cannot generate the DTLS certificate: " + c.error();
    cert.emplace(std::move(*c));
  }
  auto dtls = ice::DtlsContext::create(*cert);
  if (!dtls) return "DTLS context: " + dtls.error();
  auto caps = rtp::negotiation::LocalCapabilities::from_codec_names(config.sdp.audio_codecs, config.sdp.video_codecs);
  if (!caps) return "SdpEndpoint codecs: " + caps.error();
  auto ctx = std::make_shared<MediaContext>(io, port, *dtls, std::move(*caps));
  ctx->session.mtu = config.rtp.mtu;
  for (const auto& a : port.local_addresses()) {
    if (a.ip_string() == "127.0.0.1" || a.ip_string() == "::1") ctx->session.allow_loopback = true;
  }
  if (!w.stun_server_address.empty()) {
    ctx->session.stun_server = ice::TransportAddress::parse(w.stun_server_address, w.stun_server_port);
  }
  return ctx;
}

}  // namespace medley::server::elements
