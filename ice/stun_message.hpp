// STUN messages (RFC 8489, RFC 5389) as ICE (RFC 8445) and TURN use them: constants, the zero-copy parsed view
// with typed attribute access, integrity and fingerprint checks. Building messages: ice/stun_writer.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ice/stun_integrity.hpp"
#include "ice/transport_address.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/base/result.hpp"

namespace medley::ice {

inline constexpr uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr size_t kStunHeaderSize = 20;
inline constexpr size_t kStunTransactionIdSize = 12;
// FINGERPRINT is CRC-32 XOR this ("STUN"), RFC 8489 §14.7.
inline constexpr uint32_t kStunFingerprintXor = 0x5354554e;

using StunTransactionId = std::array<uint8_t, kStunTransactionIdSize>;

// 96 random bits from OpenSSL's RAND_bytes (RFC 8489 §6: "uniformly and randomly chosen").
StunTransactionId random_stun_transaction_id();

enum class StunClass : uint8_t { Request = 0, Indication = 1, SuccessResponse = 2, ErrorResponse = 3 };

// The 12-bit method. Values not listed here are still representable (static_cast).
enum class StunMethod : uint16_t {
  Binding = 0x001,
  // TURN (RFC 8656)
  Allocate = 0x003,
  Refresh = 0x004,
  Send = 0x006,
  Data = 0x007,
  CreatePermission = 0x008,
  ChannelBind = 0x009,
};

// The 14-bit message type interleaves method and class bits (RFC 8489 §5, figure 3).
uint16_t stun_message_type(StunMethod method, StunClass cls);
StunMethod stun_method_of(uint16_t message_type);
StunClass stun_class_of(uint16_t message_type);

// Attribute types we know. Any other uint16_t is representable (static_cast) and parses as an opaque attribute.
enum class StunAttr : uint16_t {
  MappedAddress = 0x0001,
  Username = 0x0006,
  MessageIntegrity = 0x0008,
  ErrorCode = 0x0009,
  UnknownAttributes = 0x000A,
  ChannelNumber = 0x000C,        // TURN
  Lifetime = 0x000D,             // TURN
  XorPeerAddress = 0x0012,       // TURN
  Data = 0x0013,                 // TURN
  Realm = 0x0014,
  Nonce = 0x0015,
  XorRelayedAddress = 0x0016,    // TURN
  RequestedAddressFamily = 0x0017,  // TURN
  EvenPort = 0x0018,             // TURN
  RequestedTransport = 0x0019,   // TURN
  DontFragment = 0x001A,         // TURN
  MessageIntegritySha256 = 0x001C,
  PasswordAlgorithm = 0x001D,
  Userhash = 0x001E,
  XorMappedAddress = 0x0020,
  ReservationToken = 0x0022,     // TURN
  Priority = 0x0024,             // ICE
  UseCandidate = 0x0025,         // ICE
  PasswordAlgorithms = 0x8002,
  AlternateDomain = 0x8003,
  Software = 0x8022,
  AlternateServer = 0x8023,
  Fingerprint = 0x8028,
  IceControlled = 0x8029,        // ICE
  IceControlling = 0x802A,       // ICE
  GoogNetworkInfo = 0xC057,      // libwebrtc: network id and cost; tolerated, not interpreted
};

// RFC 8489 §14: types 0x0000-0x7FFF are comprehension-required, 0x8000-0xFFFF comprehension-optional.
constexpr bool stun_attr_comprehension_required(uint16_t type) { return type < 0x8000; }
// True for the types in StunAttr (those a 420 must not list).
bool stun_attr_known(uint16_t type);

// Error codes ICE and TURN send (RFC 8489 §14.8, RFC 8445 §7.3.1.1, RFC 8656).
namespace stun_error {
inline constexpr uint16_t kTryAlternate = 300;
inline constexpr uint16_t kBadRequest = 400;
inline constexpr uint16_t kUnauthorized = 401;
inline constexpr uint16_t kForbidden = 403;
inline constexpr uint16_t kUnknownAttribute = 420;
inline constexpr uint16_t kAllocationMismatch = 437;
inline constexpr uint16_t kStaleNonce = 438;
inline constexpr uint16_t kAddressFamilyNotSupported = 440;
inline constexpr uint16_t kWrongCredentials = 441;
inline constexpr uint16_t kUnsupportedTransportProtocol = 442;
inline constexpr uint16_t kAllocationQuotaReached = 486;
inline constexpr uint16_t kRoleConflict = 487;
inline constexpr uint16_t kServerError = 500;
inline constexpr uint16_t kInsufficientCapacity = 508;
}  // namespace stun_error
// The RFC's reason phrase for a code ("Bad Request", "Role Conflict", ...), "" for codes we do not know.
std::string_view stun_error_reason(uint16_t code);

// One attribute as it appears in the message. value excludes the padding.
struct StunAttribute {
  uint16_t type = 0;
  base::Bytes value;
  size_t offset = 0;  // of the attribute's 4-byte header, from the start of the message
};

struct StunErrorCode {
  uint16_t code = 0;        // class * 100 + number, 300..699
  std::string_view reason;  // UTF-8 as sent, not validated
};

// Up to kMax attribute types: the unknown comprehension-required types of a request, or the contents of an
// UNKNOWN-ATTRIBUTES attribute. More than kMax are dropped (a 420 listing 16 types is plenty).
struct StunAttributeTypes {
  static constexpr size_t kMax = 16;
  std::array<uint16_t, kMax> types{};
  size_t count = 0;

  std::span<const uint16_t> span() const& { return {types.data(), count}; }
  std::span<const uint16_t> span() && = delete;  // would dangle: keep the StunAttributeTypes in a variable
  bool empty() const { return count == 0; }
  bool contains(uint16_t type) const;
  void push_unique(uint16_t type);  // ignores duplicates and overflow
};

enum class StunParseError : uint8_t {
  TooShort,             // fewer than 20 bytes
  NotStun,              // the two top bits of the first byte are not 0
  BadMagicCookie,
  LengthNotMultipleOf4,
  LengthMismatch,       // header length + 20 != datagram size
  AttributeTruncated,   // an attribute header or value (with padding) runs past the end
};
std::string_view to_string(StunParseError e);

// A validated view over a whole STUN message (header + attributes, every TLV bounds-checked by parse()).
// Holds a pointer into the caller's bytes: they must outlive the view. Copying it is cheap.
//
// Attribute lookup: find() returns the FIRST attribute of a type (duplicates: first wins). After
// MESSAGE-INTEGRITY, RFC 8489 §14.5 says attributes other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are
// ignored, after MESSAGE-INTEGRITY-SHA256 all but FINGERPRINT, and FINGERPRINT is last: find(), the typed
// getters and unknown_comprehension_required() honour that (attributes() still iterates all of them). Typed
// getters return nullopt when the attribute is absent or its value is malformed (wrong size, bad family).
class StunMessageView {
 public:
  // Whole datagram: it must be exactly one STUN message (UDP).
  static base::Result<StunMessageView, StunParseError> parse(base::Bytes datagram);
  // Cheap pre-check for demultiplexing: top two bits 0, the magic cookie in place, at least 20 bytes.
  static bool looks_like_stun(base::Bytes data);
  // For stream framing (RFC 6544 / TURN over TCP): the full message size (20 + length) from the first 4 bytes,
  // or nullopt if fewer than 4 bytes or the top bits are not 0.
  static std::optional<size_t> message_size(base::Bytes prefix);

  uint16_t message_type() const { return type_; }
  StunMethod method() const { return stun_method_of(type_); }
  StunClass cls() const { return stun_class_of(type_); }
  bool is_request() const { return cls() == StunClass::Request; }
  bool is_indication() const { return cls() == StunClass::Indication; }
  bool is_success_response() const { return cls() == StunClass::SuccessResponse; }
  bool is_error_response() const { return cls() == StunClass::ErrorResponse; }
  bool is_binding_request() const { return method() == StunMethod::Binding && is_request(); }
  const StunTransactionId& transaction_id() const { return txid_; }
  base::Bytes transaction_id_bytes() const { return data_.subspan(8, kStunTransactionIdSize); }
  base::Bytes bytes() const { return data_; }
  size_t size() const { return data_.size(); }

  // Iterates every attribute in wire order, including ignored ones after MESSAGE-INTEGRITY.
  class Iterator;
  class Range;
  Range attributes() const;
  size_t attribute_count() const { return attribute_count_; }

  std::optional<StunAttribute> find(uint16_t type) const;
  std::optional<StunAttribute> find(StunAttr type) const { return find(static_cast<uint16_t>(type)); }
  bool has(StunAttr type) const { return find(type).has_value(); }

  // Addresses. xor_address() decodes any XOR-*-ADDRESS type (XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS for TURN).
  std::optional<TransportAddress> xor_mapped_address() const { return xor_address(StunAttr::XorMappedAddress); }
  std::optional<TransportAddress> xor_address(StunAttr type) const;
  std::optional<TransportAddress> mapped_address() const;  // plain MAPPED-ADDRESS (RFC 3489 servers)

  // Strings: the raw bytes as text, not validated as UTF-8. USERNAME for ICE is "remote_ufrag:local_ufrag" as
  // the sender writes it, i.e. "<our ufrag>:<their ufrag>" on a request we receive.
  std::optional<std::string_view> username() const;
  std::optional<std::string_view> software() const;
  std::optional<std::string_view> realm() const;
  std::optional<std::string_view> nonce() const;

  // ICE (RFC 8445 §16.1).
  std::optional<uint32_t> priority() const;
  bool use_candidate() const { return has(StunAttr::UseCandidate); }
  std::optional<uint64_t> ice_controlling() const;  // tie-breaker
  std::optional<uint64_t> ice_controlled() const;   // tie-breaker

  std::optional<StunErrorCode> error_code() const;
  // Contents of an UNKNOWN-ATTRIBUTES attribute (in a 420 response).
  std::optional<StunAttributeTypes> unknown_attributes() const;
  // Comprehension-required attribute types in this message that stun_attr_known() does not know (deduplicated,
  // wire order). A request with any: answer 420 listing them (RFC 8489 §6.3.1).
  StunAttributeTypes unknown_comprehension_required() const;

  // TURN (RFC 8656), for the later client.
  std::optional<uint32_t> lifetime() const;
  std::optional<uint16_t> channel_number() const;
  std::optional<base::Bytes> data() const;

  bool has_message_integrity() const { return integrity_offset_ != 0; }
  bool has_message_integrity_sha256() const { return integrity_sha256_offset_ != 0; }
  bool has_fingerprint() const { return fingerprint_offset_ != 0; }
  // Offsets of the first MESSAGE-INTEGRITY / -SHA256 / FINGERPRINT attribute headers (0 = absent).
  size_t integrity_offset() const { return integrity_offset_; }
  size_t integrity_sha256_offset() const { return integrity_sha256_offset_; }
  size_t fingerprint_offset() const { return fingerprint_offset_; }

 private:
  StunMessageView() = default;
  std::optional<StunAttribute> attribute_at(size_t offset) const;

  base::Bytes data_;
  uint16_t type_ = 0;
  StunTransactionId txid_{};
  size_t attribute_count_ = 0;
  size_t integrity_offset_ = 0;
  size_t integrity_sha256_offset_ = 0;
  size_t fingerprint_offset_ = 0;
  // Ordinary attributes count only before the first MESSAGE-INTEGRITY[-SHA256] or FINGERPRINT.
  size_t ordinary_end_ = 0;
};

class StunMessageView::Iterator {
 public:
  using value_type = StunAttribute;
  using difference_type = std::ptrdiff_t;
  Iterator() = default;
  StunAttribute operator*() const;
  Iterator& operator++();
  Iterator operator++(int) {
    Iterator t = *this;
    ++*this;
    return t;
  }
  bool operator==(const Iterator& o) const { return pos_ == o.pos_; }

 private:
  friend class StunMessageView;
  Iterator(base::Bytes msg, size_t pos) : msg_(msg), pos_(pos) {}
  base::Bytes msg_;
  size_t pos_ = 0;
};

class StunMessageView::Range {
 public:
  Iterator begin() const { return Iterator(msg_, kStunHeaderSize); }
  Iterator end() const { return Iterator(msg_, msg_.size()); }

 private:
  friend class StunMessageView;
  explicit Range(base::Bytes msg) : msg_(msg) {}
  base::Bytes msg_;
};

// MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5): HMAC over the message up to the attribute, with the header
// length set as if the message ended right after it. False if absent or wrong. Constant-time comparison.
bool verify_integrity(const StunMessageView& msg, const StunIntegrityKey& key);
// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6), 16..32 bytes (a truncated tag is compared on its length).
bool verify_integrity_sha256(const StunMessageView& msg, const StunIntegrityKey& key);
// Whichever the message carries: SHA256 if present (RFC 8489 §9.1.3 prefers it), else SHA1. False if neither.
bool verify_any_integrity(const StunMessageView& msg, const StunIntegrityKey& key);
// FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message up to the attribute (length field as is: the attribute
// is last) XOR 0x5354554e. False if absent, not the last attribute, or wrong.
bool verify_fingerprint(const StunMessageView& msg);

// CRC-32 (zlib's) of bytes XOR 0x5354554e; the writer uses it, tests may too.
uint32_t stun_fingerprint(base::Bytes message_prefix);

}  // namespace medley::ice
