// Simulcast SDP attributes: a=simulcast (RFC 8853 section 5.1) and a=rid (RFC 8851 section 10).
#include "rtp/sdp/simulcast.hpp"

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::sdp {

namespace {

std::optional<RidDirection> rid_direction(std::string_view s) {
  if (s == "send") return RidDirection::Send;
  if (s == "recv") return RidDirection::Recv;
  return std::nullopt;
}

// RFC 8851 section 10: rid-id = 1*(alpha-numeric / "-" / "_").
bool is_rid_id(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(RidDirection d) { return d == RidDirection::Send ? "send" : "recv"; }

const SimulcastStreams* Simulcast::send() const {
  for (const auto& p : parts)
    if (p.direction == RidDirection::Send) return &p;
  return nullptr;
}

const SimulcastStreams* Simulcast::recv() const {
  for (const auto& p : parts)
    if (p.direction == RidDirection::Recv) return &p;
  return nullptr;
}

Result<Simulcast> Simulcast::parse(std::string_view value) {
  auto tok = text::split_spaces(value);
  if (tok.size() != 2 && tok.size() != 4) return attribute_error(kName, "expected send|recv <list> [recv|send <list>]");
  Simulcast sc;
  sc.leading_space = !value.empty() && value.front() == ' ';
  for (size_t i = 0; i < tok.size(); i += 2) {
    auto dir = rid_direction(tok[i]);
    if (!dir) return attribute_error(kName, "expected 'send' or 'recv'");
    if (i == 2 && *dir == sc.parts[0].direction) return attribute_error(kName, "direction given twice");
    std::string_view list = tok[i + 1];
    bool draft = list.substr(0, 4) == "rid=";
    if (i == 0) sc.draft_form = draft;
    else if (draft != sc.draft_form) return attribute_error(kName, "mixed draft and RFC 8853 forms");
    if (draft) list.remove_prefix(4);
    SimulcastStreams part;
    part.direction = *dir;
    for (auto stream : text::split(list, ';')) {
      std::vector<SimulcastRid> alts;
      for (auto alt : text::split(stream, ',')) {
        SimulcastRid r;
        if (!alt.empty() && alt.front() == '~') {
          r.paused = true;
          alt.remove_prefix(1);
        }
        if (!is_rid_id(alt)) return attribute_error(kName, "bad rid in list");
        r.rid = alt;
        alts.push_back(std::move(r));
      }
      part.streams.push_back(std::move(alts));
    }
    sc.parts.push_back(std::move(part));
  }
  return sc;
}

void Simulcast::write(std::string& out) const {
  if (leading_space) out += ' ';
  for (size_t p = 0; p < parts.size(); ++p) {
    if (p) out += ' ';
    out += to_string(parts[p].direction);
    out += ' ';
    if (draft_form) out += "rid=";
    const auto& streams = parts[p].streams;
    for (size_t s = 0; s < streams.size(); ++s) {
      if (s) out += ';';
      for (size_t a = 0; a < streams[s].size(); ++a) {
        if (a) out += ',';
        if (streams[s][a].paused) out += '~';
        out += streams[s][a].rid;
      }
    }
  }
}

std::optional<std::string_view> Rid::restriction(std::string_view key) const {
  for (const auto& r : restrictions)
    if (r.key == key) return r.value ? std::string_view(*r.value) : std::string_view();
  return std::nullopt;
}

Result<Rid> Rid::parse(std::string_view value) {
  auto [id, rest] = text::split_once(value, ' ');
  if (!is_rid_id(id)) return attribute_error(kName, "bad rid id");
  if (!rest) return attribute_error(kName, "missing direction");
  auto [dir_s, params] = text::split_once(*rest, ' ');
  auto dir = rid_direction(dir_s);
  if (!dir) return attribute_error(kName, "direction must be 'send' or 'recv'");
  Rid r;
  r.id = id;
  r.direction = *dir;
  if (!params || params->empty()) return r;
  bool seen_pt = false;
  for (auto piece : text::split(*params, ';')) {
    auto [key, val] = text::split_once(piece, '=');
    if (!text::is_token(key)) return attribute_error(kName, "bad restriction name");
    if (key == "pt") {
      if (seen_pt) return attribute_error(kName, "pt given twice");
      seen_pt = true;
      if (!val) return attribute_error(kName, "pt without a list");
      for (auto pt_s : text::split(*val, ',')) {
        auto pt = text::parse_uint(pt_s, 127);
        if (!pt) return attribute_error(kName, "pt list holds a non-number");
        r.payload_types.push_back(PayloadType{static_cast<uint8_t>(*pt)});
      }
      continue;
    }
    if (val && !text::is_token(*val)) return attribute_error(kName, "bad restriction value");
    r.restrictions.push_back({std::string(key), val ? std::optional<std::string>(std::string(*val)) : std::nullopt});
  }
  return r;
}

void Rid::write(std::string& out) const {
  out += id;
  out += ' ';
  out += to_string(direction);
  bool first = true;
  auto sep = [&] {
    out += first ? ' ' : ';';
    first = false;
  };
  if (!payload_types.empty()) {
    sep();
    out += "pt=";
    for (size_t i = 0; i < payload_types.size(); ++i) {
      if (i) out += ',';
      text::append_uint(out, payload_types[i].value);
    }
  }
  for (const auto& r : restrictions) {
    sep();
    out += r.key;
    if (r.value) {
      out += '=';
      out += *r.value;
    }
  }
}

}  // namespace medley::rtp::sdp
