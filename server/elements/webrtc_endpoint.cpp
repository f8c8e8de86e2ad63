// WebRtcEndpoint: Kurento's SdpEndpoint/BaseRtpEndpoint/WebRtcEndpoint operations over a WebRtcSession.
#include "server/elements/webrtc_endpoint.hpp"

#include "rtp/negotiation/process_offer.hpp"
#include "server/elements/pipeline.hpp"
#include "server/log.hpp"

namespace medley::server::elements {
namespace {

using kurento::InvokeResult;
using kurento::Json;
using kurento::KurentoError;
namespace code = kurento::code;
namespace neg = rtp::negotiation;
namespace sdp = rtp::sdp;
using Kind = media::WebRtcSession::Kind;

bool bool_param(const Json& params, const char* name, bool fallback) {
  if (!params.is_object()) return fallback;
  auto it = params.find(name);
  return it != params.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::string string_param(const Json& params, const char* name) {
  if (!params.is_object()) return {};
  auto it = params.find(name);
  return it != params.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int64_t> int_param(const Json& params, const char* name) {
  if (!params.is_object()) return std::nullopt;
  auto it = params.find(name);
  if (it == params.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// Which kinds a mediaType parameter selects: both when absent.
std::vector<Kind> kinds_of(const Json& params, std::optional<KurentoError>& error) {
  const std::string t = string_param(params, "mediaType");
  if (t.empty()) return {Kind::Audio, Kind::Video};
  if (t == "AUDIO") return {Kind::Audio};
  if (t == "VIDEO") return {Kind::Video};
  if (t == "DATA") return {};
  error = KurentoError{code::kMarshallError, "Invalid MediaType '" + t + "'"};
  return {};
}

}  // namespace

WebRtcEndpoint::WebRtcEndpoint(kurento::ObjectInit init, std::shared_ptr<MediaContext> context, media::Strand strand)
    : MediaNode(std::move(init)), context_(std::move(context)), strand_(std::move(strand)) {
  recvonly_ = property("recvonly").is_boolean() && property("recvonly").get<bool>();
  sendonly_ = property("sendonly").is_boolean() && property("sendonly").get<bool>();
  use_data_channels_ = property("useDataChannels").is_boolean() && property("useDataChannels").get<bool>();
}

void WebRtcEndpoint::start() {
  // Events are raised on the strand; the endpoint may be released by then, so only a weak reference.
  std::weak_ptr<kurento::MediaObject> weak = weak_from_this();
  session_ = std::make_shared<media::WebRtcSession>(
      strand_, context_->port, context_->dtls, context_->session,
      [weak](const std::string& type, Json fields) {
        if (auto self = weak.lock(); self && !self->released()) self->emit(type, std::move(fields));
      },
      context_->random());
  session_->open();
  if (const Json cap = property("maxVideoRecvBandwidth"); cap.is_number_integer() && cap.get<int64_t>() > 0) {
    session_->set_max_video_recv_bitrate(static_cast<uint64_t>(cap.get<int64_t>()) * 1000);
  }
}

std::shared_ptr<media::Router> WebRtcEndpoint::output(Kind kind) { return session_->output(kind); }

void WebRtcEndpoint::set_input(Kind kind, std::shared_ptr<media::Router> source) {
  session_->set_input(kind, std::move(source));
}

void WebRtcEndpoint::on_release() {
  MediaNode::on_release();
  session_->close();
}

neg::TransportParams WebRtcEndpoint::transport_params() const {
  neg::TransportParams t;
  t.ice_ufrag = session_->credentials().ufrag;
  t.ice_pwd = session_->credentials().pwd;
  t.fingerprint = context_->dtls->certificate().fingerprint_sha256_string();
  return t;
}

std::optional<InvokeResult> WebRtcEndpoint::invoke_own(const std::string& operation, const Json& params) {
  if (operation == "processOffer") return process_offer(params);
  if (operation == "generateOffer") return generate_offer(params);
  if (operation == "processAnswer") return process_answer(params);
  if (operation == "gatherCandidates") {
    session_->gather_candidates();
    return InvokeResult(Json(nullptr));
  }
  if (operation == "addIceCandidate") return add_ice_candidate(params);
  if (operation == "getLocalSessionDescriptor" || operation == "getRemoteSessionDescriptor") {
    std::lock_guard lock(mutex_);
    const bool local = operation == "getLocalSessionDescriptor";
    const std::string& sdp = local ? local_sdp_ : remote_sdp_;
    if (sdp.empty()) {
      return InvokeResult(KurentoError{local ? code::kSdpNoLocalSdp : code::kSdpNoRemoteSdp,
                                       local ? "No local SDP" : "No remote SDP"});
    }
    return InvokeResult(Json(sdp));
  }
  if (operation == "getICECandidatePairs") {
    const auto snap = session_->snapshot();
    Json pairs = Json::array();
    if (snap.local_candidate && snap.remote_candidate) {
      pairs.push_back(kurento::with_type_marker({{"streamId", "0"},
                                                 {"componentId", 1},
                                                 {"localCandidate", *snap.local_candidate},
                                                 {"remoteCandidate", *snap.remote_candidate}},
                                                "IceCandidatePair"));
    }
    return InvokeResult(std::move(pairs));
  }
  if (operation == "getIceConnectionState") {
    const auto snap = session_->snapshot();
    Json list = Json::array();
    list.push_back(kurento::with_type_marker(
        {{"streamId", "0"}, {"componentId", 1}, {"state", std::string(ice::to_string(snap.ice_state))}},
        "IceConnection"));
    return InvokeResult(std::move(list));
  }
  if (operation == "getConnectionState") {
    return InvokeResult(Json(session_->snapshot().connected ? "CONNECTED" : "DISCONNECTED"));
  }
  if (operation == "getMediaState") {
    return InvokeResult(Json(session_->snapshot().media_connected ? "CONNECTED" : "DISCONNECTED"));
  }
  if (operation == "isMediaFlowingIn" || operation == "isMediaFlowingOut") {
    std::optional<KurentoError> error;
    const auto kinds = kinds_of(params, error);
    if (error) return InvokeResult(*error);
    const auto snap = session_->snapshot();
    bool flowing = false;
    for (Kind k : kinds) {
      const size_t i = static_cast<size_t>(k);
      flowing = flowing || (operation == "isMediaFlowingIn" ? snap.flowing_in[i] : snap.flowing_out[i]);
    }
    return InvokeResult(Json(flowing));
  }
  if (operation == "setMaxVideoRecvBandwidth") {
    // Applied, then stored by the generic setter (getMaxVideoRecvBandwidth reads it back).
    auto kbps = int_param(params, "maxVideoRecvBandwidth");
    if (!kbps || *kbps < 0) return InvokeResult(KurentoError{code::kMarshallError, "Invalid maxVideoRecvBandwidth"});
    session_->set_max_video_recv_bitrate(static_cast<uint64_t>(*kbps) * 1000);
    return std::nullopt;
  }
  if (operation == "isMediaTranscoding") {
    std::optional<KurentoError> error;
    const auto kinds = kinds_of(params, error);
    if (error) return InvokeResult(*error);
    const auto snap = session_->snapshot();
    bool t = false;
    for (Kind k : kinds) t = t || snap.transcoding[static_cast<size_t>(k)];
    return InvokeResult(Json(t));
  }
  if (operation == "createDataChannel") return create_data_channel(params);
  if (operation == "closeDataChannel") {
    auto id = int_param(params, "channelId");
    if (!id || *id < 0 || *id > 65535) return InvokeResult(KurentoError{code::kMarshallError, "Invalid channelId"});
    session_->close_data_channel(static_cast<uint16_t>(*id));
    return InvokeResult(Json(nullptr));
  }
  if (operation == "getStats") {
    std::optional<KurentoError> error;
    kinds_of(params, error);
    if (error) return InvokeResult(*error);
    return InvokeResult(stats(params));
  }
  return MediaNode::invoke_own(operation, params);
}

InvokeResult WebRtcEndpoint::process_offer(const Json& params) {
  const std::string offer = string_param(params, "offer");
  std::lock_guard lock(mutex_);
  if (negotiated_ || offer_) {
    return KurentoError{code::kSdpAlreadyNegotiated, "SDP negotiation already done or in progress on this endpoint"};
  }
  neg::LocalIdentity identity;
  identity.seed = context_->random();
  auto answer = neg::process_offer(offer, context_->capabilities, transport_params(), identity);
  if (!answer) {
    log::get("webrtc")->info("processOffer refused: {}", answer.error().reason);
    return KurentoError{code::kSdpProcessOfferError, "Error processing offer: " + answer.error().reason};
  }
  negotiated_ = true;
  remote_sdp_ = offer;
  local_sdp_ = answer->sdp;
  session_->install(std::move(answer->session), /*we_control=*/false);
  return Json(local_sdp_);
}

InvokeResult WebRtcEndpoint::generate_offer(const Json& params) {
  std::lock_guard lock(mutex_);
  if (negotiated_ || offer_) {
    return KurentoError{code::kSdpAlreadyNegotiated, "SDP negotiation already done or in progress on this endpoint"};
  }
  const Json options = params.is_object() && params.contains("options") ? params["options"] : Json::object();
  const bool want_audio = bool_param(options, "offerToReceiveAudio", true);
  const bool want_video = bool_param(options, "offerToReceiveVideo", true);
  const sdp::Direction dir = recvonly_   ? sdp::Direction::RecvOnly
                             : sendonly_ ? sdp::Direction::SendOnly
                                         : sdp::Direction::SendRecv;
  std::vector<neg::OfferSection> sections;
  if (want_audio) sections.push_back({neg::MediaKind::Audio, dir});
  if (want_video) sections.push_back({neg::MediaKind::Video, dir});
  if (use_data_channels_) sections.push_back({neg::MediaKind::Data, sdp::Direction::SendRecv});
  neg::TransportParams t = transport_params();
  t.answer_setup = sdp::SetupRole::ActPass;
  neg::LocalIdentity identity;
  identity.seed = context_->random();
  auto offer = neg::generate_offer(context_->capabilities, t, identity, sections);
  if (!offer) return KurentoError{code::kSdpGenerateOfferError, "Error generating offer: " + offer.error().reason};
  local_sdp_ = offer->sdp;
  offer_ = std::move(offer->state);
  return Json(local_sdp_);
}

InvokeResult WebRtcEndpoint::process_answer(const Json& params) {
  const std::string answer = string_param(params, "answer");
  std::lock_guard lock(mutex_);
  if (negotiated_) return KurentoError{code::kSdpAnswerAlreadyProcessed, "The answer was already processed"};
  if (!offer_) return KurentoError{code::kSdpNotOfferGenerated, "No offer was generated: call generateOffer first"};
  auto session = neg::process_answer(answer, *offer_);
  if (!session) {
    log::get("webrtc")->info("processAnswer refused: {}", session.error().reason);
    return KurentoError{code::kSdpProcessAnswerError, "Error processing answer: " + session.error().reason};
  }
  negotiated_ = true;
  remote_sdp_ = answer;
  session_->install(std::move(*session), /*we_control=*/true);
  return Json(local_sdp_);
}

InvokeResult WebRtcEndpoint::add_ice_candidate(const Json& params) {
  const Json c = params.is_object() && params.contains("candidate") ? params["candidate"] : Json();
  if (!c.is_object() || !c.contains("candidate") || !c["candidate"].is_string()) {
    return KurentoError{code::kMarshallError, "addIceCandidate needs an IceCandidate with a 'candidate' string"};
  }
  std::string text = c["candidate"].get<std::string>();
  // An empty candidate is the browser's end-of-candidates (RTCPeerConnection's last icecandidate event).
  if (!text.empty()) {
    auto parsed = ice::Candidate::parse(text);
    if (!parsed) return KurentoError{code::kIllegalParam, "Invalid ICE candidate: " + text};
  }
  session_->add_remote_candidate(std::move(text));
  return Json(nullptr);
}

InvokeResult WebRtcEndpoint::create_data_channel(const Json& params) {
  if (!use_data_channels_) {
    // Kurento needs useDataChannels at creation; a negotiated data section counts as well.
    std::lock_guard lock(mutex_);
    if (local_sdp_.find("m=application") == std::string::npos) {
      return KurentoError{code::kOperationNotSupported, "Data channels are not enabled on this endpoint"};
    }
  }
  ice::DataChannelInit init;
  init.ordered = bool_param(params, "ordered", true);
  const auto lifetime = int_param(params, "maxPacketLifeTime");
  const auto retransmits = int_param(params, "maxRetransmits");
  if (lifetime && *lifetime >= 0) init.max_packet_lifetime_ms = static_cast<uint32_t>(*lifetime);
  if (retransmits && *retransmits >= 0) init.max_retransmits = static_cast<uint32_t>(*retransmits);
  if (init.max_packet_lifetime_ms && init.max_retransmits) {
    return KurentoError{code::kIllegalParam, "maxPacketLifeTime and maxRetransmits are exclusive"};
  }
  init.protocol = string_param(params, "protocol");
  session_->create_data_channel(string_param(params, "label"), init);
  return Json(nullptr);
}

// Kurento's getStats: a map of stats objects keyed by id, in the RTC*Stats shapes of kurento-client-core.
Json WebRtcEndpoint::stats(const Json& params) const {
  const auto snap = session_->snapshot();
  std::optional<KurentoError> ignored;
  const auto kinds = kinds_of(params, ignored);
  const double now_ms = static_cast<double>(host().wall_clock_ms());
  Json out = Json::object();
  for (Kind k : kinds) {
    const size_t i = static_cast<size_t>(k);
    const std::string kind = k == Kind::Audio ? "audio" : "video";
    out["inbound-" + kind] = kurento::with_type_marker({{"id", "inbound-" + kind},
                                                        {"type", "inboundrtp"},
                                                        {"timestamp", now_ms},
                                                        {"timestampMillis", static_cast<int64_t>(now_ms)},
                                                        {"kind", kind},
                                                        {"mediaType", kind},
                                                        {"packetsReceived", snap.packets_in[i]},
                                                        {"bytesReceived", snap.bytes_in[i]},
                                                        {"packetsLost", snap.packets_lost[i]},
                                                        {"jitter", snap.jitter_ms[i] / 1000.0},
                                                        {"nackCount", snap.nacks_sent[i]},
                                                        {"pliCount", snap.plis_sent[i]}},
                                                       "RTCInboundRTPStreamStats");
    out["outbound-" + kind] = kurento::with_type_marker({{"id", "outbound-" + kind},
                                                         {"type", "outboundrtp"},
                                                         {"timestamp", now_ms},
                                                         {"timestampMillis", static_cast<int64_t>(now_ms)},
                                                         {"kind", kind},
                                                         {"mediaType", kind},
                                                         {"packetsSent", snap.packets_out[i]},
                                                         {"roundTripTime", snap.rtt_ms.value_or(0) / 1000.0}},
                                                        "RTCOutboundRTPStreamStats");
  }
  out["transport"] = kurento::with_type_marker({{"id", "transport"},
                                                {"type", "transport"},
                                                {"timestamp", now_ms},
                                                {"timestampMillis", static_cast<int64_t>(now_ms)},
                                                {"dtlsState", snap.connected ? "connected" : "new"},
                                                {"srtpCipher", snap.srtp_profile},
                                                {"srtpErrors", snap.srtp_errors},
                                                {"selectedCandidatePairId", snap.local_candidate ? "pair" : ""}},
                                               "RTCTransportStats");
  return out;
}

kurento::CreateResult create_webrtc_endpoint(kurento::ObjectInit init, const std::shared_ptr<MediaContext>& context) {
  auto pipeline = std::dynamic_pointer_cast<Pipeline>(init.parent);
  if (!pipeline) return KurentoError{code::kMarshallError, "WebRtcEndpoint needs a MediaPipeline"};
  auto endpoint = std::make_shared<WebRtcEndpoint>(std::move(init), context, pipeline->strand());
  endpoint->start();
  return std::shared_ptr<kurento::MediaObject>(endpoint);
}

}  // namespace medley::server::elements
