// ICE candidate attribute (RFC 8839 section 5.1; tcptype from RFC 6544) parse and write.
#include "rtp/sdp/candidate.hpp"

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::sdp {

std::string_view to_string(CandidateType t) {
  switch (t) {
    case CandidateType::Host: return "host";
    case CandidateType::Srflx: return "srflx";
    case CandidateType::Prflx: return "prflx";
    case CandidateType::Relay: return "relay";
    case CandidateType::Other: break;
  }
  return "";
}

static bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool Candidate::is_udp() const { return iequals(transport, "udp"); }
bool Candidate::is_tcp() const { return iequals(transport, "tcp"); }

std::optional<std::string_view> Candidate::extension(std::string_view name) const {
  for (const auto& e : extensions)
    if (e.name == name) return std::string_view(e.value);
  return std::nullopt;
}

Result<Candidate> Candidate::parse(std::string_view value) {
  auto tok = text::split_spaces(value);
  // foundation component transport priority address port "typ" type
  if (tok.size() < 8) return fail("candidate: expected at least 8 fields, got " + std::to_string(tok.size()));
  Candidate c;
  if (tok[0].size() > 256) return fail("candidate: foundation too long");
  c.foundation = tok[0];
  auto component = text::parse_uint(tok[1], 65535);
  if (!component || *component == 0) return fail("candidate: bad component id");
  c.component = static_cast<uint16_t>(*component);
  c.transport = tok[2];
  auto priority = text::parse_uint(tok[3], UINT32_MAX);
  if (!priority) return fail("candidate: bad priority");
  c.priority = static_cast<uint32_t>(*priority);
  c.address = tok[4];
  auto port = text::parse_uint(tok[5], 65535);
  if (!port) return fail("candidate: bad port");
  c.port = static_cast<uint16_t>(*port);
  if (tok[6] != "typ") return fail("candidate: expected 'typ' after the port");
  std::string_view type = tok[7];
  if (type == "host") c.type = CandidateType::Host;
  else if (type == "srflx") c.type = CandidateType::Srflx;
  else if (type == "prflx") c.type = CandidateType::Prflx;
  else if (type == "relay") c.type = CandidateType::Relay;
  else {
    c.type = CandidateType::Other;
    c.other_type = type;
  }
  if ((tok.size() - 8) % 2 != 0) return fail("candidate: extension '" + std::string(tok.back()) + "' has no value");
  for (size_t i = 8; i + 1 < tok.size(); i += 2) {
    std::string_view name = tok[i], val = tok[i + 1];
    if (name == "raddr" && !c.related_address) {
      c.related_address = std::string(val);
    } else if (name == "rport" && !c.related_port) {
      auto rport = text::parse_uint(val, 65535);
      if (!rport) return fail("candidate: bad rport");
      c.related_port = static_cast<uint16_t>(*rport);
    } else if (name == "tcptype" && !c.tcp_type) {
      c.tcp_type = std::string(val);
    } else {
      c.extensions.push_back({std::string(name), std::string(val)});
    }
  }
  return c;
}

void Candidate::write(std::string& out) const {
  out += foundation;
  out += ' ';
  text::append_uint(out, component);
  out += ' ';
  out += transport;
  out += ' ';
  text::append_uint(out, priority);
  out += ' ';
  out += address;
  out += ' ';
  text::append_uint(out, port);
  out += " typ ";
  out += type == CandidateType::Other ? std::string_view(other_type) : sdp::to_string(type);
  if (related_address) {
    out += " raddr ";
    out += *related_address;
  }
  if (related_port) {
    out += " rport ";
    text::append_uint(out, *related_port);
  }
  if (tcp_type) {
    out += " tcptype ";
    out += *tcp_type;
  }
  for (const auto& e : extensions) {
    out += ' ';
    out += e.name;
    out += ' ';
    out += e.value;
  }
}

std::string Candidate::to_string() const {
  std::string out = "candidate:";
  write(out);
  return out;
}

Result<Candidate> parse_candidate(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 2) == "a=") line.remove_prefix(2);
  if (line.substr(0, 10) != "candidate:") return fail("candidate: missing 'candidate:' prefix");
  line.remove_prefix(10);
  for (char ch : line) {
    auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 && ch != '\t') return fail("candidate: control character");
  }
  return Candidate::parse(line);
}

}  // namespace medley::rtp::sdp
