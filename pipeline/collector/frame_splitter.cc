#include "pipeline/collector/frame_splitter.h"

#include <algorithm>
#include <limits>

namespace decnet::pipeline {
namespace {

// RFC 6587 §3.4.1 puts no bound on MSG-LEN; ten digits already exceed any sane frame.
constexpr std::size_t kMaxLengthDigits = 10;

std::size_t decimalDigits(std::uint64_t value) {
  std::size_t digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

}  // namespace

FrameSplitter::FrameSplitter(std::size_t maxFrame)
    : maxFrame_(std::max<std::size_t>(maxFrame, 1)) {}

std::size_t FrameSplitter::buffered() const { return buffer_.size(); }

void FrameSplitter::feed(std::string_view bytes, const FrameHandler& onFrame) {
  while (!bytes.empty()) {
    switch (state_) {
      case State::kStart:
        // RFC 6587 §3.4.1: MSG-LEN starts with NONZERO-DIGIT; a "<PRI>" (or anything else)
        // starts an LF-terminated frame.
        if (bytes.front() >= '1' && bytes.front() <= '9') {
          state_ = State::kLength;
          length_ = 0;
        } else {
          state_ = State::kLine;
        }
        break;
      case State::kLength:
        lengthByte(bytes.front(), bytes, onFrame);
        break;
      case State::kBody: {
        const std::size_t n = std::min(bytes.size(), bodyWanted_ - buffer_.size());
        buffer_.append(bytes.substr(0, n));
        bytes.remove_prefix(n);
        if (buffer_.size() == bodyWanted_) {
          // An oversized frame goes out now rather than after its tail: the tail may never come.
          onFrame(buffer_, skipLeft_ > 0);
          buffer_.clear();
          state_ = skipLeft_ > 0 ? State::kSkipBody : State::kStart;
        }
        break;
      }
      case State::kSkipBody: {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), skipLeft_));
        bytes.remove_prefix(n);
        skipLeft_ -= n;
        if (skipLeft_ == 0) state_ = State::kStart;
        break;
      }
      case State::kLine: {
        const std::size_t lf = bytes.find('\n');
        const std::string_view segment = bytes.substr(0, lf);
        appendLine(segment, onFrame);
        bytes.remove_prefix(segment.size());
        if (state_ == State::kLine && lf != std::string_view::npos) {
          bytes.remove_prefix(1);
          endLine(onFrame);
        }
        break;
      }
      case State::kSkipLine: {
        const std::size_t lf = bytes.find('\n');
        if (lf == std::string_view::npos) {
          bytes = {};
        } else {
          bytes.remove_prefix(lf + 1);
          state_ = State::kStart;
        }
        break;
      }
    }
  }
}

void FrameSplitter::lengthByte(char c, std::string_view& rest, const FrameHandler& onFrame) {
  // Past maxFrame*4 a length is more likely text that starts with digits than a real frame
  // whose tail we would otherwise skip blindly for gigabytes.
  const std::uint64_t limit = maxFrame_ > std::numeric_limits<std::uint64_t>::max() / 4
                                  ? std::numeric_limits<std::uint64_t>::max()
                                  : std::uint64_t{maxFrame_} * 4;
  if (c >= '0' && c <= '9') {
    if (buffer_.size() >= kMaxLengthDigits) {
      corruptLength(onFrame);  // c is read again, in LF mode
      return;
    }
    buffer_.push_back(c);
    rest.remove_prefix(1);
    length_ = length_ * 10 + static_cast<std::uint64_t>(c - '0');
    if (length_ > limit) corruptLength(onFrame);
  } else if (c == ' ') {
    rest.remove_prefix(1);
    bodyWanted_ = static_cast<std::size_t>(std::min<std::uint64_t>(length_, maxFrame_));
    skipLeft_ = length_ - bodyWanted_;
    buffer_.clear();
    state_ = State::kBody;
  } else {
    corruptLength(onFrame);  // c is read again, in LF mode
  }
}

void FrameSplitter::corruptLength(const FrameHandler& onFrame) {
  const std::string digits = std::move(buffer_);
  buffer_.clear();
  state_ = State::kLine;
  appendLine(digits, onFrame);
}

void FrameSplitter::appendLine(std::string_view bytes, const FrameHandler& onFrame) {
  const std::size_t total = buffer_.size() + bytes.size();
  const char last = !bytes.empty() ? bytes.back() : buffer_.empty() ? '\0' : buffer_.back();
  // One byte of slack for a '\r' that endLine() will strip, so a maxFrame line sent with CRLF
  // is not reported as truncated.
  if (total <= maxFrame_ || (total == maxFrame_ + 1 && last == '\r')) {
    buffer_.append(bytes);
    return;
  }
  if (buffer_.size() < maxFrame_) buffer_.append(bytes.substr(0, maxFrame_ - buffer_.size()));
  buffer_.resize(maxFrame_);
  onFrame(buffer_, true);
  buffer_.clear();
  state_ = State::kSkipLine;
}

void FrameSplitter::endLine(const FrameHandler& onFrame) {
  if (!buffer_.empty() && buffer_.back() == '\r') buffer_.pop_back();
  if (!buffer_.empty()) onFrame(buffer_, false);  // blank lines carry nothing
  buffer_.clear();
  state_ = State::kStart;
}

std::size_t FrameSplitter::finish(const FrameHandler& onFrame) {
  std::size_t dropped = 0;
  // Digits with no SP yet never became "LEN SP": they are the start of an unterminated line.
  if (state_ == State::kLength) corruptLength(onFrame);
  if (state_ == State::kLine) {
    endLine(onFrame);
  } else if (state_ == State::kBody) {
    dropped = decimalDigits(length_) + 1 + buffer_.size();  // "LEN SP" and the MSG so far
  }
  state_ = State::kStart;
  buffer_.clear();
  length_ = 0;
  bodyWanted_ = 0;
  skipLeft_ = 0;
  return dropped;
}

}  // namespace decnet::pipeline
