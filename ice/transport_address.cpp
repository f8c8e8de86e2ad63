// TransportAddress: construction from bytes and text (inet_pton), formatting (inet_ntop), hashing.
#include "ice/transport_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace medley::ice {

TransportAddress TransportAddress::ipv4(std::array<uint8_t, 4> ip, uint16_t port) {
  TransportAddress a;
  a.family_ = AddressFamily::Ipv4;
  a.port_ = port;
  std::memcpy(a.ip_.data(), ip.data(), 4);
  return a;
}

TransportAddress TransportAddress::ipv6(std::array<uint8_t, 16> ip, uint16_t port) {
  TransportAddress a;
  a.family_ = AddressFamily::Ipv6;
  a.port_ = port;
  a.ip_ = ip;
  return a;
}

std::optional<TransportAddress> TransportAddress::from_bytes(base::Bytes ip, uint16_t port) {
  TransportAddress a;
  a.port_ = port;
  if (ip.size() == 4) {
    a.family_ = AddressFamily::Ipv4;
  } else if (ip.size() == 16) {
    a.family_ = AddressFamily::Ipv6;
  } else {
    return std::nullopt;
  }
  std::memcpy(a.ip_.data(), ip.data(), ip.size());
  return a;
}

std::optional<TransportAddress> TransportAddress::parse(std::string_view ip, uint16_t port) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (ip.empty() || ip.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, ip.data(), ip.size());
  buf[ip.size()] = '\0';
  TransportAddress a;
  a.port_ = port;
  if (ip.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, a.ip_.data()) != 1) return std::nullopt;
    a.family_ = AddressFamily::Ipv4;
  } else {
    if (inet_pton(AF_INET6, buf, a.ip_.data()) != 1) return std::nullopt;
    a.family_ = AddressFamily::Ipv6;
  }
  return a;
}

std::optional<TransportAddress> TransportAddress::parse_with_port(std::string_view host_port) {
  std::string_view host;
  std::string_view port;
  if (!host_port.empty() && host_port.front() == '[') {
    const size_t close = host_port.find(']');
    if (close == std::string_view::npos || close + 1 >= host_port.size() || host_port[close + 1] != ':')
      return std::nullopt;
    host = host_port.substr(1, close - 1);
    port = host_port.substr(close + 2);
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // brackets are for IPv6 only
  } else {
    const size_t colon = host_port.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = host_port.substr(0, colon);
    port = host_port.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 needs brackets
  }
  uint16_t p = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size()) return std::nullopt;
  return parse(host, p);
}

std::string TransportAddress::ip_string() const {
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(is_ipv4() ? AF_INET : AF_INET6, ip_.data(), buf, sizeof(buf)) == nullptr) return {};
  return buf;
}

std::string TransportAddress::to_string() const {
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) about "[" + std::string + "]".
  std::string s;
  s.reserve(INET6_ADDRSTRLEN + 8);
  if (is_ipv6()) s.push_back('[');
  s.append(ip_string());
  if (is_ipv6()) s.push_back(']');
  s.push_back(':');
  s.append(std::to_string(port_));
  return s;
}

size_t TransportAddressHash::operator()(const TransportAddress& a) const {
  // FNV-1a over family, port and the 16 address bytes: stable, cheap, good enough for a 5-tuple map.
  uint64_t h = 1469598103934665603ull;
  const auto mix = [&h](uint8_t b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  mix(static_cast<uint8_t>(a.family()));
  mix(static_cast<uint8_t>(a.port() >> 8));
  mix(static_cast<uint8_t>(a.port()));
  for (uint8_t b : a.raw()) mix(b);
  return static_cast<size_t>(h);
}

}  // namespace medley::ice
