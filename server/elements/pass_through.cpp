// PassThrough: republish into our own routers.
#include "server/elements/pass_through.hpp"

#include <boost/asio/post.hpp>

namespace medley::server::elements {

class PassThrough::Republisher : public media::PacketSink {
 public:
  explicit Republisher(std::shared_ptr<media::Router> out) : out_(std::move(out)) {}
  void on_packet(const media::PublishedPacket& packet, base::Timestamp now) override { out_->publish(packet, now); }
  uint64_t bitrate_estimate() const override { return out_->min_sink_estimate(); }

 private:
  std::shared_ptr<media::Router> out_;
};

PassThrough::PassThrough(kurento::ObjectInit init, media::Strand strand)
    : MediaNode(std::move(init)), strand_(std::move(strand)) {
  outputs_[0] = std::make_shared<media::Router>(media::RtpSourceInfo{media::MediaKind::Audio, 48000, {}, {}});
  outputs_[1] = std::make_shared<media::Router>(media::RtpSourceInfo{media::MediaKind::Video, 90000, {}, {}});
  for (size_t k = 0; k < 2; ++k) {
    republishers_[k] = std::make_shared<Republisher>(outputs_[k]);
    // A sink downstream lost the picture: ask whoever feeds us (its router throttles).
    std::weak_ptr<Republisher> weak = republishers_[k];
    outputs_[k]->set_keyframe_requester([weak](base::Timestamp now) {
      if (auto r = weak.lock()) {
        if (media::Router* up = r->upstream()) up->request_keyframe(now);
      }
    });
  }
}

std::shared_ptr<media::Router> PassThrough::output(media::WebRtcSession::Kind kind) {
  return outputs_[static_cast<size_t>(kind)];
}

void PassThrough::rewire(size_t k, std::shared_ptr<media::Router> source) {
  if (inputs_[k]) inputs_[k]->remove_sink(republishers_[k].get());
  inputs_[k] = std::move(source);
  if (inputs_[k]) inputs_[k]->add_sink(republishers_[k]);
}

void PassThrough::set_input(media::WebRtcSession::Kind kind, std::shared_ptr<media::Router> source) {
  auto self = std::static_pointer_cast<PassThrough>(shared_from_this());
  boost::asio::post(strand_, [self, k = static_cast<size_t>(kind), source = std::move(source)]() mutable {
    if (!self->released()) self->rewire(k, std::move(source));
  });
}

void PassThrough::on_release() {
  MediaNode::on_release();
  auto self = std::static_pointer_cast<PassThrough>(shared_from_this());
  boost::asio::post(strand_, [self] {
    for (size_t k = 0; k < 2; ++k) self->rewire(k, nullptr);
  });
}

}  // namespace medley::server::elements
