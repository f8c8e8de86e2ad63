// RTP-level SDP attributes: rtpmap, fmtp, rtcp-fb, extmap, ssrc, ssrc-group, msid, rtcp.
#include "rtp/sdp/rtp_attributes.hpp"

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::sdp {

namespace {

// RFC 3551 section 3: payload types are 7 bits.
std::optional<PayloadType> parse_pt(std::string_view s) {
  auto v = text::parse_uint(s, 127);
  if (!v) return std::nullopt;
  return PayloadType{static_cast<uint8_t>(*v)};
}

std::optional<uint32_t> parse_hex24(std::string_view s) {
  if (s.size() != 6) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
    else return std::nullopt;
  }
  return v;
}

}  // namespace

// ---- rtpmap

Result<Rtpmap> Rtpmap::parse(std::string_view value) {
  auto [pt_s, rest] = text::split_once(value, ' ');
  auto pt = parse_pt(pt_s);
  if (!pt) return attribute_error(kName, "payload type is not a number in 0..127");
  if (!rest) return attribute_error(kName, "missing encoding");
  auto parts = text::split(*rest, '/');
  if (parts.size() < 2 || parts.size() > 3) return attribute_error(kName, "expected <name>/<clock rate>[/<channels>]");
  Rtpmap m;
  m.payload_type = *pt;
  if (!text::is_token(parts[0])) return attribute_error(kName, "bad encoding name");
  m.encoding_name = parts[0];
  auto rate = text::parse_uint(parts[1], UINT32_MAX);
  if (!rate) return attribute_error(kName, "clock rate is not a number");
  m.clock_rate = static_cast<uint32_t>(*rate);
  if (parts.size() == 3) {
    auto ch = text::parse_uint(parts[2], UINT32_MAX);
    if (!ch) return attribute_error(kName, "channel count is not a number");
    m.channels = static_cast<uint32_t>(*ch);
  }
  return m;
}

void Rtpmap::write(std::string& out) const {
  text::append_uint(out, payload_type.value);
  out += ' ';
  out += encoding_name;
  out += '/';
  text::append_uint(out, clock_rate);
  if (channels) {
    out += '/';
    text::append_uint(out, *channels);
  }
}

// ---- fmtp

Fmtp Fmtp::from_parameters(PayloadType pt, const std::vector<std::pair<std::string, std::string>>& params) {
  Fmtp f;
  f.payload_type = pt;
  for (const auto& [k, v] : params) {
    if (!f.parameters.empty()) f.parameters += ';';
    f.parameters += k;
    if (!v.empty()) {
      f.parameters += '=';
      f.parameters += v;
    }
  }
  return f;
}

std::vector<FmtpParameter> Fmtp::parameter_list() const {
  std::vector<FmtpParameter> out;
  for (auto piece : text::split(parameters, ';')) {
    piece = text::trim(piece);
    if (piece.empty()) continue;
    auto [k, v] = text::split_once(piece, '=');
    out.push_back({text::trim(k), v ? std::optional<std::string_view>(text::trim(*v)) : std::nullopt});
  }
  return out;
}

std::optional<std::string_view> Fmtp::get(std::string_view key) const {
  for (const auto& p : parameter_list())
    if (p.key == key) return p.value ? *p.value : std::string_view();
  return std::nullopt;
}

std::optional<PayloadType> Fmtp::apt() const {
  auto v = get("apt");
  if (!v) return std::nullopt;
  return parse_pt(*v);
}

std::optional<uint32_t> Fmtp::h264_profile_level_id() const {
  auto v = get("profile-level-id");
  if (!v) return std::nullopt;
  return parse_hex24(*v);
}

int Fmtp::h264_packetization_mode() const {
  auto v = get("packetization-mode");
  if (!v) return 0;
  auto n = text::parse_uint(*v, 2);
  return n ? static_cast<int>(*n) : 0;
}

bool Fmtp::h264_level_asymmetry_allowed() const {
  auto v = get("level-asymmetry-allowed");
  return v && *v == "1";
}

Result<Fmtp> Fmtp::parse(std::string_view value) {
  auto [pt_s, rest] = text::split_once(value, ' ');
  auto pt = parse_pt(pt_s);
  if (!pt) return attribute_error(kName, "payload type is not a number in 0..127");
  Fmtp f;
  f.payload_type = *pt;
  if (rest) f.parameters = *rest;
  return f;
}

void Fmtp::write(std::string& out) const {
  text::append_uint(out, payload_type.value);
  if (!parameters.empty()) {
    out += ' ';
    out += parameters;
  }
}

// ---- rtcp-fb

Result<RtcpFb> RtcpFb::parse(std::string_view value) {
  auto [pt_s, rest] = text::split_once(value, ' ');
  RtcpFb fb;
  if (pt_s != "*") {
    auto pt = parse_pt(pt_s);
    if (!pt) return attribute_error(kName, "payload type is neither '*' nor a number in 0..127");
    fb.payload_type = *pt;
  }
  if (!rest) return attribute_error(kName, "missing feedback type");
  auto [type, sub] = text::split_once(*rest, ' ');
  if (!text::is_token(type)) return attribute_error(kName, "bad feedback type");
  fb.type = type;
  if (sub) fb.subtype = *sub;
  return fb;
}

void RtcpFb::write(std::string& out) const {
  if (payload_type) text::append_uint(out, payload_type->value);
  else out += '*';
  out += ' ';
  out += type;
  if (!subtype.empty()) {
    out += ' ';
    out += subtype;
  }
}

// ---- extmap

Result<Extmap> Extmap::parse(std::string_view value) {
  auto [head, rest] = text::split_once(value, ' ');
  auto [id_s, dir_s] = text::split_once(head, '/');
  // RFC 8285 section 5: 1-14 one-byte, 1-255 two-byte; RFC 5285 kept 4096-4351 for negotiation.
  auto id = text::parse_uint(id_s, 4351);
  if (!id || *id == 0) return attribute_error(kName, "id is not a number in 1..4351");
  Extmap e;
  e.id = static_cast<uint16_t>(*id);
  if (dir_s) {
    e.direction = direction_from_string(*dir_s);
    if (!e.direction) return attribute_error(kName, "bad direction");
  }
  if (!rest) return attribute_error(kName, "missing URI");
  auto [uri, attrs] = text::split_once(*rest, ' ');
  if (!text::is_token(uri)) return attribute_error(kName, "bad URI");
  e.uri = uri;
  if (attrs) e.attributes = *attrs;
  return e;
}

void Extmap::write(std::string& out) const {
  text::append_uint(out, id);
  if (direction) {
    out += '/';
    out += to_string(*direction);
  }
  out += ' ';
  out += uri;
  if (!attributes.empty()) {
    out += ' ';
    out += attributes;
  }
}

// ---- ssrc

Result<SsrcAttribute> SsrcAttribute::parse(std::string_view value) {
  auto [ssrc_s, rest] = text::split_once(value, ' ');
  auto ssrc = text::parse_uint(ssrc_s, UINT32_MAX);
  if (!ssrc) return attribute_error(kName, "SSRC is not a 32-bit number");
  if (!rest) return attribute_error(kName, "missing source attribute");
  auto [name, val] = text::split_once(*rest, ':');
  if (!text::is_token(name)) return attribute_error(kName, "bad source attribute name");
  SsrcAttribute a;
  a.ssrc = Ssrc{static_cast<uint32_t>(*ssrc)};
  a.attribute = name;
  if (val) a.value = std::string(*val);
  return a;
}

void SsrcAttribute::write(std::string& out) const {
  text::append_uint(out, ssrc.value);
  out += ' ';
  out += attribute;
  if (value) {
    out += ':';
    out += *value;
  }
}

// ---- ssrc-group

Result<SsrcGroup> SsrcGroup::parse(std::string_view value) {
  auto tok = text::split_spaces(value);
  if (tok.empty()) return attribute_error(kName, "missing semantics");
  SsrcGroup g;
  g.semantics = tok[0];
  for (size_t i = 1; i < tok.size(); ++i) {
    auto s = text::parse_uint(tok[i], UINT32_MAX);
    if (!s) return attribute_error(kName, "SSRC is not a 32-bit number");
    g.ssrcs.push_back(Ssrc{static_cast<uint32_t>(*s)});
  }
  return g;
}

void SsrcGroup::write(std::string& out) const {
  out += semantics;
  for (auto s : ssrcs) {
    out += ' ';
    text::append_uint(out, s.value);
  }
}

// ---- msid

Result<Msid> Msid::parse(std::string_view value) {
  auto tok = text::split_spaces(value);
  if (tok.empty() || tok.size() > 2) return attribute_error(kName, "expected <stream id> [<track id>]");
  Msid m;
  m.stream_id = tok[0];
  if (tok.size() == 2) m.track_id = tok[1];
  return m;
}

void Msid::write(std::string& out) const {
  out += stream_id;
  if (!track_id.empty()) {
    out += ' ';
    out += track_id;
  }
}

// ---- rtcp

Result<Rtcp> Rtcp::parse(std::string_view value) {
  auto tok = text::split_spaces(value);
  if (tok.size() != 1 && tok.size() != 4) return attribute_error(kName, "expected <port> [<nettype> <addrtype> <address>]");
  auto port = text::parse_uint(tok[0], 65535);
  if (!port) return attribute_error(kName, "bad port");
  Rtcp r;
  r.port = static_cast<uint16_t>(*port);
  if (tok.size() == 4) {
    r.net_type = tok[1];
    r.addr_type = tok[2];
    r.address = tok[3];
  }
  return r;
}

void Rtcp::write(std::string& out) const {
  text::append_uint(out, port);
  if (!address.empty()) {
    out += ' ';
    out += net_type;
    out += ' ';
    out += addr_type;
    out += ' ';
    out += address;
  }
}

}  // namespace medley::rtp::sdp
