// StunWriter: builds a STUN message into a caller's buffer (no allocation), and the ICE messages built with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ice/stun_integrity.hpp"
#include "ice/stun_message.hpp"
#include "ice/transport_address.hpp"
#include "rtp/base/bytes.hpp"

namespace medley::ice {

// Usage: construct (writes the header), add attributes, then add_message_integrity() and/or add_fingerprint()
// last, then finish(). The header length is kept current after every attribute, so MESSAGE-INTEGRITY covers
// exactly the bytes before it with the length RFC 8489 §14.5 asks for, and FINGERPRINT likewise (§14.7).
// Errors are sticky: running out of buffer, a value over 65535 bytes, or an ordinary attribute after
// FINGERPRINT (or after MESSAGE-INTEGRITY, where receivers ignore it) leaves ok() false and finish() nullopt.
// 1500 bytes is always enough for ICE messages.
class StunWriter {
 public:
  StunWriter(base::MutableBytes out, uint16_t message_type, const StunTransactionId& txid);
  StunWriter(base::MutableBytes out, StunMethod method, StunClass cls, const StunTransactionId& txid)
      : StunWriter(out, stun_message_type(method, cls), txid) {}

  // Padding bytes after a value whose length is not a multiple of 4. RFC 8489 §14 lets them be anything and
  // receivers ignore them; 0 by default. RFC 5769's vectors pad with 0x20, which is how the tests reproduce them.
  void set_padding_byte(uint8_t b) { padding_ = b; }

  // Any attribute, opaque value (the padding is added here).
  void add(uint16_t type, base::Bytes value);
  void add(StunAttr type, base::Bytes value) { add(static_cast<uint16_t>(type), value); }
  void add_string(StunAttr type, std::string_view value);
  void add_u32(StunAttr type, uint32_t value);
  void add_u64(StunAttr type, uint64_t value);
  void add_flag(StunAttr type) { add(type, {}); }  // empty value, e.g. USE-CANDIDATE

  void add_xor_address(StunAttr type, const TransportAddress& address);  // XOR-MAPPED/PEER/RELAYED-ADDRESS
  void add_xor_mapped_address(const TransportAddress& a) { add_xor_address(StunAttr::XorMappedAddress, a); }
  void add_mapped_address(const TransportAddress& address);               // plain MAPPED-ADDRESS

  void add_username(std::string_view u) { add_string(StunAttr::Username, u); }
  void add_software(std::string_view s) { add_string(StunAttr::Software, s); }
  void add_realm(std::string_view r) { add_string(StunAttr::Realm, r); }
  void add_nonce(std::string_view n) { add_string(StunAttr::Nonce, n); }
  void add_priority(uint32_t p) { add_u32(StunAttr::Priority, p); }
  void add_use_candidate() { add_flag(StunAttr::UseCandidate); }
  void add_ice_controlling(uint64_t tie_breaker) { add_u64(StunAttr::IceControlling, tie_breaker); }
  void add_ice_controlled(uint64_t tie_breaker) { add_u64(StunAttr::IceControlled, tie_breaker); }
  // ERROR-CODE: code 300..699; reason "" means stun_error_reason(code).
  void add_error_code(uint16_t code, std::string_view reason = {});
  void add_unknown_attributes(std::span<const uint16_t> types);

  // Integrity attributes, after every ordinary attribute. MESSAGE-INTEGRITY-SHA256 may follow
  // MESSAGE-INTEGRITY; tag_len for SHA256 is 16..32, a multiple of 4 (RFC 8489 §14.6).
  void add_message_integrity(const StunIntegrityKey& key);
  void add_message_integrity_sha256(const StunIntegrityKey& key, size_t tag_len = 32);
  // Last of all.
  void add_fingerprint();

  bool ok() const { return w_.ok() && ok_; }
  size_t size() const { return w_.size(); }
  // The finished message (a span of the caller's buffer), or nullopt after any error.
  std::optional<base::Bytes> finish() const;

 private:
  enum class Stage : uint8_t { Attributes, Integrity, Fingerprint };
  void begin_attribute(uint16_t type, size_t len, Stage stage);
  void end_attribute(size_t len);
  void update_length();

  base::ByteWriter w_;
  uint8_t padding_ = 0;
  Stage stage_ = Stage::Attributes;
  bool sha256_written_ = false;
  bool ok_ = true;
};

// --- ICE (RFC 8445 §7.2.2, §7.3) ---

struct StunBindingRequestParams {
  std::string_view username;  // "<remote ufrag>:<local ufrag>"
  uint32_t priority = 0;      // the priority a peer-reflexive candidate learnt from this check would get
  bool controlling = false;   // ICE-CONTROLLING if true, else ICE-CONTROLLED
  uint64_t tie_breaker = 0;
  bool use_candidate = false;
  std::string_view software;  // SOFTWARE if not empty
};

// Binding request: [SOFTWARE] USERNAME PRIORITY ICE-CONTROLLING|ICE-CONTROLLED [USE-CANDIDATE]
// MESSAGE-INTEGRITY (remote password) FINGERPRINT. Returns the message within out, nullopt if out is too small.
std::optional<base::Bytes> write_binding_request(base::MutableBytes out, const StunTransactionId& txid,
                                                 const StunBindingRequestParams& params,
                                                 const StunIntegrityKey& remote_password);

// Binding success response: XOR-MAPPED-ADDRESS (the request's source) MESSAGE-INTEGRITY (local password)
// FINGERPRINT.
std::optional<base::Bytes> write_binding_success(base::MutableBytes out, const StunTransactionId& txid,
                                                 const TransportAddress& mapped,
                                                 const StunIntegrityKey& local_password);

// Binding error response: ERROR-CODE (reason "" → the RFC phrase), UNKNOWN-ATTRIBUTES if unknown is not empty
// (420), MESSAGE-INTEGRITY if key is given, FINGERPRINT. RFC 8489 §9.1.3: 400 and 401 answer requests that
// could not be authenticated, so they carry no integrity (key = nullptr); 420 and 487 (role conflict,
// RFC 8445 §7.3.1.1) answer authenticated requests and carry it.
std::optional<base::Bytes> write_binding_error(base::MutableBytes out, const StunTransactionId& txid,
                                               uint16_t code, const StunIntegrityKey* local_password,
                                               std::span<const uint16_t> unknown = {},
                                               std::string_view reason = {});

// Binding indication with FINGERPRINT only: a keepalive (RFC 8445 §11).
std::optional<base::Bytes> write_binding_indication(base::MutableBytes out, const StunTransactionId& txid);

}  // namespace medley::ice
