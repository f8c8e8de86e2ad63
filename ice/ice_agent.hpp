// IceAgent: full ICE (RFC 8445) for one component of one WebRtcEndpoint, sans-IO: host and server-reflexive
// gathering, a paced checklist, triggered checks, both roles with conflict repair, nomination, trickle, mDNS names
// resolved by the caller, peer-reflexive candidates, consent freshness (RFC 7675) and ICE restart.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ice/candidate.hpp"
#include "ice/checklist.hpp"
#include "ice/ice_output.hpp"
#include "ice/ice_random.hpp"
#include "ice/stun_integrity.hpp"
#include "ice/stun_message.hpp"
#include "ice/transport_address.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/base/time.hpp"

namespace medley::ice {

struct IceCredentials {
  std::string ufrag;  // RFC 8839: 4..256 ice-chars; the caller makes them from its random bytes
  std::string pwd;    // 22..256 ice-chars
};

enum class NominationMode : uint8_t {
  Regular,     // RFC 8445 §8.1.1: check first, then nominate the best valid pair with a USE-CANDIDATE check
  Aggressive,  // RFC 5245 style: USE-CANDIDATE on every check; the best pair that answers wins
};

struct IceAgentConfig {
  IceCredentials local;
  // A WebRtcEndpoint that answers is controlled; one that offers is controlling. A full agent facing an ice-lite
  // peer is always controlling (RFC 8445 §6.1.1): see role_for().
  IceRole role = IceRole::Controlled;
  uint64_t tie_breaker = 0;                // random, from the caller
  std::array<uint8_t, 32> random_seed{};   // transaction ids and consent jitter, from the caller's random bytes

  // The addresses (with port) the server bound; each becomes a host candidate, in this order of preference.
  // Unspecified and IPv6 link-local addresses are skipped, loopback too unless allow_loopback.
  std::vector<TransportAddress> host_addresses;
  bool allow_loopback = false;
  // Kurento's stunServerAddress/stunServerPort: a binding request to it from each host address of the same family;
  // the mapped address becomes a server-reflexive candidate.
  std::optional<TransportAddress> stun_server;

  NominationMode nomination = NominationMode::Regular;
  // Regular nomination waits for pairs better than the best valid one to finish, at most this long.
  base::Duration nomination_wait = base::Duration::millis(1000);

  base::Duration ta = base::Duration::millis(50);  // pacing of new checks (RFC 8445 §14.2)
  // Check retransmissions (RFC 8445 §14.3, RFC 8489 §6.2.1): RTO = max(check_rto_min, Ta * (waiting + in-progress)),
  // doubling up to check_rto_max; check_max_sends sends in all, the pair fails one RTO after the last.
  base::Duration check_rto_min = base::Duration::millis(500);
  base::Duration check_rto_max = base::Duration::millis(1600);
  uint8_t check_max_sends = 7;
  // Server-reflexive gathering gives up sooner: gathering done must not wait half a minute for a dead server.
  base::Duration gather_rto = base::Duration::millis(500);
  uint8_t gather_max_sends = 4;

  // Consent freshness (RFC 7675 §5.1): a check on the selected pair every consent_interval (× 0.8..1.2 when
  // randomised), consent lost (→ Failed) after consent_timeout without an authenticated answer.
  base::Duration consent_interval = base::Duration::seconds(5);
  bool consent_randomize = true;
  base::Duration consent_timeout = base::Duration::seconds(30);
  // Sends per consent check (RTO check_rto_min, doubling, uncapped: 0, 0.5, 1.5, 3.5 s by default).
  uint8_t consent_max_sends = 4;

  // When every pair has failed but the peer has not signalled end-of-candidates, wait this long after the last
  // remote candidate before declaring failure (trickle may still bring a working one, RFC 8838 §8).
  base::Duration trickle_wait = base::Duration::seconds(10);

  // Bounds, so that a hostile peer cannot grow memory (pending mDNS names count as remote candidates).
  size_t max_pairs = 100;
  size_t max_remote_candidates = 50;

  std::string software;  // SOFTWARE attribute on our requests, none if empty

  // The first 4 bytes of every transaction id we send (the other 8 stay random): a server whose endpoints share one
  // UDP port routes a response from an address it has not validated yet by this tag, instead of dropping it and
  // waiting Ta for the triggered check to repeat it.
  std::optional<uint32_t> transaction_tag;
};

// The role an endpoint takes (RFC 8445 §6.1.1, RFC 8839 §4.2): the offerer controls, unless exactly one side is
// ice-lite, in which case the full agent does.
IceRole role_for(bool we_offer, bool peer_is_lite);

// Why a STUN datagram did nothing (beyond, for requests, an error response); each one has a counter in IceStats.
enum class IceDropReason : uint8_t {
  Malformed,             // not a STUN message
  NotBinding,            // another STUN method (TURN) reached the agent
  BadFingerprint,
  BadRequest,            // 400 sent: no USERNAME/MESSAGE-INTEGRITY/PRIORITY
  Unauthorized,          // 401 sent: wrong ufrag or MESSAGE-INTEGRITY
  UnknownAttributes,     // 420 sent
  RoleConflict,          // 487 sent
  UnknownTransaction,    // a response to nothing we sent (or sent before a restart)
  BadResponseIntegrity,  // a response whose MESSAGE-INTEGRITY fails with the remote password
  WrongResponseSource,   // a STUN-server response from another address
  UnknownLocalAddress,   // a request on an address that is not one of our host candidates: answered, not paired
  kCount,
};
std::string_view to_string(IceDropReason r);

struct IceStats {
  uint64_t checks_sent = 0;
  uint64_t retransmissions = 0;
  uint64_t requests_received = 0;
  uint64_t responses_received = 0;
  uint64_t consent_checks_sent = 0;
  uint64_t candidates_rejected = 0;
  std::array<uint64_t, static_cast<size_t>(IceDropReason::kCount)> drops{};

  uint64_t dropped(IceDropReason r) const { return drops[static_cast<size_t>(r)]; }
};

enum class AddCandidateResult : uint8_t {
  Added,
  Updated,    // it was known as peer-reflexive: now typed and prioritised as signalled
  Pending,    // an mDNS name: ResolveHostname was emitted
  Duplicate,
  Rejected,   // RemoteCandidateRejected was emitted with the reason
};

// The pair media uses: sent from send_from (the socket's address) to remote.address.
struct SelectedPair {
  Candidate local;
  Candidate remote;
  TransportAddress send_from;
};

class IceAgent {
 public:
  explicit IceAgent(IceAgentConfig config);

  // Starts gathering: host candidates at once, server-reflexive ones as the STUN server answers; checks begin as
  // soon as remote credentials and candidates are known. Idempotent.
  void start(base::Timestamp now, IceOutput& out);

  void set_remote_credentials(std::string ufrag, std::string pwd);
  // Trickle ICE: at any time, before or after start(). The string form parses with Candidate::parse.
  AddCandidateResult add_remote_candidate(base::Timestamp now, Candidate candidate, IceOutput& out);
  AddCandidateResult add_remote_candidate(base::Timestamp now, std::string_view sdp_candidate, IceOutput& out);
  void end_of_candidates(base::Timestamp now, IceOutput& out);
  // Answers to ResolveHostname (the address's port is ignored: the candidate's is used).
  void add_resolved_address(base::Timestamp now, std::string_view name, const TransportAddress& address,
                            IceOutput& out);
  void hostname_unresolved(base::Timestamp now, std::string_view name, std::string_view why, IceOutput& out);

  // A STUN datagram that arrived on local (one of our host addresses) from remote. nullopt: it was used.
  std::optional<IceDropReason> handle_stun(base::Timestamp now, const TransportAddress& local,
                                           const TransportAddress& remote, base::Bytes datagram, IceOutput& out);
  void handle_timeout(base::Timestamp now, IceOutput& out);
  // When handle_timeout wants to run next (possibly already past); Timestamp::infinite() if nothing is pending.
  base::Timestamp next_timeout() const;

  // ICE restart (RFC 8445 §9): new local credentials (and role, if given); remote credentials and candidates
  // are forgotten until the peer's new ones arrive. Local candidates are announced again with the new ufrag.
  // Media may keep using selected_pair() until the new checks select one.
  void restart(base::Timestamp now, IceCredentials local, IceOutput& out, std::optional<IceRole> role = {});

  IceState state() const { return state_; }
  IceRole role() const { return role_; }
  const IceCredentials& local_credentials() const { return local_; }
  const std::optional<SelectedPair>& selected_pair() const { return selected_; }
  const IceStats& stats() const { return stats_; }
  const Checklist& checklist() const { return checklist_; }
  size_t remote_candidate_count() const { return remotes_.size() + pending_.size(); }
  size_t local_candidate_count() const { return locals_.size(); }
  size_t transaction_count() const { return transactions_.size(); }

 private:
  struct LocalCandidate {
    Candidate candidate;
    TransportAddress base;
  };
  struct Transaction {
    enum class Kind : uint8_t { Check, Consent, Gather };
    StunTransactionId id{};
    Kind kind = Kind::Check;
    uint32_t pair_id = 0;
    size_t host = 0;  // Gather: index of the host candidate
    TransportAddress local;
    TransportAddress remote;
    std::vector<uint8_t> bytes;  // resent as is
    base::Timestamp next_at;
    base::Duration rto;
    uint8_t sends = 0;
    uint8_t max_sends = 1;
    bool retransmit = true;  // false once cancelled (RFC 8445 §7.3.1.4): no resend, no failure on timeout
    bool use_candidate = false;
    IceRole role = IceRole::Controlled;
    uint32_t priority = 0;
  };

  StunTransactionId next_transaction_id();

  // STUN in.
  std::optional<IceDropReason> on_request(base::Timestamp now, const TransportAddress& local,
                                          const TransportAddress& remote, const StunMessageView& msg,
                                          IceOutput& out);
  std::optional<IceDropReason> on_response(base::Timestamp now, const TransportAddress& local,
                                           const TransportAddress& remote, const StunMessageView& msg,
                                           IceOutput& out);
  std::optional<IceDropReason> on_check_response(base::Timestamp now, Transaction t, const TransportAddress& local,
                                                 const TransportAddress& remote, const StunMessageView& msg,
                                                 IceOutput& out);
  void on_gather_response(Transaction t, const StunMessageView& msg, IceOutput& out);
  void on_transaction_timeout(base::Timestamp now, const Transaction& t, IceOutput& out);
  IceDropReason send_error(const TransportAddress& local, const TransportAddress& remote,
                           const StunTransactionId& txid, uint16_t code, bool with_integrity,
                           std::span<const uint16_t> unknown, IceOutput& out);

  // STUN out.
  void send_check(base::Timestamp now, CandidatePair& pair, IceOutput& out);
  void send_consent(base::Timestamp now, IceOutput& out);
  void send_gather(base::Timestamp now, size_t host, IceOutput& out);
  void transmit(const TransportAddress& local, const TransportAddress& remote, base::Bytes bytes, IceOutput& out);
  std::optional<base::Bytes> write_request(const StunTransactionId& txid, uint32_t priority, bool use_candidate);

  // Candidates and pairs.
  AddCandidateResult reject(const std::string& what, std::string reason, IceOutput& out);
  AddCandidateResult add_resolved_remote(base::Timestamp now, Candidate c, IceOutput& out);
  void pair_with_hosts(uint16_t remote);
  uint64_t priority_of(uint32_t local_priority, uint32_t remote_priority) const;
  void reprioritize();
  void switch_role(IceRole role, IceOutput& out);
  std::optional<size_t> host_for(const TransportAddress& local) const;
  std::optional<size_t> remote_for(const TransportAddress& remote) const;
  uint16_t local_for_mapped(const TransportAddress& mapped, const Transaction& t);
  Candidate local_announcement(const LocalCandidate& l) const;
  void cancel_checks(uint32_t pair_id);
  void finish_gathering_if_done(IceOutput& out);

  // Progress.
  bool checks_allowed() const;
  bool ordinary_checks() const;
  void maybe_nominate(base::Timestamp now, IceOutput& out);
  void update_selection(base::Timestamp now, IceOutput& out);
  void check_failure(base::Timestamp now);
  void update_state(IceOutput& out);
  bool nomination_pending() const;
  base::Timestamp failure_deadline() const;
  base::Duration consent_delay();

  IceAgentConfig config_;
  IceRandom random_;
  IceCredentials local_;
  StunIntegrityKey local_key_;
  std::string remote_ufrag_;
  std::string remote_pwd_;
  StunIntegrityKey remote_key_;
  IceRole role_;
  IceState state_ = IceState::Disconnected;

  std::vector<LocalCandidate> locals_;  // hosts first ([0, hosts_)), then server- and peer-reflexive
  size_t hosts_ = 0;
  std::vector<Candidate> remotes_;
  std::vector<Candidate> pending_;  // mDNS names waiting for the caller's resolver
  Checklist checklist_;
  std::vector<Transaction> transactions_;

  bool started_ = false;
  bool gathering_done_ = false;
  bool checking_started_ = false;
  bool failed_ = false;
  bool remote_end_of_candidates_ = false;
  uint32_t prflx_count_ = 0;
  base::Timestamp next_check_at_;
  base::Timestamp last_remote_change_at_;
  std::optional<base::Timestamp> first_valid_at_;

  std::optional<SelectedPair> selected_;
  std::optional<uint32_t> selected_pair_id_;
  bool consent_active_ = false;
  base::Timestamp next_consent_at_ = base::Timestamp::infinite();
  base::Timestamp last_consent_at_;

  IceStats stats_;
  std::array<uint8_t, 1500> scratch_{};
};

}  // namespace medley::ice
