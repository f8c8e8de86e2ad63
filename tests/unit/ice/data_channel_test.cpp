// Data channels: DCEP byte vectors (RFC 8832 §5), DataChannelSet alone, and two sets over real usrsctp.
#include "ice/data_channel.hpp"

#include <gtest/gtest.h>

#include <random>

#include "sctp_test_pair.hpp"

namespace medley::ice {
namespace {

using Set = DataChannelSet;
using Dir = SctpAssociation::StreamReset::Direction;

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

template <class T, class V>
std::vector<T> only(const std::vector<V>& all) {
  std::vector<T> out;
  for (const auto& v : all) {
    if (const T* t = std::get_if<T>(&v)) out.push_back(*t);
  }
  return out;
}

template <class Src>
auto drain_events(Src& s) {
  std::vector<std::decay_t<decltype(*s.poll_event())>> out;
  while (auto e = s.poll_event()) out.push_back(std::move(*e));
  return out;
}
std::vector<Set::Command> drain_commands(Set& s) {
  std::vector<Set::Command> out;
  while (auto c = s.poll_command()) out.push_back(std::move(*c));
  return out;
}

// ---- DCEP messages -------------------------------------------------------------------------------------

// DATA_CHANNEL_OPEN, reliable ordered, priority 256 (normal), label "chat", protocol "": laid out by hand from
// RFC 8832 §5.1 (type, channel type, priority, reliability parameter, label length, protocol length, strings).
const std::vector<uint8_t> kOpenChat = {0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x04, 0x00, 0x00, 'c',  'h',  'a',  't'};
// Unordered, at most 3 retransmissions, priority 512, label "a", protocol "bc".
const std::vector<uint8_t> kOpenRexmit = {0x03, 0x81, 0x02, 0x00, 0x00, 0x00, 0x00, 0x03,
                                          0x00, 0x01, 0x00, 0x02, 'a',  'b',  'c'};

TEST(Dcep, ParsesReliableOpen) {
  auto m = parse_dcep(kOpenChat);
  ASSERT_TRUE(m.ok());
  const auto& open = std::get<DcepOpen>(*m);
  EXPECT_TRUE(open.ordered);
  EXPECT_EQ(open.reliability, SctpReliability::reliable());
  EXPECT_EQ(open.priority, 256);
  EXPECT_EQ(open.label, "chat");
  EXPECT_EQ(open.protocol, "");
}

TEST(Dcep, ParsesEveryChannelType) {
  auto m = parse_dcep(kOpenRexmit);
  ASSERT_TRUE(m.ok());
  const auto& open = std::get<DcepOpen>(*m);
  EXPECT_FALSE(open.ordered);
  EXPECT_EQ(open.reliability, SctpReliability::max_retransmits(3));
  EXPECT_EQ(open.priority, 512);
  EXPECT_EQ(open.label, "a");
  EXPECT_EQ(open.protocol, "bc");

  auto timed = kOpenChat;
  timed[1] = 0x02;
  timed[4] = 0x00, timed[5] = 0x00, timed[6] = 0x01, timed[7] = 0xF4;  // 500 ms
  auto t = parse_dcep(timed);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::get<DcepOpen>(*t).reliability, SctpReliability::max_lifetime_ms(500));
  EXPECT_TRUE(std::get<DcepOpen>(*t).ordered);
  timed[1] = 0x82;
  EXPECT_FALSE(std::get<DcepOpen>(*parse_dcep(timed)).ordered);
  auto reliable_unordered = kOpenChat;
  reliable_unordered[1] = 0x80;
  reliable_unordered[7] = 0x09;  // the parameter of a reliable channel is ignored (§5.1)
  EXPECT_EQ(std::get<DcepOpen>(*parse_dcep(reliable_unordered)).reliability, SctpReliability::reliable());
}

TEST(Dcep, ParsesAck) {
  auto m = parse_dcep(std::vector<uint8_t>{0x02});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(std::holds_alternative<DcepAck>(*m));
}

TEST(Dcep, WritesByteExactOpen) {
  EXPECT_EQ(write_dcep_open(DcepOpen{true, {}, 256, "chat", ""}), kOpenChat);
  EXPECT_EQ(write_dcep_open(DcepOpen{false, SctpReliability::max_retransmits(3), 512, "a", "bc"}), kOpenRexmit);
  DcepOpen timed{true, SctpReliability::max_lifetime_ms(70000), 128, std::string(300, 'x'), "p"};
  auto round = parse_dcep(write_dcep_open(timed));
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(std::get<DcepOpen>(*round), timed);
}

TEST(Dcep, RejectsMalformedMessages) {
  EXPECT_EQ(parse_dcep({}).error(), DcepError::Empty);
  EXPECT_EQ(parse_dcep(std::vector<uint8_t>{0x01}).error(), DcepError::UnknownMessageType);
  EXPECT_EQ(parse_dcep(std::vector<uint8_t>{0xff, 0x00}).error(), DcepError::UnknownMessageType);
  for (size_t n = 1; n < kOpenChat.size(); ++n) {  // every truncation of a valid OPEN
    EXPECT_EQ(parse_dcep(base::Bytes(kOpenChat).first(n)).error(), DcepError::Truncated) << n;
  }
  auto long_label = kOpenChat;
  long_label[9] = 0x05;  // label length 5, only 4 bytes follow
  EXPECT_EQ(parse_dcep(long_label).error(), DcepError::Truncated);
  auto long_protocol = kOpenChat;
  long_protocol[11] = 0x01;
  EXPECT_EQ(parse_dcep(long_protocol).error(), DcepError::Truncated);
  auto huge = kOpenChat;
  huge[8] = 0xff, huge[9] = 0xff;
  EXPECT_EQ(parse_dcep(huge).error(), DcepError::Truncated);
  for (uint8_t type : {0x03, 0x7f, 0x83, 0xff}) {
    auto bad = kOpenChat;
    bad[1] = type;
    EXPECT_EQ(parse_dcep(bad).error(), DcepError::UnknownChannelType) << int(type);
  }
}

// ---- DataChannelSet alone ------------------------------------------------------------------------------

TEST(DataChannelSet, OpenSendsDcepOpenOnEvenIdsAsDtlsClient) {
  Set s({.dtls_client = true});
  auto id0 = s.open("chat");
  auto id1 = s.open("b", {.ordered = false, .max_retransmits = 3, .priority = 512, .protocol = "bc"});
  ASSERT_TRUE(id0.ok() && id1.ok());
  EXPECT_EQ(*id0, 0);
  EXPECT_EQ(*id1, 2);
  auto cmds = drain_commands(s);
  ASSERT_EQ(cmds.size(), 2u);
  const auto& open = std::get<Set::SendMessage>(cmds[0]);
  EXPECT_EQ(open.stream, 0);
  EXPECT_EQ(open.ppid, ppid::kDcep);
  EXPECT_EQ(open.bytes, kOpenChat);
  EXPECT_TRUE(open.ordered);  // the OPEN itself is always ordered and reliable
  EXPECT_EQ(open.reliability, SctpReliability::reliable());
  const auto& open2 = std::get<Set::SendMessage>(cmds[1]);
  EXPECT_TRUE(open2.ordered);
  EXPECT_EQ(*parse_dcep(open2.bytes), DcepMessage{DcepOpen({false, SctpReliability::max_retransmits(3), 512, "b", "bc"})});
  EXPECT_TRUE(drain_events(s).empty());  // open only when the ACK comes
}

TEST(DataChannelSet, DtlsServerUsesOddIds) {
  Set s({.dtls_client = false});
  EXPECT_EQ(*s.open("x"), 1);
  EXPECT_EQ(*s.open("y"), 3);
}

TEST(DataChannelSet, AckOpensTheChannel) {
  Set s;
  uint16_t id = *s.open("chat", {.protocol = "p"});
  drain_commands(s);
  s.handle_message(id, ppid::kDcep, {0x02});
  auto ev = drain_events(s);
  ASSERT_EQ(ev.size(), 1u);
  auto opened = std::get<Set::ChannelOpened>(ev[0]);
  EXPECT_EQ(opened.id, id);
  EXPECT_EQ(opened.label, "chat");
  EXPECT_EQ(opened.protocol, "p");
  EXPECT_FALSE(opened.by_peer);
  EXPECT_EQ(s.channel(id)->state, Set::State::kOpen);
  s.handle_message(id, ppid::kDcep, {0x02});  // a duplicate ACK changes nothing
  EXPECT_TRUE(drain_events(s).empty());
}

TEST(DataChannelSet, MessagesBeforeTheAckGoOrderedAndDataImpliesTheAck) {
  Set s;
  uint16_t id = *s.open("u", {.ordered = false});
  drain_commands(s);
  ASSERT_FALSE(s.send(id, false, bytes_of("early")));
  auto cmds = drain_commands(s);
  EXPECT_TRUE(std::get<Set::SendMessage>(cmds.at(0)).ordered);
  // The peer's reply data arrives before its ACK (RFC 8832 §6): the channel opens, then the message.
  s.handle_message(id, ppid::kString, bytes_of("hi"));
  auto ev = drain_events(s);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<Set::ChannelOpened>(ev[0]));
  EXPECT_EQ(std::get<Set::Message>(ev[1]).bytes, bytes_of("hi"));
  ASSERT_FALSE(s.send(id, false, bytes_of("later")));
  EXPECT_FALSE(std::get<Set::SendMessage>(drain_commands(s).at(0)).ordered);
}

TEST(DataChannelSet, PeerOpenIsAckedAndReported) {
  Set s({.dtls_client = false});
  s.handle_message(4, ppid::kDcep, kOpenRexmit);
  auto cmds = drain_commands(s);
  ASSERT_EQ(cmds.size(), 1u);
  const auto& ack = std::get<Set::SendMessage>(cmds[0]);
  EXPECT_EQ(ack.stream, 4);
  EXPECT_EQ(ack.ppid, ppid::kDcep);
  EXPECT_EQ(ack.bytes, std::vector<uint8_t>{0x02});
  auto ev = drain_events(s);
  ASSERT_EQ(ev.size(), 1u);
  auto opened = std::get<Set::ChannelOpened>(ev[0]);
  EXPECT_EQ(opened.id, 4);
  EXPECT_EQ(opened.label, "a");
  EXPECT_EQ(opened.protocol, "bc");
  EXPECT_TRUE(opened.by_peer);
  const auto* ch = s.channel(4);
  ASSERT_NE(ch, nullptr);
  EXPECT_FALSE(ch->ordered);
  EXPECT_EQ(ch->reliability, SctpReliability::max_retransmits(3));
  // Our replies follow the channel's options at once (we are not waiting for any ACK).
  ASSERT_FALSE(s.send(4, true, std::vector<uint8_t>{1}));
  const auto reply = std::get<Set::SendMessage>(drain_commands(s).at(0));
  EXPECT_FALSE(reply.ordered);
  EXPECT_EQ(reply.reliability, SctpReliability::max_retransmits(3));
  // A second OPEN on the same stream is refused.
  s.handle_message(4, ppid::kDcep, kOpenChat);
  EXPECT_EQ(s.stats().rejected_opens, 1u);
  EXPECT_TRUE(drain_commands(s).empty());
  // So is one beyond the stream count, and garbage DCEP.
  s.handle_message(2000, ppid::kDcep, kOpenChat);
  s.handle_message(6, ppid::kDcep, {0x03, 0x00});
  EXPECT_EQ(s.stats().rejected_opens, 2u);
  EXPECT_EQ(s.stats().dropped_bad_dcep, 1u);
  EXPECT_EQ(s.size(), 1u);
}

TEST(DataChannelSet, PpidsMapToStringBinaryAndEmpty) {
  Set s;
  s.handle_message(1, ppid::kDcep, kOpenChat);
  drain_events(s);
  drain_commands(s);
  s.handle_message(1, ppid::kString, bytes_of("txt"));
  s.handle_message(1, ppid::kBinary, {9, 8});
  s.handle_message(1, ppid::kStringEmpty, {0});
  s.handle_message(1, ppid::kBinaryEmpty, {0});
  s.handle_message(1, ppid::kStringPartial, bytes_of("old"));
  s.handle_message(1, ppid::kBinaryPartial, {1});
  s.handle_message(1, 99, {1});
  s.handle_message(3, ppid::kString, bytes_of("nobody"));
  auto msgs = only<Set::Message>(drain_events(s));
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_FALSE(msgs[0].binary);
  EXPECT_EQ(msgs[0].bytes, bytes_of("txt"));
  EXPECT_TRUE(msgs[1].binary);
  EXPECT_EQ(msgs[1].bytes, (std::vector<uint8_t>{9, 8}));
  EXPECT_FALSE(msgs[2].binary);
  EXPECT_TRUE(msgs[2].bytes.empty());
  EXPECT_TRUE(msgs[3].binary);
  EXPECT_TRUE(msgs[3].bytes.empty());
  EXPECT_EQ(s.stats().dropped_deprecated_ppid, 2u);
  EXPECT_EQ(s.stats().dropped_unknown_ppid, 1u);
  EXPECT_EQ(s.stats().dropped_unknown_stream, 1u);
}

TEST(DataChannelSet, EmptyMessagesGoAsOneByteWithPpid56And57) {
  Set s;
  uint16_t id = *s.open("e");
  drain_commands(s);
  ASSERT_FALSE(s.send(id, false, {}));
  ASSERT_FALSE(s.send(id, true, {}));
  auto cmds = drain_commands(s);
  EXPECT_EQ(std::get<Set::SendMessage>(cmds[0]).ppid, ppid::kStringEmpty);
  EXPECT_EQ(std::get<Set::SendMessage>(cmds[0]).bytes, std::vector<uint8_t>{0});
  EXPECT_EQ(std::get<Set::SendMessage>(cmds[1]).ppid, ppid::kBinaryEmpty);
}

TEST(DataChannelSet, LocalCloseResetsAndClosesOnThePeersReset) {
  Set s;
  uint16_t id = *s.open("c");
  s.handle_message(id, ppid::kDcep, {0x02});
  drain_commands(s);
  drain_events(s);
  ASSERT_FALSE(s.close(id));
  auto cmds = drain_commands(s);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(std::get<Set::ResetStream>(cmds[0]).stream, id);
  EXPECT_EQ(s.send(id, false, bytes_of("x")), DataChannelError::NotOpen);
  EXPECT_FALSE(s.close(id));  // closing twice is harmless
  EXPECT_TRUE(drain_commands(s).empty());
  s.handle_stream_reset(id, Dir::kOutgoing);
  EXPECT_TRUE(drain_events(s).empty());  // still open the other way
  s.handle_stream_reset(id, Dir::kIncoming);
  auto closed = only<Set::ChannelClosed>(drain_events(s));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].id, id);
  EXPECT_TRUE(drain_commands(s).empty());  // we had already reset our side
  EXPECT_EQ(s.channel(id), nullptr);       // both directions reset: the id is free
  EXPECT_EQ(*s.open("again"), id);
}

TEST(DataChannelSet, PeerCloseIsAnsweredWithOurReset) {
  Set s;
  s.handle_message(1, ppid::kDcep, kOpenChat);
  drain_commands(s);
  drain_events(s);
  s.handle_stream_reset(1, Dir::kIncoming);
  EXPECT_EQ(only<Set::ChannelClosed>(drain_events(s)).size(), 1u);
  auto cmds = drain_commands(s);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(std::get<Set::ResetStream>(cmds[0]).stream, 1);
  ASSERT_NE(s.channel(1), nullptr);  // until our reset completes
  s.handle_message(1, ppid::kString, bytes_of("late"));
  EXPECT_TRUE(drain_events(s).empty());
  s.handle_stream_reset(1, Dir::kOutgoing);
  EXPECT_EQ(s.channel(1), nullptr);
}

TEST(DataChannelSet, NegotiatedChannelsOpenWithTheAssociation) {
  Set s;
  auto id = s.open("neg", {.negotiated_id = 7});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 7);
  EXPECT_TRUE(drain_commands(s).empty());  // no DCEP
  EXPECT_TRUE(drain_events(s).empty());
  s.handle_connected();
  auto opened = only<Set::ChannelOpened>(drain_events(s));
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].id, 7);
  auto late = s.open("neg2", {.negotiated_id = 9});
  EXPECT_EQ(only<Set::ChannelOpened>(drain_events(s)).size(), 1u);  // already connected: at once
  EXPECT_EQ(s.open("dup", {.negotiated_id = 7}).error(), DataChannelError::IdInUse);
  // An OPEN from the peer on a negotiated id is a collision.
  s.handle_message(9, ppid::kDcep, kOpenChat);
  EXPECT_EQ(s.stats().rejected_opens, 1u);
  ASSERT_TRUE(late.ok());
}

TEST(DataChannelSet, OptionErrorsAndLimits) {
  Set s({.dtls_client = true, .max_channels = 4, .max_message_size = 10});
  EXPECT_EQ(s.open("x", {.max_retransmits = 1, .max_packet_lifetime_ms = 1}).error(),
            DataChannelError::InvalidOptions);
  EXPECT_EQ(s.open("x", {.negotiated_id = 4}).error(), DataChannelError::InvalidOptions);
  EXPECT_EQ(s.open(std::string(70000, 'l')).error(), DataChannelError::InvalidOptions);
  EXPECT_EQ(*s.open("a"), 0);
  EXPECT_EQ(*s.open("b"), 2);
  EXPECT_EQ(s.open("c").error(), DataChannelError::NoFreeId);
  EXPECT_EQ(s.send(0, false, std::vector<uint8_t>(11)), DataChannelError::TooLarge);
  EXPECT_EQ(s.send(1, false, std::vector<uint8_t>(1)), DataChannelError::UnknownChannel);
  EXPECT_EQ(s.close(1), DataChannelError::UnknownChannel);
}

TEST(DataChannelSet, AssociationLossClosesEveryChannel) {
  Set s;
  uint16_t a = *s.open("a");
  s.handle_message(1, ppid::kDcep, kOpenChat);
  drain_events(s);
  s.handle_sctp_event(SctpAssociation::Failed{"lost"});
  auto closed = only<Set::ChannelClosed>(drain_events(s));
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].id, a);
  EXPECT_EQ(closed[1].id, 1);
  EXPECT_EQ(s.size(), 0u);
}

// ---- Two sets over two real associations ----------------------------------------------------------------

struct DcPair {
  test::SctpPair sctp;
  Set a{{.dtls_client = true}};
  Set b{{.dtls_client = false}};
  std::vector<Set::Event> ev_a;
  std::vector<Set::Event> ev_b;

  DcPair() {
    sctp.start();
    pump();
  }

  // Moves commands into the associations, packets between them, and association events into the sets, until
  // nothing moves.
  void pump() {
    for (int i = 0; i < 1000; ++i) {
      a.flush_to(sctp.a);
      b.flush_to(sctp.b);
      sctp.exchange();
      bool moved = !sctp.events_a.empty() || !sctp.events_b.empty();
      for (auto& e : sctp.events_a) a.handle_sctp_event(std::move(e));
      for (auto& e : sctp.events_b) b.handle_sctp_event(std::move(e));
      sctp.events_a.clear();
      sctp.events_b.clear();
      for (auto& e : drain_events(a)) ev_a.push_back(std::move(e));
      for (auto& e : drain_events(b)) ev_b.push_back(std::move(e));
      if (!moved) return;  // new commands only ever come from events
    }
  }
  template <class Pred>
  bool run_until(Pred pred, base::Duration limit = base::Duration::seconds(30)) {
    base::Timestamp end = sctp.now + limit;
    pump();
    while (!pred()) {
      if (sctp.now >= end) return false;
      sctp.step();
      pump();
    }
    return true;
  }
  std::vector<Set::Message> messages_at_a() const { return only<Set::Message>(ev_a); }
  std::vector<Set::Message> messages_at_b() const { return only<Set::Message>(ev_b); }
};

TEST(DataChannels, OpenedByOneSideAppearsOnTheOther) {
  DcPair p;
  uint16_t id = *p.a.open("chat", {.protocol = "json"});
  ASSERT_TRUE(p.run_until([&] { return !only<Set::ChannelOpened>(p.ev_a).empty(); }));
  auto at_b = only<Set::ChannelOpened>(p.ev_b);
  ASSERT_EQ(at_b.size(), 1u);
  EXPECT_EQ(at_b[0].id, id);
  EXPECT_EQ(at_b[0].label, "chat");
  EXPECT_EQ(at_b[0].protocol, "json");
  EXPECT_TRUE(at_b[0].by_peer);
  auto at_a = only<Set::ChannelOpened>(p.ev_a);
  EXPECT_FALSE(at_a[0].by_peer);
  EXPECT_EQ(id % 2, 0);
}

TEST(DataChannels, StringBinaryAndEmptyMessagesBothWays) {
  DcPair p;
  uint16_t id = *p.b.open("data");  // the DTLS server opens this one: odd id
  EXPECT_EQ(id % 2, 1);
  ASSERT_FALSE(p.b.send(id, false, bytes_of("from b")));  // before the ACK: allowed, goes ordered
  ASSERT_TRUE(p.run_until([&] { return !only<Set::ChannelOpened>(p.ev_b).empty(); }));
  ASSERT_FALSE(p.a.send(id, false, bytes_of("héllo")));
  ASSERT_FALSE(p.a.send(id, true, std::vector<uint8_t>{0, 1, 2}));
  ASSERT_FALSE(p.a.send(id, false, {}));
  ASSERT_FALSE(p.a.send(id, true, {}));
  ASSERT_FALSE(p.b.send(id, true, std::vector<uint8_t>{0xff}));
  ASSERT_TRUE(p.run_until([&] { return p.messages_at_b().size() == 4 && p.messages_at_a().size() == 2; }));
  auto at_b = p.messages_at_b();
  EXPECT_FALSE(at_b[0].binary);
  EXPECT_EQ(at_b[0].bytes, bytes_of("héllo"));
  EXPECT_TRUE(at_b[1].binary);
  EXPECT_EQ(at_b[1].bytes, (std::vector<uint8_t>{0, 1, 2}));
  EXPECT_FALSE(at_b[2].binary);
  EXPECT_TRUE(at_b[2].bytes.empty());
  EXPECT_TRUE(at_b[3].binary);
  EXPECT_TRUE(at_b[3].bytes.empty());
  auto at_a = p.messages_at_a();
  EXPECT_EQ(at_a[0].bytes, bytes_of("from b"));
  EXPECT_FALSE(at_a[0].binary);
  EXPECT_EQ(at_a[1].bytes, std::vector<uint8_t>{0xff});
  EXPECT_TRUE(at_a[1].binary);
}

TEST(DataChannels, QuarterMebibyteMessagesBothWays) {
  DcPair p;
  uint16_t id = *p.a.open("big");
  std::vector<uint8_t> big_a(256 * 1024), big_b(256 * 1024);
  std::mt19937 rng(5);
  for (auto& x : big_a) x = static_cast<uint8_t>(rng());
  for (auto& x : big_b) x = static_cast<uint8_t>(rng());
  ASSERT_FALSE(p.a.send(id, true, big_a));
  ASSERT_TRUE(p.run_until([&] { return !only<Set::ChannelOpened>(p.ev_b).empty(); }));
  ASSERT_FALSE(p.b.send(id, true, big_b));
  ASSERT_TRUE(p.run_until([&] { return p.messages_at_b().size() == 1 && p.messages_at_a().size() == 1; }));
  EXPECT_EQ(p.messages_at_b()[0].bytes, big_a);
  EXPECT_EQ(p.messages_at_a()[0].bytes, big_b);
}

TEST(DataChannels, UnorderedUnreliableChannelLosesMessagesAndGoesOn) {
  DcPair p;
  uint16_t id = *p.a.open("lossy", {.ordered = false, .max_retransmits = 0});
  ASSERT_TRUE(p.run_until([&] { return !only<Set::ChannelOpened>(p.ev_a).empty(); }));
  std::mt19937 rng(11);
  bool lossy = true;
  p.sctp.drop = [&](bool from_a, const std::vector<uint8_t>&) { return lossy && from_a && rng() % 100 < 25; };
  for (int i = 0; i < 200; ++i) {
    ASSERT_FALSE(p.a.send(id, true, std::vector<uint8_t>{static_cast<uint8_t>(i)}));
    p.pump();
    p.sctp.step(base::Duration::millis(5));
  }
  p.run_until([] { return false; }, base::Duration::seconds(5));
  lossy = false;
  ASSERT_FALSE(p.a.send(id, false, bytes_of("done")));
  ASSERT_TRUE(p.run_until([&] {
    auto m = p.messages_at_b();
    return !m.empty() && m.back().bytes == bytes_of("done");
  }));
  size_t got = p.messages_at_b().size() - 1;
  EXPECT_LT(got, 200u);
  EXPECT_GT(got, 100u);
  EXPECT_EQ(p.sctp.a.state(), SctpAssociation::State::kConnected);
  // The reverse direction is undisturbed.
  ASSERT_FALSE(p.b.send(id, false, bytes_of("back")));
  ASSERT_TRUE(p.run_until([&] { return !p.messages_at_a().empty(); }));
}

TEST(DataChannels, CloseResetsTheStreamAndBothSidesSeeClosed) {
  DcPair p;
  uint16_t id = *p.a.open("bye");
  ASSERT_TRUE(p.run_until([&] { return !only<Set::ChannelOpened>(p.ev_a).empty(); }));
  ASSERT_FALSE(p.a.send(id, false, bytes_of("last words")));
  ASSERT_FALSE(p.a.close(id));
  ASSERT_TRUE(p.run_until([&] {
    return !only<Set::ChannelClosed>(p.ev_a).empty() && !only<Set::ChannelClosed>(p.ev_b).empty();
  }));
  ASSERT_EQ(p.messages_at_b().size(), 1u);  // sent before the close: delivered before it
  EXPECT_EQ(only<Set::ChannelClosed>(p.ev_a)[0].id, id);
  EXPECT_EQ(only<Set::ChannelClosed>(p.ev_b)[0].id, id);
  ASSERT_TRUE(p.run_until([&] { return p.a.channel(id) == nullptr && p.b.channel(id) == nullptr; }));
  // The id is reused by the next channel, which works.
  EXPECT_EQ(*p.a.open("again", {.protocol = "2"}), id);
  ASSERT_TRUE(p.run_until([&] { return only<Set::ChannelOpened>(p.ev_b).size() == 2; }));
  EXPECT_EQ(only<Set::ChannelOpened>(p.ev_b)[1].label, "again");
  ASSERT_FALSE(p.b.send(id, false, bytes_of("new")));
  ASSERT_TRUE(p.run_until([&] { return !p.messages_at_a().empty(); }));
}

TEST(DataChannels, TwentyChannelsAtOnceFromBothSides) {
  DcPair p;
  std::vector<uint16_t> from_a, from_b;
  for (int i = 0; i < 10; ++i) {
    from_a.push_back(*p.a.open("a" + std::to_string(i)));
    from_b.push_back(*p.b.open("b" + std::to_string(i)));
  }
  for (size_t i = 0; i < 10; ++i) {
    ASSERT_FALSE(p.a.send(from_a[i], false, bytes_of("a" + std::to_string(i))));
    ASSERT_FALSE(p.b.send(from_b[i], false, bytes_of("b" + std::to_string(i))));
  }
  ASSERT_TRUE(p.run_until([&] {
    return only<Set::ChannelOpened>(p.ev_a).size() == 20 && only<Set::ChannelOpened>(p.ev_b).size() == 20 &&
           p.messages_at_a().size() == 10 && p.messages_at_b().size() == 10;
  }));
  EXPECT_EQ(p.a.size(), 20u);
  EXPECT_EQ(p.b.size(), 20u);
  for (const auto& m : p.messages_at_b()) {
    const auto* ch = p.b.channel(m.id);
    ASSERT_NE(ch, nullptr);
    EXPECT_EQ(std::string(m.bytes.begin(), m.bytes.end()), ch->label);
  }
  for (const auto& m : p.messages_at_a()) {
    EXPECT_EQ(std::string(m.bytes.begin(), m.bytes.end()), p.a.channel(m.id)->label);
  }
}

TEST(DataChannels, NegotiatedChannelOnBothSides) {
  DcPair p;
  ASSERT_TRUE(p.a.open("n", {.negotiated_id = 100}).ok());
  ASSERT_TRUE(p.b.open("n", {.negotiated_id = 100}).ok());
  p.pump();
  ASSERT_EQ(only<Set::ChannelOpened>(p.ev_a).size(), 1u);
  ASSERT_EQ(only<Set::ChannelOpened>(p.ev_b).size(), 1u);
  ASSERT_FALSE(p.a.send(100, false, bytes_of("x")));
  ASSERT_FALSE(p.b.send(100, false, bytes_of("y")));
  ASSERT_TRUE(p.run_until([&] { return p.messages_at_a().size() == 1 && p.messages_at_b().size() == 1; }));
  EXPECT_EQ(p.sctp.a.stats().messages_out, 1u);  // no DCEP went out
}

}  // namespace
}  // namespace medley::ice
