// SDP text to SessionDescription (RFC 8866 section 5). Lenient where browsers differ (CRLF or LF, blank lines,
// session lines in any order after v=), strict where a wrong value would mislead negotiation (numbers, known
// attributes' values, unknown line types, control characters).
#include "rtp/sdp/sdp_parser.hpp"

#include <string>

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::sdp {

namespace {

struct LineError {
  std::string reason;
};

using Status = std::optional<LineError>;

Status error(std::string reason) { return LineError{std::move(reason)}; }

Status parse_origin(std::string_view v, Origin& o) {
  auto tok = text::split_spaces(v);
  if (tok.size() != 6) return error("o=: expected 6 fields, got " + std::to_string(tok.size()));
  auto version = text::parse_uint(tok[2]);
  if (!version) return error("o=: session version is not a number");
  o.username = tok[0];
  o.session_id = tok[1];
  o.session_version = *version;
  o.net_type = tok[3];
  o.addr_type = tok[4];
  o.address = tok[5];
  return std::nullopt;
}

Status parse_connection(std::string_view v, Connection& c) {
  auto tok = text::split_spaces(v);
  if (tok.size() != 3) return error("c=: expected <nettype> <addrtype> <address>");
  c.net_type = tok[0];
  c.addr_type = tok[1];
  c.address = tok[2];
  return std::nullopt;
}

Status parse_bandwidth(std::string_view v, Bandwidth& b) {
  auto [type, value] = text::split_once(v, ':');
  if (!text::is_token(type) || !value) return error("b=: expected <type>:<value>");
  auto n = text::parse_uint(*value);
  if (!n) return error("b=: bandwidth is not a number");
  b.type = type;
  b.value = *n;
  return std::nullopt;
}

Status parse_timing(std::string_view v, Timing& t) {
  auto tok = text::split_spaces(v);
  if (tok.size() != 2) return error("t=: expected <start> <stop>");
  auto start = text::parse_uint(tok[0]), stop = text::parse_uint(tok[1]);
  if (!start || !stop) return error("t=: times are not numbers");
  t.start = *start;
  t.stop = *stop;
  return std::nullopt;
}

Status parse_media_line(std::string_view v, MediaDescription& m) {
  auto tok = text::split_spaces(v);
  if (tok.size() < 3) return error("m=: expected <media> <port> <proto> <fmt>...");
  m.media = tok[0];
  auto [port_s, count_s] = text::split_once(tok[1], '/');
  auto port = text::parse_uint(port_s, 65535);
  if (!port) return error("m=: port is not a number in 0..65535");
  m.port = static_cast<uint16_t>(*port);
  if (count_s) {
    auto count = text::parse_uint(*count_s, 65535);
    if (!count) return error("m=: port count is not a number");
    m.port_count = static_cast<uint16_t>(*count);
  }
  m.proto = tok[2];
  for (size_t i = 3; i < tok.size(); ++i) m.formats.emplace_back(tok[i]);
  return std::nullopt;
}

Status check_line(std::string_view line) {
  if (line.size() > kMaxLineLength) return error("line longer than " + std::to_string(kMaxLineLength) + " bytes");
  for (char ch : line) {
    auto u = static_cast<unsigned char>(ch);
    if (u == 0) return error("NUL byte in line");
    if ((u < 0x20 && ch != '\t') || u == 0x7f) return error("control character in line");
  }
  if (line.size() < 2 || line[1] != '=') return error("expected <type>=<value>");
  char type = line[0];
  if (type < 'a' || type > 'z') return error("line type must be a lower-case letter");
  return std::nullopt;
}

class Parser {
 public:
  Status handle(char type, std::string_view value) {
    if (!seen_v_) {
      if (type != 'v') return error("the first line must be v=0");
      if (value != "0") return error("v=: only version 0 is defined");
      seen_v_ = true;
      return std::nullopt;
    }
    MediaDescription* m = sdp_.media.empty() ? nullptr : &sdp_.media.back();
    switch (type) {
      case 'v': return error("duplicate v= line");
      case 'o':
        if (m) return error("o= inside a media section");
        if (seen_o_) return error("duplicate o= line");
        seen_o_ = true;
        return parse_origin(value, sdp_.origin);
      case 's':
        if (m) return error("s= inside a media section");
        if (seen_s_) return error("duplicate s= line");
        seen_s_ = true;
        sdp_.session_name = value;
        return std::nullopt;
      case 'i': {
        auto& title = m ? m->title : sdp_.information;
        if (title) return error("duplicate i= line");
        title = std::string(value);
        return std::nullopt;
      }
      case 'u':
        if (m) return error("u= inside a media section");
        if (sdp_.uri) return error("duplicate u= line");
        sdp_.uri = std::string(value);
        return std::nullopt;
      case 'e':
        if (m) return error("e= inside a media section");
        sdp_.emails.emplace_back(value);
        return std::nullopt;
      case 'p':
        if (m) return error("p= inside a media section");
        sdp_.phones.emplace_back(value);
        return std::nullopt;
      case 'c': {
        Connection c;
        if (auto e = parse_connection(value, c)) return e;
        if (m) {
          m->connections.push_back(std::move(c));
        } else {
          if (sdp_.connection) return error("duplicate session-level c= line");
          sdp_.connection = std::move(c);
        }
        return std::nullopt;
      }
      case 'b': {
        Bandwidth b;
        if (auto e = parse_bandwidth(value, b)) return e;
        (m ? m->bandwidths : sdp_.bandwidths).push_back(std::move(b));
        return std::nullopt;
      }
      case 't': {
        if (m) return error("t= inside a media section");
        Timing t;
        if (auto e = parse_timing(value, t)) return e;
        sdp_.timings.push_back(std::move(t));
        return std::nullopt;
      }
      case 'r':
        if (m) return error("r= inside a media section");
        if (sdp_.timings.empty()) return error("r= before any t= line");
        sdp_.timings.back().repeats.emplace_back(value);
        return std::nullopt;
      case 'z':
        if (m) return error("z= inside a media section");
        if (sdp_.zone_adjustments) return error("duplicate z= line");
        sdp_.zone_adjustments = std::string(value);
        return std::nullopt;
      case 'k': {
        auto& key = m ? m->key : sdp_.key;
        if (key) return error("duplicate k= line");
        key = std::string(value);
        return std::nullopt;
      }
      case 'a': {
        auto attr = parse_attribute(value);
        if (!attr) return error(attr.error().reason);
        (m ? m->attributes : sdp_.attributes).add(std::move(attr).value());
        return std::nullopt;
      }
      case 'm': {
        if (sdp_.media.size() >= kMaxMediaSections) return error("too many media sections");
        MediaDescription md;
        if (auto e = parse_media_line(value, md)) return e;
        sdp_.media.push_back(std::move(md));
        return std::nullopt;
      }
      default: return error(std::string("unknown line type '") + type + "='");
    }
  }

  Status finish() const {
    if (!seen_v_) return error("missing v= line");
    if (!seen_o_) return error("missing o= line");
    if (!seen_s_) return error("missing s= line");
    return std::nullopt;
  }

  SessionDescription take() && { return std::move(sdp_); }

 private:
  SessionDescription sdp_;
  bool seen_v_ = false;
  bool seen_o_ = false;
  bool seen_s_ = false;
};

}  // namespace

Result<SessionDescription> parse_sdp(std::string_view text) {
  auto too_large = [] { return ParseError{0, "SDP larger than " + std::to_string(kMaxSdpSize) + " bytes"}; };
  if (text.size() > 4 * kMaxSdpSize) return too_large();
  size_t content = 0;
  for (char c : text) content += (c != '\r' && c != '\n');
  if (content > kMaxSdpSize) return too_large();
  Parser parser;
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // trailing blank lines are common when SDP travels inside JSON
    if (auto e = check_line(line)) return ParseError{line_no, std::move(e->reason)};
    if (auto e = parser.handle(line[0], line.substr(2))) return ParseError{line_no, std::move(e->reason)};
  }
  if (auto e = parser.finish()) return ParseError{0, std::move(e->reason)};
  return std::move(parser).take();
}

}  // namespace medley::rtp::sdp
