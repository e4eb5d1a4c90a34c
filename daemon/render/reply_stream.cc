#include "render/reply_stream.h"

#include <algorithm>

namespace floatlm::server {
namespace {

class TextStream final : public ReplyStream {
 public:
  explicit TextStream(std::string text) : text_(std::move(text)) {}
  bool Next(std::string& out, std::size_t budget) override {
    const std::size_t n = std::min(std::max<std::size_t>(budget, 1), text_.size() - pos_);
    out.append(text_, pos_, n);
    pos_ += n;
    return pos_ == text_.size();
  }

 private:
  std::string text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<ReplyStream> StreamText(std::string text) {
  return std::make_unique<TextStream>(std::move(text));
}

std::string DrainStream(ReplyStream& stream) {
  std::string out;
  while (!stream.Next(out, 1 << 20)) {
  }
  return out;
}

}  // namespace floatlm::server
