// SessionDescription to SDP text (RFC 8866 section 5 order: v o s i u e p c b t r z k a, then each m i c b k a).
#include "rtp/sdp/sdp_writer.hpp"

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::sdp {

namespace {

void line(std::string& out, char type, std::string_view value) {
  out += type;
  out += '=';
  out += value;
  out += "\r\n";
}

void write_connection(std::string& out, const Connection& c) {
  out += "c=";
  out += c.net_type;
  out += ' ';
  out += c.addr_type;
  out += ' ';
  out += c.address;
  out += "\r\n";
}

void write_bandwidth(std::string& out, const Bandwidth& b) {
  out += "b=";
  out += b.type;
  out += ':';
  text::append_uint(out, b.value);
  out += "\r\n";
}

}  // namespace

void write_media(std::string& out, const MediaDescription& m) {
  out += "m=";
  out += m.media;
  out += ' ';
  text::append_uint(out, m.port);
  if (m.port_count) {
    out += '/';
    text::append_uint(out, *m.port_count);
  }
  out += ' ';
  out += m.proto;
  for (const auto& f : m.formats) {
    out += ' ';
    out += f;
  }
  out += "\r\n";
  if (m.title) line(out, 'i', *m.title);
  for (const auto& c : m.connections) write_connection(out, c);
  for (const auto& b : m.bandwidths) write_bandwidth(out, b);
  if (m.key) line(out, 'k', *m.key);
  for (const auto& a : m.attributes) write_attribute(out, a);
}

std::string write_sdp(const SessionDescription& sdp) {
  std::string out;
  out.reserve(1024 + sdp.media.size() * 2048);
  out += "v=0\r\n";
  const auto& o = sdp.origin;
  out += "o=";
  out += o.username;
  out += ' ';
  out += o.session_id;
  out += ' ';
  text::append_uint(out, o.session_version);
  out += ' ';
  out += o.net_type;
  out += ' ';
  out += o.addr_type;
  out += ' ';
  out += o.address;
  out += "\r\n";
  line(out, 's', sdp.session_name);
  if (sdp.information) line(out, 'i', *sdp.information);
  if (sdp.uri) line(out, 'u', *sdp.uri);
  for (const auto& e : sdp.emails) line(out, 'e', e);
  for (const auto& p : sdp.phones) line(out, 'p', p);
  if (sdp.connection) write_connection(out, *sdp.connection);
  for (const auto& b : sdp.bandwidths) write_bandwidth(out, b);
  for (const auto& t : sdp.timings) {
    out += "t=";
    text::append_uint(out, t.start);
    out += ' ';
    text::append_uint(out, t.stop);
    out += "\r\n";
    for (const auto& r : t.repeats) line(out, 'r', r);
  }
  if (sdp.zone_adjustments) line(out, 'z', *sdp.zone_adjustments);
  if (sdp.key) line(out, 'k', *sdp.key);
  for (const auto& a : sdp.attributes) write_attribute(out, a);
  for (const auto& m : sdp.media) write_media(out, m);
  return out;
}

}  // namespace medley::rtp::sdp
