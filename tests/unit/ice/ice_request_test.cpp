// One IceAgent answering hand-built STUN: the short-term credential checks and error answers of RFC 8489 §9.1.3 and
// RFC 8445 §7.3 (400, 401, 420, 487), the success answer, and responses that must not be believed.
#include <gtest/gtest.h>

#include "ice/ice_agent.hpp"
#include "ice/stun_writer.hpp"
#include "ice_sim.hpp"

namespace medley::ice {
namespace {

using sim::addr;

constexpr const char* kPwdA = "aaaaaaaaaaaaaaaaaaaaaaaa";
constexpr const char* kPwdB = "bbbbbbbbbbbbbbbbbbbbbbbb";
const TransportAddress kLocal = addr("10.0.0.1:4000");
const TransportAddress kPeer = addr("10.0.0.2:5000");

StunTransactionId txid(uint8_t x) {
  StunTransactionId id{};
  id.fill(x);
  return id;
}

struct Fixture {
  explicit Fixture(IceRole role = IceRole::Controlled, uint64_t tie = 100)
      : agent(sim::make_config("ufA1", kPwdA, role, tie, {kLocal}, 1)) {
    agent.set_remote_credentials("ufB1", kPwdB);
    agent.start(now, out);
    out.clear();
  }

  std::optional<IceDropReason> feed(base::Bytes msg, const TransportAddress& from = kPeer) {
    out.clear();
    return agent.handle_stun(now, kLocal, from, msg, out);
  }

  // The single answer the agent sent, parsed (its bytes live in out).
  StunMessageView answer() {
    EXPECT_EQ(out.transmits.size(), 1u);
    EXPECT_EQ(out.transmits[0].local, kLocal);
    auto v = StunMessageView::parse(out.transmits[0].bytes);
    EXPECT_TRUE(v);
    EXPECT_TRUE(verify_fingerprint(*v));
    return *v;
  }

  IceAgent agent;
  IceOutput out;
  base::Timestamp now = base::Timestamp::millis(0);
  std::array<uint8_t, 512> buf{};
};

// A request built attribute by attribute, so tests can leave things out or add unknown ones.
struct RequestSpec {
  std::optional<std::string> username = "ufA1:ufB1";
  std::optional<uint32_t> priority = 0x6e7fffff;
  std::optional<uint64_t> controlling;
  std::optional<uint64_t> controlled = 1;
  bool use_candidate = false;
  std::optional<uint16_t> unknown_attr;
  std::optional<std::string> password = kPwdA;
  bool fingerprint = true;
};

base::Bytes build(std::span<uint8_t> buf, const StunTransactionId& id, const RequestSpec& s) {
  StunWriter w(buf, StunMethod::Binding, StunClass::Request, id);
  if (s.username) w.add_username(*s.username);
  if (s.priority) w.add_priority(*s.priority);
  if (s.controlling) w.add_ice_controlling(*s.controlling);
  if (s.controlled) w.add_ice_controlled(*s.controlled);
  if (s.use_candidate) w.add_use_candidate();
  if (s.unknown_attr) {
    const uint8_t v[4] = {1, 2, 3, 4};
    w.add(*s.unknown_attr, v);
  }
  if (s.password) w.add_message_integrity(StunIntegrityKey::short_term(*s.password));
  if (s.fingerprint) w.add_fingerprint();
  return *w.finish();
}

uint16_t error_of(const StunMessageView& v) {
  EXPECT_TRUE(v.is_error_response());
  auto e = v.error_code();
  return e ? e->code : 0;
}

TEST(IceRequest, SuccessCarriesTheSourceAndOurIntegrity) {
  Fixture f;
  EXPECT_EQ(f.feed(build(f.buf, txid(1), {})), std::nullopt);
  auto v = f.answer();
  EXPECT_TRUE(v.is_success_response());
  EXPECT_EQ(v.transaction_id(), txid(1));
  EXPECT_EQ(v.xor_mapped_address(), kPeer);
  EXPECT_TRUE(verify_integrity(v, StunIntegrityKey::short_term(kPwdA)));
  EXPECT_EQ(f.out.transmits[0].remote, kPeer);
  EXPECT_EQ(f.agent.stats().requests_received, 1u);
}

TEST(IceRequest, MissingUsernameOrIntegrityIs400WithoutIntegrity) {
  Fixture f;
  RequestSpec no_user;
  no_user.username.reset();
  EXPECT_EQ(f.feed(build(f.buf, txid(2), no_user)), IceDropReason::BadRequest);
  auto v = f.answer();
  EXPECT_EQ(error_of(v), 400);
  EXPECT_FALSE(v.has_message_integrity());

  RequestSpec no_mi;
  no_mi.password.reset();
  EXPECT_EQ(f.feed(build(f.buf, txid(3), no_mi)), IceDropReason::BadRequest);
  EXPECT_EQ(error_of(f.answer()), 400);
  EXPECT_EQ(f.agent.checklist().size(), 0u);  // nothing learnt from an unauthenticated request
}

TEST(IceRequest, WrongUfragOrPasswordIs401) {
  Fixture f;
  RequestSpec wrong_user;
  wrong_user.username = "ufX9:ufB1";
  EXPECT_EQ(f.feed(build(f.buf, txid(4), wrong_user)), IceDropReason::Unauthorized);
  auto v = f.answer();
  EXPECT_EQ(error_of(v), 401);
  EXPECT_FALSE(v.has_message_integrity());

  RequestSpec no_colon;
  no_colon.username = "ufA1";
  EXPECT_EQ(f.feed(build(f.buf, txid(5), no_colon)), IceDropReason::Unauthorized);

  RequestSpec wrong_pwd;
  wrong_pwd.password = "wrong-password-wrong-pw";
  EXPECT_EQ(f.feed(build(f.buf, txid(6), wrong_pwd)), IceDropReason::Unauthorized);
  EXPECT_EQ(error_of(f.answer()), 401);
  EXPECT_EQ(f.agent.stats().dropped(IceDropReason::Unauthorized), 3u);
  EXPECT_EQ(f.agent.remote_candidate_count(), 0u);
}

TEST(IceRequest, UnknownComprehensionRequiredAttributeIs420) {
  Fixture f;
  RequestSpec s;
  s.unknown_attr = 0x7777;
  EXPECT_EQ(f.feed(build(f.buf, txid(7), s)), IceDropReason::UnknownAttributes);
  auto v = f.answer();
  EXPECT_EQ(error_of(v), 420);
  auto unknown = v.unknown_attributes();
  ASSERT_TRUE(unknown);
  ASSERT_EQ(unknown->count, 1u);
  EXPECT_EQ(unknown->types[0], 0x7777);
  EXPECT_TRUE(verify_integrity(v, StunIntegrityKey::short_term(kPwdA)));

  // Comprehension-optional unknowns are ignored.
  s.unknown_attr = 0xC777;
  EXPECT_EQ(f.feed(build(f.buf, txid(8), s)), std::nullopt);
  EXPECT_TRUE(f.answer().is_success_response());
}

TEST(IceRequest, MissingPriorityIs400) {
  Fixture f;
  RequestSpec s;
  s.priority.reset();
  EXPECT_EQ(f.feed(build(f.buf, txid(9), s)), IceDropReason::BadRequest);
  EXPECT_EQ(error_of(f.answer()), 400);
}

TEST(IceRequest, RoleConflictWhileControlling) {
  // RFC 8445 §7.3.1.1: both controlling; our tie-breaker is larger: 487, we keep controlling.
  Fixture f(IceRole::Controlling, 100);
  RequestSpec s;
  s.controlled.reset();
  s.controlling = 50;
  EXPECT_EQ(f.feed(build(f.buf, txid(10), s)), IceDropReason::RoleConflict);
  auto v = f.answer();
  EXPECT_EQ(error_of(v), 487);
  EXPECT_TRUE(verify_integrity(v, StunIntegrityKey::short_term(kPwdA)));
  EXPECT_EQ(f.agent.role(), IceRole::Controlling);
  // Theirs is larger: we switch to controlled and answer.
  s.controlling = 500;
  EXPECT_EQ(f.feed(build(f.buf, txid(11), s)), std::nullopt);
  EXPECT_TRUE(f.answer().is_success_response());
  EXPECT_EQ(f.agent.role(), IceRole::Controlled);
  ASSERT_FALSE(f.out.events.empty());
  EXPECT_EQ(std::get<RoleChanged>(f.out.events[0]).role, IceRole::Controlled);
}

TEST(IceRequest, RoleConflictWhileControlled) {
  Fixture f(IceRole::Controlled, 100);
  RequestSpec s;
  s.controlled = 500;  // both controlled, theirs larger: they should switch, we answer 487
  EXPECT_EQ(f.feed(build(f.buf, txid(12), s)), IceDropReason::RoleConflict);
  EXPECT_EQ(error_of(f.answer()), 487);
  EXPECT_EQ(f.agent.role(), IceRole::Controlled);
  s.controlled = 50;  // ours larger: we become controlling
  EXPECT_EQ(f.feed(build(f.buf, txid(13), s)), std::nullopt);
  EXPECT_EQ(f.agent.role(), IceRole::Controlling);
}

TEST(IceRequest, GarbageAndIndicationsAreDroppedQuietly) {
  Fixture f;
  const uint8_t junk[] = {0x16, 0xfe, 0xfd, 0, 0};
  EXPECT_EQ(f.feed(junk), IceDropReason::Malformed);
  EXPECT_TRUE(f.out.transmits.empty());

  auto msg = build(f.buf, txid(14), {});
  std::vector<uint8_t> corrupt(msg.begin(), msg.end());
  corrupt.back() ^= 1;  // FINGERPRINT no longer matches
  EXPECT_EQ(f.feed(corrupt), IceDropReason::BadFingerprint);
  EXPECT_TRUE(f.out.transmits.empty());

  auto ind = write_binding_indication(f.buf, txid(15));
  ASSERT_TRUE(ind);
  EXPECT_EQ(f.feed(*ind), std::nullopt);
  EXPECT_TRUE(f.out.transmits.empty());

  std::array<uint8_t, 64> b2{};
  StunWriter w(b2, StunMethod::Allocate, StunClass::Request, txid(16));
  EXPECT_EQ(f.feed(*w.finish()), IceDropReason::NotBinding);
}

TEST(IceRequest, ResponsesMustMatchAndAuthenticate) {
  Fixture f(IceRole::Controlling, 100);
  f.agent.add_remote_candidate(f.now, "candidate:1 1 udp 2130706431 10.0.0.2 5000 typ host", f.out);
  f.out.clear();
  f.agent.handle_timeout(f.now, f.out);
  ASSERT_EQ(f.out.transmits.size(), 1u);
  auto check = StunMessageView::parse(f.out.transmits[0].bytes);
  ASSERT_TRUE(check);
  EXPECT_TRUE(verify_integrity(*check, StunIntegrityKey::short_term(kPwdB)));
  EXPECT_EQ(check->username(), "ufB1:ufA1");
  EXPECT_EQ(check->ice_controlling(), 100u);
  const StunTransactionId id = check->transaction_id();

  // An answer to nothing we sent.
  std::array<uint8_t, 256> rb{};
  auto stray = write_binding_success(rb, txid(0x55), kLocal, StunIntegrityKey::short_term(kPwdB));
  EXPECT_EQ(f.feed(*stray), IceDropReason::UnknownTransaction);
  // A forged answer (wrong key) does not end the transaction.
  auto forged = write_binding_success(rb, id, kLocal, StunIntegrityKey::short_term("forged-forged-forged-xx"));
  EXPECT_EQ(f.feed(*forged), IceDropReason::BadResponseIntegrity);
  EXPECT_EQ(f.agent.state(), IceState::Connecting);
  // The real one from another address than we sent to: not symmetric, the pair fails.
  auto real = write_binding_success(rb, id, kLocal, StunIntegrityKey::short_term(kPwdB));
  EXPECT_EQ(f.feed(*real, addr("10.0.0.9:5000")), IceDropReason::WrongResponseSource);
  EXPECT_EQ(f.agent.checklist().pairs()[0].state, PairState::Failed);
}

TEST(IceRequest, NominationCheckCarriesUseCandidate) {
  Fixture f(IceRole::Controlling, 100);
  f.agent.add_remote_candidate(f.now, "candidate:1 1 udp 2130706431 10.0.0.2 5000 typ host", f.out);
  f.agent.handle_timeout(f.now, f.out);
  auto check = StunMessageView::parse(f.out.transmits[0].bytes);
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->use_candidate());
  std::array<uint8_t, 256> rb{};
  auto ok = write_binding_success(rb, check->transaction_id(), kLocal, StunIntegrityKey::short_term(kPwdB));
  f.now += base::Duration::millis(40);
  EXPECT_EQ(f.feed(*ok), std::nullopt);
  EXPECT_EQ(f.agent.state(), IceState::Connected);
  // The only pair is the best possible: its nomination leaves with the answer's processing, not on the next paced
  // slot (that cost every offered connection up to Ta).
  ASSERT_EQ(f.out.transmits.size(), 1u);
  auto nomination = StunMessageView::parse(f.out.transmits[0].bytes);
  ASSERT_TRUE(nomination);
  EXPECT_TRUE(nomination->use_candidate());
  auto ok2 = write_binding_success(rb, nomination->transaction_id(), kLocal, StunIntegrityKey::short_term(kPwdB));
  EXPECT_EQ(f.feed(*ok2), std::nullopt);
  EXPECT_EQ(f.agent.state(), IceState::Ready);
  ASSERT_TRUE(f.agent.selected_pair());
  EXPECT_EQ(f.agent.selected_pair()->remote.address, kPeer);
}

}  // namespace
}  // namespace medley::ice
