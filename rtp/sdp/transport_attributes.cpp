// Session and transport SDP attributes: group, msid-semantic, ICE, fingerprint, setup, mid, SCTP, framerate.
#include "rtp/sdp/transport_attributes.hpp"

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::sdp {

namespace {

void append_list(std::string& out, const std::vector<std::string>& items) {
  for (const auto& i : items) {
    out += ' ';
    out += i;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<Group> Group::parse(std::string_view value) {
  auto tok = text::split_spaces(value);
  if (tok.empty()) return attribute_error(kName, "missing semantics");
  Group g;
  g.semantics = tok[0];
  for (size_t i = 1; i < tok.size(); ++i) g.mids.emplace_back(tok[i]);
  return g;
}

void Group::write(std::string& out) const {
  out += semantics;
  append_list(out, mids);
}

Result<MsidSemantic> MsidSemantic::parse(std::string_view value) {
  MsidSemantic m;
  m.leading_space = !value.empty() && value.front() == ' ';
  auto tok = text::split_spaces(value);
  if (tok.empty()) return attribute_error(kName, "missing semantic");
  m.semantic = tok[0];
  for (size_t i = 1; i < tok.size(); ++i) m.ids.emplace_back(tok[i]);
  return m;
}

void MsidSemantic::write(std::string& out) const {
  if (leading_space) out += ' ';
  out += semantic;
  append_list(out, ids);
}

Result<IceUfrag> IceUfrag::parse(std::string_view value) {
  if (!text::is_token(value)) return attribute_error(kName, "empty or contains spaces");
  return IceUfrag{std::string(value)};
}

Result<IcePwd> IcePwd::parse(std::string_view value) {
  if (!text::is_token(value)) return attribute_error(kName, "empty or contains spaces");
  return IcePwd{std::string(value)};
}

bool IceOptions::has(std::string_view option) const {
  for (const auto& o : options)
    if (o == option) return true;
  return false;
}

Result<IceOptions> IceOptions::parse(std::string_view value) {
  IceOptions o;
  for (auto t : text::split_spaces(value)) o.options.emplace_back(t);
  if (o.options.empty()) return attribute_error(kName, "no options");
  return o;
}

void IceOptions::write(std::string& out) const {
  for (size_t i = 0; i < options.size(); ++i) {
    if (i) out += ' ';
    out += options[i];
  }
}

Result<Fingerprint> Fingerprint::parse(std::string_view value) {
  auto tok = text::split_spaces(value);
  if (tok.size() != 2) return attribute_error(kName, "expected <hash function> <fingerprint>");
  Fingerprint f;
  f.hash_function = tok[0];
  std::string_view hex = tok[1];
  // XX(:XX)*, at most 64 bytes (SHA-512).
  if (hex.size() % 3 != 2 || hex.size() > 64 * 3 - 1) return attribute_error(kName, "bad fingerprint length");
  bool upper = false, lower = false;
  for (size_t i = 0; i < hex.size(); i += 3) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return attribute_error(kName, "fingerprint is not hex");
    if (i + 2 < hex.size() && hex[i + 2] != ':') return attribute_error(kName, "fingerprint bytes must be ':'-separated");
    for (char c : {hex[i], hex[i + 1]}) {
      if (c >= 'a' && c <= 'f') lower = true;
      if (c >= 'A' && c <= 'F') upper = true;
    }
    f.bytes.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  f.lower_case = lower && !upper;
  return f;
}

void Fingerprint::write(std::string& out) const {
  static constexpr char kUpper[] = "0123456789ABCDEF";
  static constexpr char kLower[] = "0123456789abcdef";
  const char* digits = lower_case ? kLower : kUpper;
  out += hash_function;
  out += ' ';
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ':';
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
}

std::string_view to_string(SetupRole r) {
  switch (r) {
    case SetupRole::ActPass: return "actpass";
    case SetupRole::Active: return "active";
    case SetupRole::Passive: return "passive";
    case SetupRole::HoldConn: return "holdconn";
  }
  return "actpass";
}

Result<Setup> Setup::parse(std::string_view value) {
  if (value == "actpass") return Setup{SetupRole::ActPass};
  if (value == "active") return Setup{SetupRole::Active};
  if (value == "passive") return Setup{SetupRole::Passive};
  if (value == "holdconn") return Setup{SetupRole::HoldConn};
  return attribute_error(kName, "expected actpass, active, passive or holdconn");
}

Result<Mid> Mid::parse(std::string_view value) {
  if (!text::is_token(value)) return attribute_error(kName, "empty or contains spaces");
  return Mid{std::string(value)};
}

Result<SctpPort> SctpPort::parse(std::string_view value) {
  auto p = text::parse_uint(value, 65535);
  if (!p) return attribute_error(kName, "not a port number");
  return SctpPort{static_cast<uint16_t>(*p)};
}

void SctpPort::write(std::string& out) const { text::append_uint(out, port); }

Result<MaxMessageSize> MaxMessageSize::parse(std::string_view value) {
  auto s = text::parse_uint(value);
  if (!s) return attribute_error(kName, "not a number");
  return MaxMessageSize{*s};
}

void MaxMessageSize::write(std::string& out) const { text::append_uint(out, size); }

Result<Sctpmap> Sctpmap::parse(std::string_view value) {
  auto tok = text::split_spaces(value);
  if (tok.size() < 2 || tok.size() > 3) return attribute_error(kName, "expected <port> <protocol> [<streams>]");
  auto p = text::parse_uint(tok[0], 65535);
  if (!p) return attribute_error(kName, "bad port");
  Sctpmap m;
  m.port = static_cast<uint16_t>(*p);
  m.protocol = tok[1];
  if (tok.size() == 3) {
    auto s = text::parse_uint(tok[2], UINT32_MAX);
    if (!s) return attribute_error(kName, "bad stream count");
    m.streams = static_cast<uint32_t>(*s);
  }
  return m;
}

void Sctpmap::write(std::string& out) const {
  text::append_uint(out, port);
  out += ' ';
  out += protocol;
  if (streams) {
    out += ' ';
    text::append_uint(out, *streams);
  }
}

std::optional<double> Framerate::fps() const {
  auto [whole, frac] = text::split_once(value, '.');
  auto w = text::parse_uint(whole, 1000000);
  if (!w) return std::nullopt;
  double v = static_cast<double>(*w);
  if (frac) {
    if (frac->empty() || frac->size() > 9) return std::nullopt;
    auto f = text::parse_uint(*frac);
    if (!f) return std::nullopt;
    double scale = 1;
    for (size_t i = 0; i < frac->size(); ++i) scale *= 10;
    v += static_cast<double>(*f) / scale;
  }
  return v;
}

Result<Framerate> Framerate::parse(std::string_view value) {
  Framerate f{std::string(value)};
  if (!f.fps()) return attribute_error(kName, "not a number");
  return f;
}

}  // namespace medley::rtp::sdp
