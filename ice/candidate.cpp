// ICE candidates: priorities, foundations, address classes and the SDP candidate-attribute grammar.
#include "ice/candidate.hpp"

#include <array>
#include <charconv>
#include <string_view>

namespace medley::ice {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.1).
bool is_ice_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

template <class T>
std::optional<T> parse_number(std::string_view s) {
  T v{};
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// A DNS name as an mDNS candidate carries it: letters, digits, '-', '.'; not only digits and dots (that is a
// broken IPv4 literal).
bool is_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.front() == '-') return false;
  bool has_alpha = false;
  for (char c : s) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    if (!alpha && !(c >= '0' && c <= '9') && c != '.') return false;
    has_alpha |= alpha;
  }
  return has_alpha;
}

// Splits on runs of spaces (and tabs: some signalling layers reformat).
class Tokens {
 public:
  explicit Tokens(std::string_view s) : s_(s) {}
  std::optional<std::string_view> next() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
    if (pos_ >= s_.size()) return std::nullopt;
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ' ' && s_[pos_] != '\t') ++pos_;
    return s_.substr(start, pos_ - start);
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

uint32_t fnv1a(uint32_t h, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::string_view to_string(CandidateType type) {
  switch (type) {
    case CandidateType::Host: return "host";
    case CandidateType::ServerReflexive: return "srflx";
    case CandidateType::PeerReflexive: return "prflx";
    case CandidateType::Relayed: return "relay";
  }
  return "host";
}

uint32_t type_preference(CandidateType type) {
  switch (type) {
    case CandidateType::Host: return 126;
    case CandidateType::PeerReflexive: return 110;
    case CandidateType::ServerReflexive: return 100;
    case CandidateType::Relayed: return 0;
  }
  return 0;
}

uint32_t candidate_priority(CandidateType type, uint16_t local_preference, uint8_t component) {
  return (type_preference(type) << 24) | (uint32_t{local_preference} << 8) | (256u - component);
}

std::string candidate_foundation(CandidateType type, const TransportAddress& base,
                                 const std::optional<TransportAddress>& server, CandidateTransport transport) {
  uint32_t h = 2166136261u;
  const uint8_t head[3] = {static_cast<uint8_t>(type), static_cast<uint8_t>(transport),
                           static_cast<uint8_t>(base.family())};
  h = fnv1a(h, head, sizeof head);
  h = fnv1a(h, base.raw().data(), base.raw().size());
  if (server) {
    const uint8_t fam = static_cast<uint8_t>(server->family());
    h = fnv1a(h, &fam, 1);
    h = fnv1a(h, server->raw().data(), server->raw().size());
  }
  return std::to_string(h);
}

bool is_loopback(const TransportAddress& a) {
  const auto& ip = a.raw();
  if (a.is_ipv4()) return ip[0] == 127;
  for (size_t i = 0; i < 15; ++i) {
    if (ip[i] != 0) {
      // IPv4-mapped ::ffff:127.x.x.x
      bool mapped = i == 10 && ip[10] == 0xff && ip[11] == 0xff;
      return mapped && ip[12] == 127;
    }
  }
  return ip[15] == 1;
}

bool is_unspecified(const TransportAddress& a) {
  for (uint8_t b : a.address()) {
    if (b != 0) return false;
  }
  return true;
}

bool is_link_local(const TransportAddress& a) {
  const auto& ip = a.raw();
  if (a.is_ipv4()) return ip[0] == 169 && ip[1] == 254;
  return ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80;
}

std::string_view to_string(CandidateParseError e) {
  switch (e) {
    case CandidateParseError::TooLong: return "candidate too long";
    case CandidateParseError::NotACandidate: return "not a candidate attribute";
    case CandidateParseError::MissingField: return "missing mandatory field";
    case CandidateParseError::BadFoundation: return "bad foundation";
    case CandidateParseError::BadComponent: return "bad component id";
    case CandidateParseError::BadTransport: return "unsupported transport";
    case CandidateParseError::BadPriority: return "bad priority";
    case CandidateParseError::BadAddress: return "bad connection address";
    case CandidateParseError::BadPort: return "bad port";
    case CandidateParseError::MissingTyp: return "missing 'typ'";
    case CandidateParseError::BadType: return "unknown candidate type";
    case CandidateParseError::BadExtension: return "bad extension attribute";
  }
  return "?";
}

base::Result<Candidate, CandidateParseError> Candidate::parse(std::string_view text) {
  using E = CandidateParseError;
  if (text.size() > kMaxCandidateLength) return E::TooLong;
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
  if (text.starts_with("a=")) text.remove_prefix(2);
  if (!text.starts_with("candidate:")) return E::NotACandidate;
  text.remove_prefix(10);

  Tokens t(text);
  std::array<std::string_view, 8> f;
  for (size_t i = 0; i < f.size(); ++i) {
    auto tok = t.next();
    if (!tok) return i == 0 ? E::NotACandidate : E::MissingField;
    f[i] = *tok;
  }

  Candidate c;
  if (f[0].empty() || f[0].size() > 32) return E::BadFoundation;
  for (char ch : f[0]) {
    if (!is_ice_char(ch)) return E::BadFoundation;
  }
  c.foundation = std::string(f[0]);

  auto component = parse_number<uint16_t>(f[1]);
  if (!component || *component < 1 || *component > 256) return E::BadComponent;
  c.component = *component;

  if (iequals(f[2], "udp")) {
    c.transport = CandidateTransport::Udp;
  } else if (iequals(f[2], "tcp")) {
    c.transport = CandidateTransport::Tcp;
  } else {
    return E::BadTransport;
  }

  auto priority = parse_number<uint32_t>(f[3]);
  if (!priority || *priority == 0) return E::BadPriority;
  c.priority = *priority;

  auto port = parse_number<uint16_t>(f[5]);
  if (!port) return E::BadPort;
  if (auto ip = TransportAddress::parse(f[4], *port)) {
    c.address = *ip;
  } else if (is_hostname(f[4])) {
    c.hostname = std::string(f[4]);
    c.address.set_port(*port);
  } else {
    return E::BadAddress;
  }

  if (!iequals(f[6], "typ")) return E::MissingTyp;
  if (iequals(f[7], "host")) {
    c.type = CandidateType::Host;
  } else if (iequals(f[7], "srflx")) {
    c.type = CandidateType::ServerReflexive;
  } else if (iequals(f[7], "prflx")) {
    c.type = CandidateType::PeerReflexive;
  } else if (iequals(f[7], "relay")) {
    c.type = CandidateType::Relayed;
  } else {
    return E::BadType;
  }

  // Extensions come as name/value pairs. raddr may be a name or 0.0.0.0 when the peer hides it (mDNS): only an
  // IP literal is kept, as nothing but logs look at it.
  std::optional<std::string_view> raddr;
  std::optional<uint16_t> rport;
  while (auto name = t.next()) {
    auto value = t.next();
    if (!value) return E::BadExtension;
    if (*name == "raddr") {
      raddr = *value;
    } else if (*name == "rport") {
      rport = parse_number<uint16_t>(*value);
      if (!rport) return E::BadExtension;
    } else if (*name == "generation") {
      c.generation = parse_number<uint32_t>(*value);
      if (!c.generation) return E::BadExtension;
    } else if (*name == "ufrag") {
      if (value->size() > 256) return E::BadExtension;
      c.ufrag = std::string(*value);
    } else if (*name == "tcptype") {
      if (value->size() > 16) return E::BadExtension;
      c.tcp_type = std::string(*value);
    }
  }
  if (raddr) {
    if (auto a = TransportAddress::parse(*raddr, rport.value_or(0))) c.related = *a;
  }
  return c;
}

std::string Candidate::to_string() const {
  std::string s = "candidate:";
  s += foundation;
  s += ' ';
  s += std::to_string(component);
  s += transport == CandidateTransport::Udp ? " udp " : " tcp ";
  s += std::to_string(priority);
  s += ' ';
  s += has_hostname() ? hostname : address.ip_string();
  s += ' ';
  s += std::to_string(address.port());
  s += " typ ";
  s += ice::to_string(type);
  if (related) {
    s += " raddr ";
    s += related->ip_string();
    s += " rport ";
    s += std::to_string(related->port());
  }
  if (!tcp_type.empty()) {
    s += " tcptype ";
    s += tcp_type;
  }
  if (generation) {
    s += " generation ";
    s += std::to_string(*generation);
  }
  if (!ufrag.empty()) {
    s += " ufrag ";
    s += ufrag;
  }
  return s;
}

}  // namespace medley::ice
