#include "tests/ccid/scripted_transport.hpp"

#include <utility>

namespace cardd::encoder::test {

namespace ccid = protocol::ccid;

void ScriptedTransport::answer(ccid::ReaderMessage message) {
    steps_.push_back({Step::Kind::message, std::move(message), {}, {}});
}

void ScriptedTransport::answer_raw(Bytes bytes) { steps_.push_back({Step::Kind::raw, {}, std::move(bytes), {}}); }

void ScriptedTransport::fail_in(Errc code) { steps_.push_back({Step::Kind::error, {}, {}, code}); }

void ScriptedTransport::fail_out(Errc code) { out_failures_.push_back(code); }

Result<void> ScriptedTransport::bulk_out(std::span<const std::uint8_t> message, std::chrono::milliseconds) {
    if (!out_failures_.empty()) {
        const Errc code = out_failures_.front();
        out_failures_.pop_front();
        return fail(code, "scripted bulk OUT failure");
    }
    sent_.emplace_back(message.begin(), message.end());
    return {};
}

Result<std::vector<std::uint8_t>> ScriptedTransport::bulk_in(std::size_t max_size, std::chrono::milliseconds) {
    ++reads_;
    // An exhausted script is a reader that says nothing more.
    if (steps_.empty()) return fail(Errc::timeout, "scripted reader has no more answers");
    Step step = std::move(steps_.front());
    steps_.pop_front();
    switch (step.kind) {
        case Step::Kind::error: return fail(step.error, "scripted bulk IN failure");
        case Step::Kind::raw: break;
        case Step::Kind::message:
            step.message.seq = sent_.empty() ? 0 : sent_.back()[6];
            step.raw = ccid::encode(step.message);
            break;
    }
    if (step.raw.size() > max_size) step.raw.resize(max_size);
    return step.raw;
}

ccid::ReaderMessage data_block(Bytes data) {
    ccid::ReaderMessage m;
    m.type = ccid::MessageType::data_block;
    m.data = std::move(data);
    return m;
}

namespace {

void set_status(ccid::ReaderMessage& m, std::uint8_t status, std::uint8_t error) {
    m.icc = static_cast<ccid::IccStatus>(status & 0x03);
    m.command = static_cast<ccid::CommandStatus>(status >> 6);
    m.error = error;
}

}  // namespace

ccid::ReaderMessage slot_status(std::uint8_t status, std::uint8_t error) {
    ccid::ReaderMessage m;
    m.type = ccid::MessageType::slot_status;
    set_status(m, status, error);
    return m;
}

ccid::ReaderMessage failed_data_block(std::uint8_t status, std::uint8_t error) {
    ccid::ReaderMessage m = data_block({});
    set_status(m, status, error);
    return m;
}

ccid::ReaderMessage time_extension() {
    ccid::ReaderMessage m = data_block({});
    set_status(m, 0x80, 0x01);
    return m;
}

ccid::ReaderMessage escape_answer(Bytes data) {
    ccid::ReaderMessage m;
    m.type = ccid::MessageType::escape_answer;
    m.data = std::move(data);
    return m;
}

}  // namespace cardd::encoder::test
