// RFC 3550 receive statistics (Appendix A.1, A.3, A.8).
#include "rtp/receive_statistics.hpp"

#include <algorithm>

namespace medley::rtp {

void ReceiveStatistics::init_seq(uint16_t seq) {
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = 0x10001;
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
  have_transit_ = false;
}

SeqVerdict ReceiveStatistics::on_packet(uint16_t seq, uint32_t rtp_timestamp, base::Timestamp arrival,
                                        size_t payload_bytes, bool retransmission) {
  SeqVerdict verdict = SeqVerdict::InOrder;
  const uint16_t udelta = static_cast<uint16_t>(seq - max_seq_);
  if (!started_) {
    started_ = true;
    init_seq(seq);
  } else if (udelta == 0) {
    verdict = SeqVerdict::Reordered;  // a duplicate of the highest
  } else if (udelta < kMaxDropout) {
    if (seq < max_seq_) cycles_ += 0x10000;  // wrapped
    max_seq_ = seq;
  } else if (retransmission && udelta >= 0x8000) {
    // A late repair of an old loss, however far behind: never a sign of a restarted sender.
    verdict = SeqVerdict::Reordered;
  } else if (udelta <= 0x10000 - kMaxMisorder) {
    // A large jump: the sender may have restarted. Accept it only when the next packet follows it (A.1).
    if (seq == bad_seq_) {
      init_seq(seq);
      verdict = SeqVerdict::Restarted;
    } else {
      bad_seq_ = static_cast<uint16_t>(seq + 1);
      return SeqVerdict::Rejected;
    }
  } else {
    verdict = SeqVerdict::Reordered;
    // A packet older than the first one received belongs to the stream too (the first packets of a stream
    // can arrive reordered, as a keyframe's often do): extend the base so it is not counted as a duplicate.
    const int64_t ext = static_cast<int64_t>(extended_highest_seq()) - static_cast<uint16_t>(max_seq_ - seq);
    if (ext < base_seq_) base_seq_ = ext;
  }
  ++received_;
  bytes_ += payload_bytes;

  if (!retransmission && clock_rate_ > 0) {
    // Arrival in timestamp units; only differences matter, so the epoch cancels out. 128-bit, since a Unix-epoch
    // clock in µs times a peer-chosen clock rate overflows 64 bits.
    const int64_t arrival_ts =
        static_cast<int64_t>(static_cast<__int128>(arrival.us()) * clock_rate_ / 1'000'000);
    const int64_t transit = arrival_ts - static_cast<int64_t>(rtp_timestamp);
    if (have_transit_) {
      // 32-bit timestamp wrap: the difference of two transits is taken modulo 2^32.
      int64_t d = static_cast<int32_t>(static_cast<uint32_t>(transit - last_transit_));
      if (d < 0) d = -d;
      // J += (|D| - J) / 16, computed on J×16.
      const int64_t next = int64_t{jitter_q4_} + d - ((int64_t{jitter_q4_} + 8) >> 4);
      jitter_q4_ = static_cast<uint32_t>(std::clamp<int64_t>(next, 0, UINT32_MAX));  // hostile timestamps saturate
    }
    last_transit_ = transit;
    have_transit_ = true;
  }
  return verdict;
}

void ReceiveStatistics::on_sender_report(rtcp::NtpTime ntp_time, base::Timestamp arrival) {
  last_sr_compact_ = ntp_time.compact();
  last_sr_arrival_ = arrival;
}

int64_t ReceiveStatistics::expected() const {
  if (!started_) return 0;
  return static_cast<int64_t>(extended_highest_seq()) - base_seq_ + 1;
}

int64_t ReceiveStatistics::cumulative_lost() const {
  return expected() - static_cast<int64_t>(received_);
}

base::Duration ReceiveStatistics::jitter_duration() const {
  if (clock_rate_ == 0) return base::Duration::zero();
  return base::Duration::micros(static_cast<int64_t>(jitter()) * 1'000'000 / clock_rate_);
}

rtcp::ReportBlock ReceiveStatistics::make_report_block(Ssrc source, base::Timestamp now) {
  rtcp::ReportBlock block;
  block.ssrc = source;
  const int64_t expected_now = expected();
  // Duplicates can make "lost" negative; the field is signed 24-bit (RFC 3550 §6.4.1).
  block.cumulative_lost = static_cast<int32_t>(std::clamp<int64_t>(cumulative_lost(), rtcp::ReportBlock::kMinCumulativeLost, rtcp::ReportBlock::kMaxCumulativeLost));
  const int64_t expected_interval = expected_now - expected_prior_;
  const int64_t received_interval = static_cast<int64_t>(received_ - received_prior_);
  const int64_t lost_interval = expected_interval - received_interval;
  expected_prior_ = expected_now;
  received_prior_ = received_;
  if (expected_interval > 0 && lost_interval > 0) {
    block.fraction_lost = static_cast<uint8_t>(std::min<int64_t>(255, (lost_interval << 8) / expected_interval));
  }
  block.extended_highest_seq = extended_highest_seq();
  block.jitter = jitter();
  if (last_sr_arrival_) {
    block.lsr = last_sr_compact_;
    block.dlsr = rtcp::duration_to_compact_ntp(now - *last_sr_arrival_);
  }
  return block;
}

}  // namespace medley::rtp
