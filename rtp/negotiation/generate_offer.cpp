// The offerer: our offer from the capabilities (one payload type and extension id space for the whole BUNDLE,
// RFC 8843 section 9.1), and the answer validated against it (RFC 3264 section 6, RFC 8829 section 5.10).
#include "rtp/negotiation/generate_offer.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "rtp/negotiation/codec_matching.hpp"
#include "rtp/negotiation/remote_description.hpp"
#include "rtp/negotiation/section_writer.hpp"

namespace medley::rtp::negotiation {

namespace {

NegotiationError offer_error(std::string r) { return NegotiationError{kGenerateOfferError, std::move(r)}; }
NegotiationError answer_error(std::string r) { return NegotiationError{kProcessAnswerError, std::move(r)}; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// Dynamic payload types (RFC 3551 section 6): 96-127 first, then 35-63 as libwebrtc does when it runs out.
class PayloadTypeAllocator {
 public:
  std::optional<PayloadType> next() {
    while (cursor_ < kOrder.size()) {
      const uint8_t pt = kOrder[cursor_++];
      if (std::find(used_.begin(), used_.end(), pt) == used_.end()) return PayloadType{pt};
    }
    return std::nullopt;
  }
  void reserve(uint8_t pt) { used_.push_back(pt); }

 private:
  static constexpr auto kOrder = [] {
    std::array<uint8_t, 32 + 29> a{};
    size_t i = 0;
    for (int pt = 96; pt <= 127; ++pt) a[i++] = static_cast<uint8_t>(pt);
    for (int pt = 35; pt <= 63; ++pt) a[i++] = static_cast<uint8_t>(pt);
    return a;
  }();
  size_t cursor_ = 0;
  std::vector<uint8_t> used_;
};

bool direction_answers(sdp::Direction offered, sdp::Direction answered) {
  using D = sdp::Direction;
  switch (offered) {
    case D::SendRecv: return true;
    case D::SendOnly: return answered == D::RecvOnly || answered == D::Inactive;
    case D::RecvOnly: return answered == D::SendOnly || answered == D::Inactive;
    case D::Inactive: return answered == D::Inactive;
  }
  return false;
}

std::string section_name(size_t i) { return "m-section " + std::to_string(i); }

}  // namespace

Result<GeneratedOffer> generate_offer(const LocalCapabilities& caps, const TransportParams& transport,
                                      const LocalIdentity& identity, const std::vector<OfferSection>& sections) {
  if (sections.empty()) return offer_error("nothing to offer: no audio, video or data section requested");
  auto local_transport = make_transport_attributes(transport);
  if (!local_transport) return offer_error(local_transport.error());

  PayloadTypeAllocator pts;
  for (const auto* list : {&caps.audio_codecs, &caps.video_codecs})
    for (const auto& c : *list)
      if (c.static_payload_type) pts.reserve(*c.static_payload_type);
  // One extension id per URI across the BUNDLE (RFC 8285 section 6), one-byte ids only.
  std::vector<NegotiatedExtension> ext_ids;
  for (const auto& e : caps.header_extensions) {
    if (ext_ids.size() == 14) break;
    ext_ids.push_back({static_cast<uint16_t>(ext_ids.size() + 1), e.uri, std::nullopt});
  }

  IdGenerator gen(identity.seed);
  GeneratedOffer out;
  auto& o = out.state.offer;
  o = session_skeleton(gen, identity, transport);
  const auto ids = resolve_identity(identity, gen);
  std::vector<Ssrc> taken;
  bool data = false;
  bool sending = false;
  // A codec gets the same payload type in every section it appears in.
  std::vector<std::pair<const CodecCapability*, std::pair<PayloadType, std::optional<PayloadType>>>> assigned;

  for (size_t i = 0; i < sections.size(); ++i) {
    const auto& req = sections[i];
    NegotiatedMedia n;
    n.index = i;
    n.mid = std::to_string(i);
    n.kind = req.kind;
    n.accepted = true;
    if (req.kind == MediaKind::Data) {
      if (!caps.data.enabled) return offer_error("data channels are disabled");
      if (data) return offer_error("only one data channel section is supported");
      data = true;
      n.media = "application";
      n.proto = "UDP/DTLS/SCTP";
      n.direction = sdp::Direction::SendRecv;
      n.local_sctp_port = caps.data.sctp_port;
      n.local_max_message_size = caps.data.max_message_size;
      out.state.local.push_back(std::move(n));
      continue;
    }
    if (req.kind != MediaKind::Audio && req.kind != MediaKind::Video) return offer_error("unknown media kind requested");
    n.media = std::string(to_string(req.kind));
    n.proto = "UDP/TLS/RTP/SAVPF";
    n.direction = req.direction;
    n.rtcp_mux = true;
    n.rtcp_rsize = true;
    const auto& list = caps.codecs(req.kind);
    if (list.empty()) return offer_error("no " + n.media + " codec configured");
    bool rtx_any = false;
    for (const auto& cap : list) {
      auto it = std::find_if(assigned.begin(), assigned.end(), [&](const auto& a) { return a.first == &cap; });
      if (it == assigned.end()) {
        std::optional<PayloadType> pt =
            cap.static_payload_type ? std::optional<PayloadType>(PayloadType{*cap.static_payload_type}) : pts.next();
        std::optional<PayloadType> rtx;
        if (pt && caps.rtx && req.kind == MediaKind::Video) {
          rtx = pts.next();
          if (!rtx) pt.reset();
        }
        if (!pt) return offer_error("out of dynamic payload types");
        assigned.push_back({&cap, {*pt, rtx}});
        it = std::prev(assigned.end());
      }
      NegotiatedCodec c;
      c.payload_type = it->second.first;
      c.rtx_payload_type = it->second.second;
      rtx_any = rtx_any || c.rtx_payload_type;
      c.name = cap.name;
      c.clock_rate = cap.clock_rate;
      c.channels = cap.channels;
      c.codec_id = cap.codec_id();
      c.local_fmtp = cap.fmtp;
      for (const auto& fb : cap.feedback) c.feedback.push_back(sdp::RtcpFb{c.payload_type, fb.type, fb.subtype});
      n.codecs.push_back(std::move(c));
    }
    for (const auto& e : ext_ids)
      if (caps.supports_extension(e.uri, req.kind)) n.extensions.push_back(e);
    if (n.sends()) {
      n.send = make_send_stream(gen, ids, rtx_any, taken);
      sending = true;
    }
    out.state.local.push_back(std::move(n));
  }

  sdp::Group g{"BUNDLE", {}};
  for (const auto& n : out.state.local) g.mids.push_back(n.mid);
  o.attributes.add(std::move(g));
  sdp::MsidSemantic wms{"WMS", {}, true};
  if (sending) wms.ids.push_back(ids.stream_id);
  o.attributes.add(std::move(wms));
  bool first = true;
  for (const auto& n : out.state.local) {
    // RFC 8829 section 5.2.1: the offerer says actpass; candidates in the offerer-tagged (first) section.
    SectionTransport st{&transport, &*local_transport, sdp::SetupRole::ActPass, first};
    first = false;
    o.media.push_back(n.kind == MediaKind::Data ? write_data_section(n, st) : write_rtp_section(n, st));
  }
  out.sdp = o.to_string();
  return out;
}

Result<NegotiatedSession> process_answer(std::string_view answer_text, const OfferState& state) {
  auto parsed = sdp::SessionDescription::parse(answer_text);
  if (!parsed) {
    return answer_error("answer does not parse: line " + std::to_string(parsed.error().line) + ": " +
                        parsed.error().reason);
  }
  const auto& answer = *parsed;
  if (answer.media.size() != state.local.size()) {
    return answer_error("answer has " + std::to_string(answer.media.size()) + " m-sections, the offer had " +
                        std::to_string(state.local.size()));
  }
  NegotiatedSession session;
  std::vector<const sdp::MediaDescription*> accepted;
  for (size_t i = 0; i < answer.media.size(); ++i) {
    const auto& am = answer.media[i];
    const auto& ours = state.local[i];
    if (am.media != ours.media) return answer_error(section_name(i) + " is " + am.media + ", we offered " + ours.media);
    const auto amid = am.mid().value_or("");
    if (amid != ours.mid) return answer_error(section_name(i) + " has mid \"" + std::string(amid) + "\", we offered \"" + ours.mid + "\"");
    NegotiatedMedia n;
    n.index = i;
    n.mid = ours.mid;
    n.kind = ours.kind;
    n.media = ours.media;
    n.proto = ours.proto;
    if (am.is_rejected()) {
      n.rejection_reason = "rejected by the answerer";
      session.media.push_back(std::move(n));
      continue;
    }
    if (am.proto != ours.proto) return answer_error(section_name(i) + " answers with proto " + am.proto + ", we offered " + ours.proto);
    n.accepted = true;
    if (ours.kind == MediaKind::Data) {
      n.direction = sdp::Direction::SendRecv;
      n.local_sctp_port = ours.local_sctp_port;
      n.local_max_message_size = ours.local_max_message_size;
      n.remote_sctp_port = remote_sctp_port(am);
      auto* mms = am.attributes.find<sdp::MaxMessageSize>();
      n.remote_max_message_size = mms ? mms->size : 65536;
    } else {
      if (!am.attributes.has<sdp::RtcpMux>()) return answer_error(section_name(i) + " has no a=rtcp-mux");
      const auto answered = offered_codecs(am);
      for (const auto& c : answered) {
        if (is_rtx(c)) continue;
        const auto* mine = ours.codec(c.payload_type);
        if (!mine || !iequals(mine->name, c.encoding_name) || mine->clock_rate != c.clock_rate)
          return answer_error(section_name(i) + " answers payload type " + std::to_string(c.payload_type.value) +
                              " (" + c.encoding_name + "), which we did not offer");
        NegotiatedCodec nc = *mine;
        nc.remote_fmtp = c.fmtp;
        nc.feedback.clear();
        for (const auto& fb : mine->feedback)
          if (std::any_of(c.feedback.begin(), c.feedback.end(),
                          [&](const sdp::RtcpFb& x) { return x.type == fb.type && x.subtype == fb.subtype; }))
            nc.feedback.push_back(fb);
        nc.rtx_payload_type.reset();
        if (mine->rtx_payload_type) {
          for (const auto& r : answered)
            if (is_rtx(r) && r.payload_type == *mine->rtx_payload_type) nc.rtx_payload_type = r.payload_type;
        }
        n.codecs.push_back(std::move(nc));
      }
      if (n.codecs.empty()) return answer_error(section_name(i) + " accepts no codec");
      const auto ad = answer.direction(am);
      if (!direction_answers(ours.direction, ad))
        return answer_error(section_name(i) + " answers " + std::string(sdp::to_string(ad)) + " to our " +
                            std::string(sdp::to_string(ours.direction)));
      n.direction = sdp::reversed(ad);
      for (const auto* e : answer.extmaps(am)) {
        auto it = std::find_if(ours.extensions.begin(), ours.extensions.end(),
                               [&](const NegotiatedExtension& x) { return x.uri == e->uri && x.id == e->id; });
        if (it != ours.extensions.end() && !n.extension_id(e->uri)) n.extensions.push_back(*it);
      }
      n.rtcp_mux = true;
      n.rtcp_rsize = am.attributes.has<sdp::RtcpRsize>();
      n.remote = read_remote_streams(am);
      if (n.sends()) {
        n.send = ours.send;
        // Without negotiated RTX we send no RTX stream.
        if (n.send && std::none_of(n.codecs.begin(), n.codecs.end(), [](const auto& c) { return c.rtx_payload_type; }))
          n.send->rtx_ssrc.reset();
      }
    }
    accepted.push_back(&am);
    session.media.push_back(std::move(n));
  }
  if (accepted.empty()) return answer_error("the answer rejects every m-section");

  const sdp::Group* bundle = answer.group("BUNDLE");
  if (bundle) {
    for (const auto& mid : bundle->mids) {
      auto* n = session.find(mid);
      if (!n) return answer_error("answer BUNDLEs mid " + mid + ", which we did not offer");
      if (!n->accepted) return answer_error("answer BUNDLEs mid " + mid + ", which it rejects");
    }
    for (const auto& n : session.media)
      if (n.accepted && std::find(bundle->mids.begin(), bundle->mids.end(), n.mid) == bundle->mids.end())
        return answer_error("answer accepts mid " + n.mid + " outside its BUNDLE group (we use one transport)");
    session.bundle_mids = bundle->mids;
  } else if (accepted.size() > 1) {
    return answer_error("answer accepts several m-sections without BUNDLE (we use one transport)");
  }
  const sdp::MediaDescription* tagged = bundle && !bundle->mids.empty() ? answer.find_media(bundle->mids.front())
                                                                        : accepted.front();
  auto remote = read_remote_transport(answer, *tagged);
  if (!remote) return answer_error(remote.error());
  session.remote = std::move(*remote);
  // RFC 5763 section 5: the answerer picks active or passive; JSEP answers always carry a=setup. Without one,
  // RFC 4145's default (active) applies.
  auto role = sdp::SetupRole::Active;
  if (auto* s = answer.setup(*tagged)) role = s->role;
  if (role == sdp::SetupRole::ActPass) return answer_error("answer says a=setup:actpass; an answerer must choose");
  if (role == sdp::SetupRole::HoldConn) return answer_error("answer says a=setup:holdconn");
  session.local_setup = role == sdp::SetupRole::Active ? sdp::SetupRole::Passive : sdp::SetupRole::Active;
  session.dtls_role = session.local_setup == sdp::SetupRole::Active ? DtlsRole::Client : DtlsRole::Server;
  return session;
}

}  // namespace medley::rtp::negotiation
