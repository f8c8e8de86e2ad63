// TransportAddress: an IPv4 or IPv6 address and a UDP/TCP port, as ICE candidates and STUN attributes carry them.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rtp/base/bytes.hpp"

namespace medley::ice {

// The values are the STUN address family codes (RFC 8489 §14.1), so they go on the wire as they are.
enum class AddressFamily : uint8_t { Ipv4 = 0x01, Ipv6 = 0x02 };

class TransportAddress {
 public:
  TransportAddress() = default;  // 0.0.0.0:0

  static TransportAddress ipv4(std::array<uint8_t, 4> ip, uint16_t port);
  static TransportAddress ipv6(std::array<uint8_t, 16> ip, uint16_t port);
  // From raw address bytes: 4 bytes → IPv4, 16 bytes → IPv6, any other size → nullopt.
  static std::optional<TransportAddress> from_bytes(base::Bytes ip, uint16_t port);
  // "1.2.3.4" or "::1" / "2001:db8::1" (inet_pton; no brackets, no zone id, no host names).
  static std::optional<TransportAddress> parse(std::string_view ip, uint16_t port);
  // "1.2.3.4:5000" or "[2001:db8::1]:5000".
  static std::optional<TransportAddress> parse_with_port(std::string_view host_port);

  AddressFamily family() const { return family_; }
  bool is_ipv4() const { return family_ == AddressFamily::Ipv4; }
  bool is_ipv6() const { return family_ == AddressFamily::Ipv6; }
  uint16_t port() const { return port_; }
  void set_port(uint16_t port) { port_ = port; }
  // The address in network order: 4 bytes for IPv4, 16 for IPv6.
  base::Bytes address() const { return base::Bytes(ip_.data(), is_ipv4() ? 4 : 16); }
  // All 16 bytes (IPv4 in the first 4, the rest zero), for hashing and copying.
  const std::array<uint8_t, 16>& raw() const { return ip_; }

  std::string ip_string() const;  // "1.2.3.4" / "2001:db8::1"
  std::string to_string() const;  // "1.2.3.4:5000" / "[2001:db8::1]:5000"

  bool operator==(const TransportAddress&) const = default;
  auto operator<=>(const TransportAddress&) const = default;

 private:
  AddressFamily family_ = AddressFamily::Ipv4;
  uint16_t port_ = 0;
  std::array<uint8_t, 16> ip_{};
};

struct TransportAddressHash {
  size_t operator()(const TransportAddress& a) const;
};

}  // namespace medley::ice
