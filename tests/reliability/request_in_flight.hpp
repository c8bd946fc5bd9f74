#pragma once
// One control-socket request whose answer may never come, because cardd is
// killed while it works on it: sent on a connection of its own, read
// without waiting, and drained after the kill for whatever cardd managed to
// send before it died.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace cardd::reliability {

class RequestInFlight {
public:
    /// Connects and sends `request`. Throws std::runtime_error when cardd cannot be reached.
    RequestInFlight(const std::filesystem::path& socket, const nlohmann::json& request);
    ~RequestInFlight();
    RequestInFlight(const RequestInFlight&) = delete;
    RequestInFlight& operator=(const RequestInFlight&) = delete;

    /// Reads what has arrived, without waiting: true once the final answer
    /// (the line with "result") is in.
    bool answered();
    /// After the kill: everything cardd sent, up to the end of the stream or `timeout`.
    void drain(std::chrono::milliseconds timeout);
    /// The final answer, when the client saw it.
    const std::optional<nlohmann::json>& answer() const { return answer_; }
    std::chrono::steady_clock::time_point sent_at() const { return sent_at_; }

private:
    /// Moves whole lines out of `pending_`; false once the stream has ended.
    bool read_available(int timeout_ms);

    int fd_ = -1;
    std::string pending_;
    std::optional<nlohmann::json> answer_;
    std::chrono::steady_clock::time_point sent_at_;
};

}  // namespace cardd::reliability
