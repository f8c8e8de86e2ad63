// Codec, feedback and header-extension matching for offer/answer (RFC 3264 section 6.1, RFC 8829 section 5.3.1).
#include "rtp/negotiation/codec_matching.hpp"

#include <algorithm>
#include <cctype>

#include "rtp/negotiation/h264_profile_level_id.hpp"

namespace medley::rtp::negotiation {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::optional<std::string_view> fmtp_get(const sdp::Fmtp& f, std::string_view key) { return f.get(key); }

sdp::Fmtp as_fmtp(std::string_view params) { return sdp::Fmtp{PayloadType{0}, std::string(params)}; }

// RFC 3551 table 4/5 entries a browser may list without rtpmap.
struct StaticPt {
  uint8_t pt;
  const char* name;
  uint32_t clock;
};
constexpr StaticPt kStatic[] = {{0, "PCMU", 8000}, {3, "GSM", 8000}, {4, "G723", 8000}, {8, "PCMA", 8000},
                                {9, "G722", 8000}, {13, "CN", 8000}, {18, "G729", 8000}};

std::string_view value_or(std::optional<std::string_view> v, std::string_view d) { return v ? *v : d; }

}  // namespace

std::vector<sdp::Codec> offered_codecs(const sdp::MediaDescription& m) {
  std::vector<sdp::Codec> out;
  for (auto& c : m.codecs()) {
    if (std::any_of(out.begin(), out.end(), [&](const sdp::Codec& o) { return o.payload_type == c.payload_type; }))
      continue;
    if (c.encoding_name.empty()) {
      for (const auto& s : kStatic)
        if (s.pt == c.payload_type.value) {
          c.encoding_name = s.name;
          c.clock_rate = s.clock;
        }
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool is_rtx(const sdp::Codec& c) { return iequals(c.encoding_name, "rtx"); }

bool codec_matches(const sdp::Codec& offered, const CodecCapability& cap) {
  if (!iequals(offered.encoding_name, cap.name) || offered.clock_rate != cap.clock_rate) return false;
  const bool audio = cap.clock_rate != 90000;
  if (audio && offered.channels.value_or(1) != cap.channels.value_or(1)) return false;
  if (!audio && offered.channels && *offered.channels != 1) return false;
  const auto offered_fmtp = as_fmtp(offered.fmtp);
  const auto cap_fmtp = as_fmtp(cap.fmtp);
  if (iequals(cap.name, "H264")) {
    // RFC 6184 section 8.2.2: packetization-mode must be equal; libwebrtc also requires the same profile.
    if (offered_fmtp.h264_packetization_mode() != cap_fmtp.h264_packetization_mode()) return false;
    auto o = H264ProfileLevelId::from_fmtp(offered.fmtp);
    auto l = H264ProfileLevelId::from_fmtp(cap.fmtp);
    return o && l && o->profile == l->profile;
  }
  if (iequals(cap.name, "VP9")) {
    // draft-ietf-payload-vp9 section 6: profile-id defaults to 0 and must match.
    return value_or(fmtp_get(offered_fmtp, "profile-id"), "0") == value_or(fmtp_get(cap_fmtp, "profile-id"), "0");
  }
  if (iequals(cap.name, "AV1")) {
    return value_or(fmtp_get(offered_fmtp, "profile"), "0") == value_or(fmtp_get(cap_fmtp, "profile"), "0");
  }
  return true;
}

std::string local_fmtp_for(const sdp::Codec& offered, const CodecCapability& cap) {
  if (!iequals(cap.name, "H264")) return cap.fmtp;
  const auto cap_fmtp = as_fmtp(cap.fmtp);
  std::vector<std::pair<std::string, std::string>> params;
  if (cap_fmtp.h264_level_asymmetry_allowed()) params.emplace_back("level-asymmetry-allowed", "1");
  params.emplace_back("packetization-mode", std::to_string(cap_fmtp.h264_packetization_mode()));
  if (auto plid = h264_answer_profile_level_id(cap.fmtp, offered.fmtp))
    params.emplace_back("profile-level-id", plid->to_string());
  return sdp::Fmtp::from_parameters(PayloadType{0}, params).parameters;
}

std::vector<sdp::RtcpFb> common_feedback(const sdp::Codec& offered, const CodecCapability& cap) {
  std::vector<sdp::RtcpFb> out;
  for (const auto& want : cap.feedback) {
    for (const auto& fb : offered.feedback) {
      if (fb.type == want.type && fb.subtype == want.subtype) {
        out.push_back(sdp::RtcpFb{offered.payload_type, fb.type, fb.subtype});
        break;
      }
    }
  }
  return out;
}

std::vector<NegotiatedCodec> match_codecs(const sdp::MediaDescription& offer, MediaKind kind,
                                          const LocalCapabilities& caps) {
  std::vector<NegotiatedCodec> out;
  if (kind != MediaKind::Audio && kind != MediaKind::Video) return out;
  const auto offered = offered_codecs(offer);
  for (const auto& c : offered) {
    if (is_rtx(c)) continue;
    const CodecCapability* cap = nullptr;
    for (const auto& cc : caps.codecs(kind))
      if (codec_matches(c, cc)) {
        cap = &cc;
        break;
      }
    if (!cap) continue;
    NegotiatedCodec n;
    n.payload_type = c.payload_type;
    n.name = c.encoding_name;
    n.clock_rate = c.clock_rate;
    n.channels = c.channels;
    n.codec_id = cap->codec_id();
    n.remote_fmtp = c.fmtp;
    n.local_fmtp = local_fmtp_for(c, *cap);
    n.feedback = common_feedback(c, *cap);
    if (caps.rtx && kind == MediaKind::Video) {
      for (const auto& r : offered) {
        if (!is_rtx(r) || r.clock_rate != c.clock_rate) continue;
        if (as_fmtp(r.fmtp).apt() == c.payload_type) {
          n.rtx_payload_type = r.payload_type;
          break;
        }
      }
    }
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<NegotiatedExtension> match_extensions(const sdp::SessionDescription& offer_sdp,
                                                  const sdp::MediaDescription& offer, MediaKind kind,
                                                  const LocalCapabilities& caps, bool two_byte_ok) {
  std::vector<NegotiatedExtension> out;
  for (const auto* e : offer_sdp.extmaps(offer)) {
    if (!caps.supports_extension(e->uri, kind)) continue;
    if (e->id > (two_byte_ok ? 255 : 14)) continue;  // RFC 8285 section 4.2 / 4.3
    const bool taken = std::any_of(out.begin(), out.end(),
                                   [&](const NegotiatedExtension& x) { return x.id == e->id || x.uri == e->uri; });
    if (taken) continue;
    NegotiatedExtension n;
    n.id = e->id;
    n.uri = e->uri;
    // RFC 8285 section 7: a direction in the offer is answered with its reverse.
    if (e->direction) n.direction = sdp::reversed(*e->direction);
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace medley::rtp::negotiation
